"""Probing originals: container, streams, duration, rotation, interlacing, loudness.

Uses ffprobe's JSON when ffprobe exists, else parses `ffmpeg -i` (the pip-shipped
ffmpeg has no ffprobe). Both paths fill the same `ProbeResult`.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .ffmpeg import (
    FFmpegError,
    ffmpeg_binary,
    ffmpeg_capabilities,
    ffprobe_binary,
    run_ffmpeg,
)


class ProbeError(ValueError):
    """The file is not media ffmpeg can read. `code` picks the editor's message."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


@dataclass
class ProbeResult:
    container: str = ""
    duration: float | None = None
    bit_rate: int | None = None
    audio_codec: str = ""
    sample_rate: int | None = None
    channels: int | None = None
    video_codec: str = ""
    width: int | None = None
    height: int | None = None
    rotation: int = 0
    fps: float | None = None
    interlaced: bool | None = None
    has_cover_art: bool = False
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None
    loudness_range_lu: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)

    @property
    def has_video(self) -> bool:
        # Cover art (an attached picture) does not make an MP3 a video.
        return bool(self.video_codec)

    @property
    def media_type(self) -> str:
        return "video" if self.has_video else "audio"

    @property
    def display_size(self) -> tuple[int, int] | None:
        """Width and height as shown, after rotation metadata is applied."""
        if not (self.width and self.height):
            return None
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height

    def as_dict(self) -> dict:
        return asdict(self)


def probe(path: str | Path, *, timeout: float = 60) -> ProbeResult:
    """Read stream information from the header (no full decode)."""
    path = str(path)
    if Path(path).stat().st_size == 0:
        raise ProbeError("empty", "file is empty")
    if ffprobe_binary():
        result = _probe_ffprobe(path, timeout)
    else:
        result = _probe_ffmpeg(path, timeout)
    if not (result.has_audio or result.has_video):
        raise ProbeError("no_streams", "no audio or video stream found")
    if result.container == "wav":
        _check_wav_length(path)
    return result


def _check_wav_length(path: str) -> None:
    """ffmpeg quietly trusts the file size over a WAV header that promises more
    data than the file holds (truncated copy, or a lying header): refuse it."""
    import struct

    size = Path(path).stat().st_size
    with open(path, "rb") as f:
        if f.read(4) not in (b"RIFF", b"RIFX"):
            return  # RF64/W64: sizes live elsewhere
        f.seek(12)
        while header := f.read(8):
            if len(header) < 8:
                return
            kind, length = header[:4], struct.unpack("<I", header[4:])[0]
            if kind == b"data":
                # 0 and 0xFFFFFFFF mean "unknown" (written while streaming).
                available = size - f.tell()
                if length not in (0, 0xFFFFFFFF) and length > available:
                    raise ProbeError(
                        "truncated",
                        f"WAV header declares {length} bytes of audio, file has {available}",
                    )
                return
            f.seek(length + (length & 1), 1)


def _probe_ffprobe(path: str, timeout: float) -> ProbeResult:
    try:
        out = subprocess.run(
            [
                ffprobe_binary(),
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                path,
            ],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProbeError("timeout", "probe timed out") from exc
    if out.returncode != 0:
        raise ProbeError("unreadable", out.stderr.decode("utf-8", "replace")[-500:])
    data = json.loads(out.stdout or b"{}")
    fmt = data.get("format", {})
    r = ProbeResult(container=fmt.get("format_name", ""))
    r.duration = _float(fmt.get("duration"))
    r.bit_rate = _int(fmt.get("bit_rate"))
    for s in data.get("streams", []):
        kind = s.get("codec_type")
        if kind == "audio" and not r.audio_codec:
            r.audio_codec = s.get("codec_name", "")
            r.sample_rate = _int(s.get("sample_rate"))
            r.channels = _int(s.get("channels"))
        elif kind == "video":
            if s.get("disposition", {}).get("attached_pic"):
                r.has_cover_art = True
                continue
            if r.video_codec:
                continue
            r.video_codec = s.get("codec_name", "")
            r.width, r.height = _int(s.get("width")), _int(s.get("height"))
            r.fps = _rate(s.get("avg_frame_rate")) or _rate(s.get("r_frame_rate"))
            fo = s.get("field_order")
            r.interlaced = None if fo in (None, "unknown") else fo != "progressive"
            for sd in s.get("side_data_list", []):
                if "rotation" in sd:
                    r.rotation = int(round(-float(sd["rotation"]))) % 360
            if "rotate" in s.get("tags", {}):
                r.rotation = int(s["tags"]["rotate"]) % 360
    return r


_INPUT_RE = re.compile(r"^Input #0, (?P<fmt>[^,]+(?:,[^ ,]+)*), from ", re.M)
_DURATION_RE = re.compile(
    r"Duration: (?P<d>\d+:\d+:\d+(?:\.\d+)?|N/A)(?:, start: [-\d.]+)?, bitrate: (?P<br>\d+|N/A)"
)
_STREAM_RE = re.compile(
    r"^\s*Stream #0:\d+.*?: (?P<kind>Audio|Video|Subtitle|Data): (?P<rest>.*)$", re.M
)
_ROTATION_RE = re.compile(r"rotation of (?P<deg>-?[\d.]+) degrees")


def _probe_ffmpeg(path: str, timeout: float) -> ProbeResult:
    # `ffmpeg -i FILE` with no output exits 1 by design; what we want is on stderr.
    try:
        out = subprocess.run(
            [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", path],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProbeError("timeout", "probe timed out") from exc
    text = out.stderr.decode("utf-8", "replace")
    m = _INPUT_RE.search(text)
    if not m:
        raise ProbeError(
            "unreadable", text.strip().splitlines()[-1] if text.strip() else ""
        )
    r = ProbeResult(container=m.group("fmt"))
    dm = _DURATION_RE.search(text)
    if dm:
        if dm.group("d") != "N/A":
            h, mi, s = dm.group("d").split(":")
            r.duration = int(h) * 3600 + int(mi) * 60 + float(s)
        if dm.group("br") != "N/A":
            r.bit_rate = int(dm.group("br")) * 1000
    lines = text.splitlines()
    for i, line in enumerate(lines):
        sm = _STREAM_RE.match(line)
        if not sm:
            continue
        kind, rest = sm.group("kind"), sm.group("rest")
        if kind == "Audio" and not r.audio_codec:
            r.audio_codec = rest.split()[0].rstrip(",")
            hz = re.search(r"(\d+) Hz", rest)
            r.sample_rate = int(hz.group(1)) if hz else None
            r.channels = _channels(rest)
        elif kind == "Video":
            if "(attached pic)" in rest:
                r.has_cover_art = True
                continue
            if r.video_codec:
                continue
            r.video_codec = rest.split()[0].rstrip(",")
            size = re.search(r"(?<![\dx])(\d{2,5})x(\d{2,5})(?![\dx])", rest)
            if size:
                r.width, r.height = int(size.group(1)), int(size.group(2))
            fps = re.search(r"([\d.]+)(k?) fps", rest) or re.search(
                r"([\d.]+)(k?) tbr", rest
            )
            if fps:
                r.fps = float(fps.group(1)) * (1000 if fps.group(2) else 1)
            if (
                "top first" in rest
                or "bottom first" in rest
                or "top coded first" in rest
            ):
                r.interlaced = True
            elif "progressive" in rest:
                r.interlaced = False
            # Rotation is printed in the stream's side data, on the following lines.
            for follow in lines[i + 1 : i + 8]:
                if _STREAM_RE.match(follow):
                    break
                rm = _ROTATION_RE.search(follow)
                if rm:
                    r.rotation = int(round(-float(rm.group("deg")))) % 360
    return r


_CHANNEL_NAMES = {
    "mono": 1,
    "stereo": 2,
    "2.1": 3,
    "quad": 4,
    "5.0": 5,
    "5.1": 6,
    "7.1": 8,
}


def _channels(rest: str) -> int | None:
    for part in (p.strip() for p in rest.split(",")):
        base = part.split("(")[0]
        if base in _CHANNEL_NAMES:
            return _CHANNEL_NAMES[base]
        m = re.match(r"(\d+) channels", part)
        if m:
            return int(m.group(1))
    return None


_EBUR128_RE = {
    "i": re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS"),
    "lra": re.compile(r"LRA:\s+(-?[\d.]+) LU"),
    "tp": re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS"),
}


@dataclass
class Loudness:
    integrated: float | None
    true_peak: float | None
    lra: float | None


def measure_loudness(path: str | Path, *, timeout: float = 3600) -> Loudness:
    """Integrated loudness, loudness range (ITU-R BS.1770 / EBU R128) and true peak,
    measured by ffmpeg's ebur128 filter over the first audio stream."""
    try:
        res = run_ffmpeg(
            [
                "-i",
                str(path),
                "-map",
                "0:a:0",
                "-af",
                ffmpeg_capabilities().ebur128(),
                "-f",
                "null",
                "-",
            ],
            timeout=timeout,
        )
    except FFmpegError as exc:
        raise ProbeError("unreadable", str(exc)) from exc
    return loudness_from_log(res.stderr)


def loudness_from_log(stderr: str) -> Loudness:
    """The figures of the last ebur128 summary in an ffmpeg log."""
    summary = stderr[stderr.rfind("Summary:") :]
    vals = {}
    for key, rx in _EBUR128_RE.items():
        m = rx.search(summary)
        vals[key] = None if not m or m.group(1) == "-inf" else float(m.group(1))
    return Loudness(integrated=vals["i"], true_peak=vals["tp"], lra=vals["lra"])


_IDET_RE = re.compile(
    r"Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+)"
)


def detect_interlacing(path: str | Path, *, frames: int = 200, timeout: float = 120):
    """Interlaced or not, from ffmpeg's idet filter over the first `frames` frames
    (None when undecidable). For sources that do not flag their field order."""
    try:
        res = run_ffmpeg(
            ["-i", str(path), "-map", "0:v:0", "-frames:v", str(frames)]
            + ["-vf", "idet", "-an", "-f", "null", "-"],
            timeout=timeout,
        )
    except FFmpegError:
        return None
    found = _IDET_RE.findall(res.stderr)
    if not found:
        return None
    # ffmpeg may print an empty report for a first, discarded filter graph.
    m = found[-1]
    tff, bff, prog = (int(g) for g in m)
    if tff + bff + prog == 0:
        return None
    return (tff + bff) > prog


def _float(v) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _int(v) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _rate(v) -> float | None:
    if not v or v == "0/0":
        return None
    num, _, den = str(v).partition("/")
    try:
        return float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
