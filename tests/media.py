"""Test media made on the spot with ffmpeg's lavfi sources and Pillow."""

from __future__ import annotations

import subprocess
from pathlib import Path

from media_pipeline.ffmpeg import ffmpeg_binary


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", "-v", "error", *args],
        check=True,
    )


def rotate_copy(src: Path, dst: Path, degrees: int) -> Path:
    """A stream copy of `src` that players turn by `degrees` (counter-clockwise, as
    a phone records it). ffmpeg 6+ sets the display matrix with -display_rotation;
    older builds turn the legacy `rotate` tag (clockwise) into the same matrix."""
    help_text = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-h", "full"], capture_output=True, text=True
    ).stdout
    if "-display_rotation" in help_text:
        ffmpeg(
            "-display_rotation", str(degrees), "-i", str(src), "-c", "copy", str(dst)
        )
    else:
        tag = f"rotate={(-degrees) % 360}"
        ffmpeg("-i", str(src), "-c", "copy", "-metadata:s:v:0", tag, str(dst))
    return dst


def sine_wav(
    path: Path,
    *,
    seconds: float = 2.0,
    freq: int = 1000,
    rate: int = 48000,
    channels: int = 2,
    volume_db: float = -20.0,
    silence_head: float = 0.0,
    silence_tail: float = 0.0,
) -> Path:
    """A sine tone, optionally with silence before and after."""
    layout = "stereo" if channels == 2 else "mono"
    filt = f"volume={volume_db}dB,aformat=channel_layouts={layout}"
    if silence_head or silence_tail:
        filt += f",adelay={int(silence_head * 1000)}:all=1,apad=pad_dur={silence_tail}"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency={freq}:duration={seconds}:sample_rate={rate}",
        "-af",
        filt,
        "-ar",
        str(rate),
        str(path),
    )
    return path


def speechlike_wav(path: Path, *, seconds: float = 3.0, rate: int = 48000) -> Path:
    """Amplitude-modulated pink noise: speech-like level changes without espeak."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"anoisesrc=color=pink:duration={seconds}:sample_rate={rate}:amplitude=0.3:seed=111",
        "-af",
        "apulsator=hz=3:amount=0.8,aformat=channel_layouts=stereo",
        str(path),
    )
    return path


def mp3_with_cover(path: Path, tmp: Path) -> Path:
    wav = sine_wav(tmp / "cover-src.wav", seconds=1.5)
    jpg = tmp / "cover.jpg"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=300x300:d=1", "-frames:v", "1", str(jpg))
    ffmpeg(
        "-i",
        str(wav),
        "-i",
        str(jpg),
        "-map",
        "0:a",
        "-map",
        "1:v",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "64k",
        "-c:v",
        "mjpeg",
        "-disposition:v",
        "attached_pic",
        "-id3v2_version",
        "3",
        str(path),
    )
    return path


def test_video(
    path: Path,
    *,
    seconds: float = 2.0,
    size: str = "640x360",
    rotate: int | None = None,
    audio: bool = True,
) -> Path:
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}"]
    if audio:
        args += [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}:sample_rate=48000",
        ]
    args += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast"]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    ffmpeg(*args, str(path))
    if rotate is not None:
        rotated = path.with_name(path.stem + f"-rot{rotate}" + path.suffix)
        return rotate_copy(path, rotated, rotate)
    return path
