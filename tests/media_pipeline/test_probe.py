"""Probing originals, with the ffmpeg-only path this machine has and ffprobe's
when one is installed: both must describe a file the same way."""

from __future__ import annotations

import pytest

from media_pipeline import ffmpeg as ffmpeg_mod
from media_pipeline.probe import (
    ProbeError,
    _probe_ffmpeg,
    _probe_ffprobe,
    detect_interlacing,
    probe,
)
from tests.media import mp3_with_cover, sine_wav

from .samples import video


def test_mp3_with_cover_art_is_audio(tmp_path):
    r = probe(mp3_with_cover(tmp_path / "cover.mp3", tmp_path))
    assert r.media_type == "audio" and r.has_cover_art
    assert r.audio_codec == "mp3" and r.video_codec == ""


def test_rotated_phone_video_reports_rotation_and_display_size(tmp_path):
    r = probe(video(tmp_path / "v.mp4", rotate=90))
    assert (r.width, r.height) == (640, 360)
    assert r.rotation in (90, 270)
    assert r.display_size == (360, 640)
    assert r.fps == pytest.approx(25)


def test_interlaced_video_is_flagged(tmp_path):
    r = probe(video(tmp_path / "i.mp4", size="720x576", interlaced=True))
    assert r.interlaced is True
    assert probe(video(tmp_path / "p.mp4")).interlaced is False


def test_idet_finds_interlaced_frames_the_header_does_not_flag(tmp_path):
    assert detect_interlacing(video(tmp_path / "i.mp4", interlaced=True)) is True


def test_wav_fields(tmp_path):
    r = probe(sine_wav(tmp_path / "a.wav", seconds=1.5, rate=96000, channels=2))
    assert (r.container, r.audio_codec, r.sample_rate, r.channels) == (
        "wav",
        "pcm_s16le",
        96000,
        2,
    )
    assert r.duration == pytest.approx(1.5, abs=0.01)


@pytest.mark.parametrize(
    "content,code",
    [(b"", "empty"), (b"This is a text file, not a song.\n" * 50, "unreadable")],
)
def test_not_media_is_refused_with_a_code(tmp_path, content, code):
    f = tmp_path / "song.mp3"
    f.write_bytes(content)
    with pytest.raises(ProbeError) as exc:
        probe(f)
    assert exc.value.code == code


@pytest.mark.skipif(
    ffmpeg_mod.ffprobe_binary() is None, reason="no ffprobe beside the chosen ffmpeg"
)
def test_ffprobe_and_ffmpeg_paths_agree(tmp_path):
    for path in (
        video(tmp_path / "v.mp4", rotate=90),
        mp3_with_cover(tmp_path / "c.mp3", tmp_path),
        sine_wav(tmp_path / "s.wav"),
    ):
        a, b = _probe_ffprobe(str(path), 30), _probe_ffmpeg(str(path), 30)
        for field in ("audio_codec", "sample_rate", "channels", "video_codec"):
            assert getattr(a, field) == getattr(b, field), (path, field)
        for field in ("width", "height", "rotation", "has_cover_art"):
            assert getattr(a, field) == getattr(b, field), (path, field)
        assert a.duration == pytest.approx(b.duration, abs=0.05)
