"""Video profiles: exact board sizes, rotation, GOP, H.264 profile/level, faststart,
normalised sound, captions burned for boards and a WebVTT track for the web."""

from __future__ import annotations

import pytest

from media_pipeline.pipeline import render_all
from media_pipeline.probe import probe
from media_pipeline.profiles import get_profile
from media_pipeline.source import RenderError, Source

from .inspect import (
    frame_at,
    h264_sps,
    has_audio,
    keyframes,
    mp4_top_boxes,
    pyloudnorm_lufs,
    true_peak,
    video_line,
    video_packets_md5,
)
from .samples import srt, video, vtt


def render(path, name, tmp_path, **source):
    p = get_profile(name)
    out = tmp_path / f"{name}.mp4"
    (result,) = render_all(Source(path=path, probe=probe(path), **source), [(p, out)])
    return out, result


@pytest.fixture(scope="module")
def landscape_from_portrait_phone(tmp_path_factory):
    """A 30 fps phone clip stored 640x360 with 90° rotation (portrait when shown)."""
    tmp = tmp_path_factory.mktemp("landscape")
    src = video(tmp / "phone.mp4", seconds=4.2, rate=30, rotate=90)
    out, result = render(src, "ebulletin-landscape", tmp)
    return out, result, tmp


def test_board_video_is_exactly_1920x1080_h264_high_41_yuv420p_sar_1(
    landscape_from_portrait_phone,
):
    out, _result, _tmp = landscape_from_portrait_phone
    line = video_line(out)
    assert "h264 (High)" in line and "yuv420p" in line
    assert "1920x1080 [SAR 1:1" in line and "25 fps" in line
    sps = h264_sps(out)
    assert sps["profile_idc"] == 100 and sps["level_idc"] <= 41
    assert probe(out).rotation == 0


def test_rotation_is_honoured_by_pillarboxing_the_portrait_picture(
    landscape_from_portrait_phone,
):
    out, _result, tmp = landscape_from_portrait_phone
    frame = frame_at(out, tmp)
    # Shown upright the clip is 9:16, so it fills the height and leaves black bars
    # left and right: 1080 * 360/640 = 608 px wide in the middle.
    assert frame[:, :600].max() < 30 and frame[:, -600:].max() < 30
    assert frame[:, 700:1200].mean() > 40


def test_closed_two_second_gop_at_constant_25_fps(landscape_from_portrait_phone):
    out, _result, _tmp = landscape_from_portrait_phone
    keys, count = keyframes(out)
    assert keys == [0, 50, 100]
    assert count == pytest.approx(4.2 * 25, abs=1)
    # Every key frame is an IDR (nal type 5): nothing refers across GOPs.
    assert h264_sps(out).get("nal_unit_type") in (5, 6, 7)


def test_moov_box_comes_before_media_data_for_progressive_playback(
    landscape_from_portrait_phone,
):
    boxes = mp4_top_boxes(landscape_from_portrait_phone[0])
    assert boxes.index("moov") < boxes.index("mdat")


def test_board_video_sound_is_aac_48k_at_minus_16_lufs(landscape_from_portrait_phone):
    out, result, tmp = landscape_from_portrait_phone
    info = probe(out)
    assert (info.audio_codec, info.sample_rate) == ("aac", 48000)
    assert pyloudnorm_lufs(out, tmp) == pytest.approx(-16, abs=1)
    assert true_peak(out) <= -1.0
    assert result.loudness.integrated == pytest.approx(-16, abs=1)


def test_portrait_board_letterboxes_a_landscape_clip(tmp_path):
    out, _ = render(
        video(tmp_path / "wide.mp4", size="1280x720", seconds=1),
        "ebulletin-portrait",
        tmp_path,
    )
    assert "1080x1920 [SAR 1:1" in video_line(out)
    frame = frame_at(out, tmp_path)
    # 1080 * 720/1280 = 608 px of picture in the middle, black above and below.
    assert frame[:600].max() < 30 and frame[-600:].max() < 30


def test_source_without_sound_gives_video_without_audio_track(tmp_path):
    out, result = render(
        video(tmp_path / "mute.mp4", audio=False, seconds=1),
        "ebulletin-landscape",
        tmp_path,
    )
    assert not has_audio(out)
    assert result.loudness is None


def test_interlaced_source_comes_out_progressive(tmp_path):
    src = video(tmp_path / "cam.mp4", size="720x576", interlaced=True, seconds=1)
    out, _ = render(src, "ebulletin-landscape", tmp_path)
    line = video_line(out)
    assert "top first" not in line and "bottom first" not in line


@pytest.mark.parametrize("make_captions", [srt, vtt], ids=["srt", "webvtt"])
def test_captions_are_burned_into_board_video(tmp_path, make_captions):
    src = video(tmp_path / "clip.mp4", seconds=1, pattern="black")
    caps = make_captions(tmp_path / f"caps.{make_captions.__name__}")
    burned, _ = render(src, "ebulletin-landscape", tmp_path, captions_path=caps)
    frame = frame_at(burned, tmp_path)
    # White text with an outline in the bottom band of a black picture; the rest
    # of the picture stays black.
    assert (frame[850:] > 200).all(axis=2).sum() > 2000
    assert frame[:700].max() < 30


def test_unreadable_captions_fail_clearly(tmp_path):
    bad = tmp_path / "caps.srt"
    bad.write_bytes(b"\x00\x01 not captions at all \xff")
    with pytest.raises(RenderError) as exc:
        render(
            video(tmp_path / "v.mp4", seconds=1),
            "ebulletin-landscape",
            tmp_path,
            captions_path=bad,
        )
    assert exc.value.code == "bad_captions"


def test_web_video_is_at_most_720p_with_poster_and_webvtt_track(tmp_path):
    src = video(tmp_path / "hd.mp4", size="1920x1080", seconds=1.5)
    out, result = render(
        src, "web-video", tmp_path, captions_path=srt(tmp_path / "c.srt")
    )
    assert "1280x720" in video_line(out)
    poster = out.parent / result.extra["poster"]
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"
    track = (out.parent / result.extra["captions_vtt"]).read_text(encoding="utf-8")
    assert track.startswith("WEBVTT") and "Đường về xã Tân Phú" in track


def test_portrait_web_video_limits_its_shorter_side_to_720(tmp_path):
    src = video(tmp_path / "tall.mp4", size="1920x1080", seconds=1, rotate=90)
    out, _ = render(src, "web-video", tmp_path)
    assert "720x1280" in video_line(out)


def test_web_video_never_upscales(tmp_path):
    out, _ = render(
        video(tmp_path / "small.mp4", size="640x360", seconds=1), "web-video", tmp_path
    )
    assert "640x360" in video_line(out)


def test_audio_only_source_cannot_make_a_video(tmp_path):
    from tests.media import sine_wav

    wav = sine_wav(tmp_path / "a.wav", seconds=1)
    with pytest.raises(RenderError) as exc:
        render(wav, "ebulletin-landscape", tmp_path)
    assert exc.value.code == "no_video"


def test_board_video_with_speech_reaches_minus_16_lufs(tmp_path):
    from tests.media import ffmpeg

    from .samples import espeak_speech

    voice = espeak_speech(tmp_path / "voice.wav")
    src = tmp_path / "interview.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=7",
        "-i", str(voice), "-c:v", "libx264", "-preset", "ultrafast",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(src),
    )  # fmt: skip
    out, result = render(src, "ebulletin-landscape", tmp_path)
    assert pyloudnorm_lufs(out, tmp_path) == pytest.approx(-16, abs=1)
    assert true_peak(out) <= -1.0
    assert result.loudness.integrated == pytest.approx(-16, abs=0.6)


def test_speech_video_takes_three_reads_of_the_source_and_one_of_the_output(
    tmp_path, monkeypatch
):
    """Issue 9's video speed: the sound's analysis, the limiter estimate and the
    encode read the source; the output is read once, to measure its sound (AAC
    moves true peak). No sound-only correction pass for ordinary speech."""
    from media_pipeline import ffmpeg as ff
    from tests.media import ffmpeg

    from .samples import espeak_speech
    from .test_audio import counting_ffmpeg

    voice = espeak_speech(tmp_path / "voice.wav")
    src = tmp_path / "interview.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=7",
        "-i", str(voice), "-c:v", "libx264", "-preset", "ultrafast",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(src),
    )  # fmt: skip
    info = probe(src)
    # Without an ffprobe (the bundled build), ffmpeg probes the output too.
    probing = 0 if ff.ffprobe_binary() else 1
    exe, log = counting_ffmpeg(tmp_path / "bin")
    ff.ffmpeg_binary.cache_clear()
    monkeypatch.setenv("LOA_FFMPEG", str(exe))
    out = tmp_path / "board.mp4"
    try:
        [result] = render_all(
            Source(path=src, probe=info), [(get_profile("ebulletin-landscape"), out)]
        )
    finally:
        monkeypatch.delenv("LOA_FFMPEG")
        ff.ffmpeg_binary.cache_clear()
    reads = [line.split() for line in log.read_text().splitlines()]
    assert len([r for r in reads if str(src) in r]) <= 3, reads
    assert len([r for r in reads if str(out) in r]) <= 1 + probing, reads
    assert pyloudnorm_lufs(out, tmp_path) == pytest.approx(-16, abs=1)
    assert true_peak(out) <= -1.0
    assert result.loudness.integrated == pytest.approx(
        pyloudnorm_lufs(out, tmp_path), abs=0.3
    )


def test_board_video_whose_sound_cannot_reach_its_target_fails_with_the_figures(
    tmp_path,
):
    """As for sound renditions: after the corrections, a video whose sound is still
    off its loudness target fails the render instead of shipping."""
    from dataclasses import replace

    # −16 LUFS under a −20 dBTP ceiling: no sound is that loud with peaks that low.
    impossible = replace(
        get_profile("ebulletin-landscape"), true_peak_max=-20.0, true_peak_target=-20.5
    )
    src = video(tmp_path / "clip.mp4", seconds=2)
    with pytest.raises(RenderError) as exc:
        render_all(
            Source(path=src, probe=probe(src)), [(impossible, tmp_path / "out.mp4")]
        )
    assert exc.value.code == "loudness_missed"
    assert "ebulletin-landscape" in exc.value.detail and "-20" in exc.value.detail


def test_replacing_the_sound_copies_the_picture_and_normalises_the_new_sound(
    tmp_path,
):
    """The sound-only redo and the slideshow's narration share one run: the picture
    is copied packet for packet, the new sound reaches the profile's loudness, and
    the shorter of the two sets the length."""
    from media_pipeline.audio import Gain, analyse
    from media_pipeline.video import replace_sound

    from ..media import sine_wav

    p = get_profile("ebulletin-landscape")
    board, _ = render(video(tmp_path / "clip.mp4", seconds=3), p.name, tmp_path)
    quiet = sine_wav(tmp_path / "voice.wav", seconds=5, volume_db=-35)
    gain = Gain.from_measurement(p, analyse(quiet, [p], duration=5, timeout=60)[p.name])
    out = tmp_path / "resounded.mp4"

    replace_sound(p, gain, picture=board, sound=quiet, out=out, timeout=60)

    assert video_packets_md5(out) == video_packets_md5(board)
    assert abs(pyloudnorm_lufs(out, tmp_path) - p.loudness) <= p.loudness_tolerance
    assert true_peak(out) <= p.true_peak_max
    assert probe(out).duration == pytest.approx(probe(board).duration, abs=0.1)
    assert mp4_top_boxes(out).index("moov") < mp4_top_boxes(out).index("mdat")
