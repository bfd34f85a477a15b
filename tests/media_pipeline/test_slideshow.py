"""Slideshows (moviepy): pictures → board MP4 with cross-fades, narration, caption."""

from __future__ import annotations

import pytest
from PIL import Image

from media_pipeline.pipeline import render_all
from media_pipeline.probe import probe
from media_pipeline.profiles import get_profile
from media_pipeline.source import Source
from tests.media import sine_wav

from .inspect import frame_at, has_audio, pyloudnorm_lufs, video_line


@pytest.fixture
def pictures(tmp_path):
    paths = []
    for i, colour in enumerate(["red", "green", "blue"]):
        p = tmp_path / f"slide{i}.png"
        Image.new("RGB", (800, 600) if i != 1 else (600, 900), colour).save(p)
        paths.append(p)
    return paths


def slideshow(settings, pictures, tmp_path, **source):
    base = get_profile("ebulletin-slideshow")
    settings.LOA_PROFILE_OVERRIDES = {
        "ebulletin-slideshow": {
            "options": {**base.options, "seconds_per_slide": 1.0, "crossfade": 0.4}
        }
    }
    p = get_profile("ebulletin-slideshow")
    out = tmp_path / "show.mp4"
    (result,) = render_all(
        Source(path=pictures[0], images=pictures, **source), [(p, out)]
    )
    return out, result


def test_slides_crossfade_into_a_board_mp4(settings, pictures, tmp_path):
    out, result = slideshow(settings, pictures, tmp_path)
    # 3 slides of 1 s overlapping by 0.4 s twice.
    assert probe(out).duration == pytest.approx(2.2, abs=0.1)
    line = video_line(out)
    assert "1920x1080 [SAR 1:1" in line and "h264 (High)" in line and "25 fps" in line
    assert not has_audio(out)
    assert result.extra["slides"] == 3
    mid_fade = frame_at(out, tmp_path, at=0.8)[540, 960]
    assert mid_fade[0] > 40 and mid_fade[1] > 40  # red and green mixed


def test_narration_is_normalised_and_caption_drawn(settings, pictures, tmp_path):
    narration = sine_wav(tmp_path / "voice.wav", seconds=3, volume_db=-30)
    out, _ = slideshow(
        settings,
        pictures,
        tmp_path,
        narration_path=narration,
        caption_text="Xã Tân Phú",
    )
    assert has_audio(out)
    assert probe(out).audio_codec == "aac"
    assert pyloudnorm_lufs(out, tmp_path) == pytest.approx(-16, abs=1)
    bottom = frame_at(out, tmp_path, at=0.2)[950:1030]
    assert (bottom > 200).all(axis=2).sum() > 500  # white caption letters
