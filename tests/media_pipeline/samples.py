"""Test media for the pipeline, made on the spot (lavfi, espeak-ng, Pillow)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.media import ffmpeg, rotate_copy

VIETNAMESE_SENTENCE = (
    "Thông báo của ủy ban nhân dân xã Tân Phú về việc phòng chống dịch bệnh "
    "và bảo vệ môi trường trong mùa mưa năm nay."
)


def espeak_speech(path: Path) -> Path:
    """Synthetic Vietnamese speech (peaky, like a raw voice recording)."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not exe:
        pytest.skip("espeak-ng is not installed")
    subprocess.run(
        [exe, "-v", "vi", "-s", "150", "-w", str(path), VIETNAMESE_SENTENCE], check=True
    )
    return path


def plosive_speech(path: Path, *, seconds: float = 3.0) -> Path:
    """Pulsed pink noise with short full-scale spikes: about 20 dB between peak and
    loudness, so gain to the target needs limiting (loudnorm's linear-mode trap)."""
    ffmpeg(
        "-f", "lavfi", "-i",
        f"anoisesrc=color=pink:duration={seconds}:sample_rate=48000:amplitude=0.12:seed=20230403",
        "-f", "lavfi", "-i",
        f"anoisesrc=color=white:duration={seconds}:sample_rate=48000:amplitude=0.95:seed=1079",
        "-filter_complex",
        "[0]apulsator=hz=4:amount=0.9[a];"
        "[1]volume='if(lt(mod(t,0.37),0.004),1,0)':eval=frame[b];"
        "[a][b]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo",
        "-ar", "48000", str(path),
    )  # fmt: skip
    return path


def video(
    path: Path,
    *,
    seconds: float = 2.0,
    size: str = "640x360",
    rate: int = 25,
    audio: bool = True,
    interlaced: bool = False,
    rotate: int | None = None,
    pattern: str = "testsrc2",
) -> Path:
    pic_rate = rate * 2 if interlaced else rate
    picture = f"testsrc2=size={size}:rate={pic_rate}:duration={seconds}"
    if pattern == "black":
        picture = f"color=c=black:size={size}:rate={pic_rate}:duration={seconds}"
    args = ["-f", "lavfi", "-i", picture]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if interlaced:
        # Two progressive pictures woven into one top-field-first frame.
        args += ["-vf", "tinterlace=mode=interleave_top,setfield=tff"]
        args += ["-flags", "+ilme+ildct", "-x264-params", "interlaced=1:tff=1"]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    ffmpeg(*args, str(path))
    if rotate is None:
        return path
    rotated = path.with_name(f"{path.stem}-rot{rotate}{path.suffix}")
    return rotate_copy(path, rotated, rotate)


def srt(path: Path, text: str = "Đường về xã Tân Phú hôm nay") -> Path:
    path.write_text(f"1\n00:00:00,000 --> 00:00:05,000\n{text}\n\n", encoding="utf-8")
    return path


def vtt(path: Path, text: str = "Đường về xã Tân Phú hôm nay") -> Path:
    path.write_text(f"WEBVTT\n\n00:00.000 --> 00:05.000\n{text}\n\n", encoding="utf-8")
    return path
