"""Independent checks of rendered files: pyloudnorm (ITU-R BS.1770-4) for loudness,
ffmpeg's ebur128 for true peak, the H.264 bitstream and MP4 boxes for video."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile

from media_pipeline.ffmpeg import ffmpeg_binary


def _ffmpeg_stderr(*args: str) -> str:
    out = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostdin", *args],
        capture_output=True,
        check=False,
    )
    return out.stderr.decode("utf-8", "replace")


def pyloudnorm_lufs(path: Path, tmp: Path) -> float:
    """Integrated loudness by pyloudnorm, from a float WAV decode of `path`."""
    wav = tmp / f"{path.name}.meter.wav"
    subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-y", "-i", str(path), "-map", "0:a:0"]
        + ["-c:a", "pcm_f32le", str(wav)],
        check=True,
    )
    data, rate = soundfile.read(str(wav))
    return pyloudnorm.Meter(rate).integrated_loudness(data)


def true_peak(path: Path) -> float:
    text = _ffmpeg_stderr(
        "-i", str(path), "-map", "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-"
    )
    summary = text[text.rfind("Summary:") :]
    return float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))


def stream_lines(path: Path) -> list[str]:
    return [
        ln for ln in _ffmpeg_stderr("-i", str(path)).splitlines() if "Stream #" in ln
    ]


def video_line(path: Path) -> str:
    return next(ln for ln in stream_lines(path) if "Video:" in ln)


def video_packets_md5(path: Path) -> str:
    """MD5 of the video stream's packets as stored (no decode): equal for a copy."""
    out = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(path), "-map", "0:v:0"]
        + ["-c", "copy", "-f", "md5", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def has_audio(path: Path) -> bool:
    return any("Audio:" in ln for ln in stream_lines(path))


def h264_sps(path: Path) -> dict[str, int]:
    """profile_idc, level_idc, aspect_ratio_idc ... from the first SPS."""
    text = _ffmpeg_stderr(
        "-i",
        str(path),
        "-map",
        "0:v:0",
        "-c",
        "copy",
        "-frames:v",
        "1",
        "-bsf:v",
        "trace_headers",
        "-f",
        "null",
        "-",
    )
    fields = {}
    for m in re.finditer(r"\s(\w+)\s+[01]+ = (\d+)$", text, re.M):
        fields.setdefault(m.group(1), int(m.group(2)))
    return fields


def keyframes(path: Path) -> tuple[list[int], int]:
    """(indexes of key frames, number of frames), decoded."""
    text = _ffmpeg_stderr(
        "-i", str(path), "-map", "0:v:0", "-vf", "showinfo", "-f", "null", "-"
    )
    keys, count = [], 0
    for m in re.finditer(r"\bn:\s*(\d+).*?iskey:(\d)", text):
        count += 1
        if m.group(2) == "1":
            keys.append(int(m.group(1)))
    return keys, count


def mp4_top_boxes(path: Path) -> list[str]:
    boxes = []
    with open(path, "rb") as f:
        while header := f.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0]
                f.seek(size - 16, 1)
            else:
                f.seek(size - 8, 1)
            boxes.append(kind.decode("latin-1"))
            if size == 0:
                break
    return boxes


def frame_at(path: Path, tmp: Path, at: float = 0.5) -> np.ndarray:
    """One decoded frame as an RGB array."""
    from PIL import Image

    png = tmp / f"{path.stem}-{at}.png"
    subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-y", "-ss", str(at), "-i", str(path)]
        + ["-frames:v", "1", str(png)],
        check=True,
    )
    with Image.open(png) as img:
        return np.asarray(img.convert("RGB")).astype(int)
