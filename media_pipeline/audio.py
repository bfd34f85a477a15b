"""Audio renditions: loudness-normalised, band-limited where the target needs it.

All audio profiles of one source are made from two decodes of it, however many
profiles there are: one analysis pass (asplit → each profile's filters → loudnorm
measuring), then one render pass with one output per profile using the first
pass's measurements (two-pass linear loudnorm).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from .ffmpeg import run_ffmpeg
from .profiles import Profile

# Silence over 1 s at either end is cut (leaving half a second).
_TRIM_START = "silenceremove=start_periods=1:start_duration=1:start_threshold=-50dB:start_silence=0.5"
_TRIM_BOTH = f"{_TRIM_START},areverse,{_TRIM_START},areverse"


def _pre_filters(p: Profile) -> list[str]:
    chain = []
    if p.trim_silence:
        chain.append(_TRIM_BOTH)
    if p.channels == 1:
        # Downmix before measuring, so loudness is that of what the horn will play.
        chain.append("aformat=channel_layouts=mono")
    chain.extend(p.filters)
    return chain


def _loudnorm(p: Profile, measured: dict | None, tag: str) -> str:
    tp = p.true_peak_target if p.true_peak_target is not None else p.true_peak_max
    args = f"loudnorm@{tag}=I={p.loudness}:TP={tp}:LRA={p.lra}"
    if measured is None:
        return args + ":print_format=json"
    return args + (
        f":measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
        f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
        f":offset={measured['target_offset']}:linear=true:print_format=json"
    )


def _graph(profiles: list[Profile], measured: dict[str, dict] | None) -> str:
    n = len(profiles)
    parts = [
        f"[0:a:0]asplit={n}" + "".join(f"[s{i}]" for i in range(n))
        if n > 1
        else "[0:a:0]anull[s0]"
    ]
    for i, p in enumerate(profiles):
        chain = _pre_filters(p)
        if p.loudness is not None:
            chain.append(
                _loudnorm(p, None if measured is None else measured[p.name], f"p{i}")
            )
        if measured is not None:
            fmt = "s16" if p.codec.startswith("pcm_s16") else None
            rate = p.sample_rate or 48000
            chain.append(
                f"aresample={rate}" + (f",aformat=sample_fmts={fmt}" if fmt else "")
            )
        parts.append(f"[s{i}]" + ",".join(chain or ["anull"]) + f"[o{i}]")
    return ";".join(parts)


_LOUDNORM_JSON_RE = re.compile(r"\[loudnorm@p(\d+) @ [^\]]+\]\s*(\{.*?\})", re.S)


def _parse_loudnorm(stderr: str, profiles: list[Profile]) -> dict[str, dict]:
    found = {}
    for m in _LOUDNORM_JSON_RE.finditer(stderr):
        found[profiles[int(m.group(1))].name] = json.loads(m.group(2))
    return found


def render_audio(
    source: Path,
    outputs: list[tuple[Profile, Path]],
    *,
    duration: float | None,
    timeout: float,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, dict]:
    """Render `outputs` ((profile, destination path) pairs) from `source`.

    Returns per-profile loudnorm figures from the render pass (what it measured at
    its input and what it aimed for). Callers measure the written files themselves.
    """
    profiles = [p for p, _path in outputs]
    loud = [p for p in profiles if p.loudness is not None]
    measured: dict[str, dict] = {}
    if loud:
        args = ["-i", str(source), "-filter_complex", _graph(loud, None)]
        for i in range(len(loud)):
            args += ["-map", f"[o{i}]", "-f", "null", "-"]
        half = (lambda f: on_progress(f * 0.5)) if on_progress else None
        res = run_ffmpeg(args, timeout=timeout, duration=duration, on_progress=half)
        measured = _parse_loudnorm(res.stderr, loud)
        # Silent input: loudnorm reports -inf; normalising silence is meaningless.
        for name, m in list(measured.items()):
            if m.get("input_i") in ("-inf", "inf") or m.get("input_thresh") in (
                "-inf",
                "inf",
            ):
                raise SilentInputError(name)

    args = ["-i", str(source), "-filter_complex", _graph(profiles, measured)]
    for i, p in enumerate(profiles):
        args += ["-map", f"[o{i}]", "-map_metadata", "-1", "-vn", "-c:a", p.codec]
        if p.bitrate and not p.codec.startswith("pcm_"):
            args += ["-b:a", p.bitrate]
        if p.channels:
            args += ["-ac", str(p.channels)]
        if p.sample_rate:
            args += ["-ar", str(p.sample_rate)]
        if p.codec == "libmp3lame":
            # No Xing/ID3 surprises for cheap IP receivers: plain CBR frames.
            args += ["-write_xing", "0", "-id3v2_version", "0"]
        args += ["-f", p.container, str(outputs[i][1])]
    rest = (
        (lambda f: on_progress(0.5 + f * 0.5))
        if (on_progress and loud)
        else on_progress
    )
    res = run_ffmpeg(args, timeout=timeout, duration=duration, on_progress=rest)
    return _parse_loudnorm(res.stderr, profiles)


class SilentInputError(ValueError):
    """The audio is digital silence: there is nothing to normalise or air."""


def waveform_peaks(path: Path, *, buckets: int, timeout: float) -> list[float]:
    """Peak amplitude (0..1) per bucket, for the web player's waveform.

    Decodes to 8 kHz mono and reads ffmpeg's stdout in chunks: memory stays small
    whatever the file's length.
    """
    import subprocess

    import numpy as np

    from .ffmpeg import ffmpeg_binary

    proc = subprocess.Popen(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            "8000",
            "-f",
            "s16le",
            "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    blocks: list[float] = []
    assert proc.stdout is not None
    # 0.05 s blocks, reduced to `buckets` at the end.
    block = 400 * 2
    for chunk in iter(lambda: proc.stdout.read(block * 64), b""):
        arr = np.frombuffer(chunk[: len(chunk) - len(chunk) % 2], dtype="<i2")
        for start in range(0, len(arr), 400):
            seg = arr[start : start + 400]
            if len(seg):
                blocks.append(float(np.abs(seg.astype(np.int32)).max()) / 32768.0)
    proc.wait(timeout=timeout)
    if not blocks:
        return []
    per = max(1, len(blocks) // buckets + (1 if len(blocks) % buckets else 0))
    return [round(max(blocks[i : i + per]), 3) for i in range(0, len(blocks), per)]
