"""Audio renditions: loudness-normalised, band-limited where the target needs it.

All audio profiles of one source are made from two decodes of it, however many
profiles there are: one analysis pass (asplit → each profile's filters → ebur128
measuring), then one render pass with one output per profile.

The render pass applies the measured gain itself (a plain `volume`), then a
4×-oversampled look-ahead limiter when the gain would push peaks over the profile's
true-peak target. loudnorm's own linear mode silently falls back to dynamic mode in
exactly that case, which is how a −16 LUFS target came out at −17.5. The limiter
takes a little loudness off, so each output is measured and, if it missed the
target, re-rendered once or twice with the measured error corrected.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .ffmpeg import ffmpeg_capabilities, run_ffmpeg
from .probe import Loudness, measure_loudness
from .profiles import Profile

# Silence over 1 s at either end is cut, leaving half a second. Found by
# silencedetect in the analysis pass and cut with atrim in the render pass: no
# filter has to hold the whole recording in memory (areverse would).
SILENCE_DB = -50
SILENCE_MIN = 1.0
SILENCE_KEEP = 0.5
# Correction passes after the first render, when an output misses its target.
MAX_CORRECTIONS = 2


def pre_filters(p: Profile) -> list[str]:
    chain = []
    if p.channels == 1:
        # Downmix before measuring, so loudness is that of what the horn will play.
        chain.append("aformat=channel_layouts=mono")
    chain.extend(p.filters)
    return chain


def _tp_target(p: Profile) -> float:
    return p.true_peak_target if p.true_peak_target is not None else p.true_peak_max


@dataclass
class Gain:
    """What the render pass does to one profile's chain to reach its loudness."""

    gain_db: float
    limit_db: float | None  # None: peaks stay under the target without limiting
    trim: tuple[float, float | None] = (0.0, None)  # seconds kept: start, end
    # (gain, measured loudness) of the previous try, for the secant step.
    previous: tuple[float, float] | None = None

    @classmethod
    def from_measurement(cls, p: Profile, measured: dict) -> Gain:
        gain = p.loudness - float(measured["input_i"])
        peak_after = float(measured["input_tp"]) + gain
        limit = _tp_target(p)
        return cls(
            gain_db=gain,
            limit_db=limit if peak_after > limit else None,
            trim=measured.get("trim", (0.0, None)),
        )

    def trim_filters(self) -> list[str]:
        start, end = self.trim
        if not start and end is None:
            return []
        args = f"start={start:.3f}" + (f":end={end:.3f}" if end is not None else "")
        return [f"atrim={args}", "asetpts=PTS-STARTPTS"]

    def corrected(self, p: Profile, out: Loudness) -> Gain:
        """The next try after an output measured `out`. When the limiter works,
        loudness rises slower than gain (it takes the peaks back), so the step is
        divided by the slope seen so far: a secant step, 0.6 dB per dB to start."""
        err = p.loudness - out.integrated
        if self.previous is not None and self.gain_db != self.previous[0]:
            slope = (out.integrated - self.previous[1]) / (
                self.gain_db - self.previous[0]
            )
        else:
            slope = 0.6 if self.limit_db is not None else 1.0
        step = max(-6.0, min(6.0, err / min(1.0, max(0.2, slope))))
        limit = self.limit_db
        if out.true_peak is not None and out.true_peak > p.true_peak_max:
            # The encoder overshot: pull the limiter down by the overshoot.
            base = limit if limit is not None else _tp_target(p)
            limit = base - (out.true_peak - _tp_target(p)) - 0.2
        elif limit is None and out.true_peak is not None:
            if out.true_peak + step > _tp_target(p):
                limit = _tp_target(p)
        return Gain(
            gain_db=self.gain_db + step,
            limit_db=limit,
            trim=self.trim,
            previous=(self.gain_db, out.integrated),
        )


def gain_chain(p: Profile, gain: Gain, *, rate: int) -> list[str]:
    """volume, then (if needed) a true-peak limiter run at 4× the output rate so
    peaks between samples are caught too."""
    chain = [f"volume={gain.gain_db:.3f}dB"]
    if gain.limit_db is not None:
        # Without `latency` (ffmpeg 4.4) the sound is 2 ms late: harmless for air.
        latency = ":latency=true" if ffmpeg_capabilities().alimiter_latency else ""
        limit = 10 ** (gain.limit_db / 20)
        chain += [
            f"aresample={rate * 4}",
            f"alimiter=limit={limit:.5f}:attack=2:release=60:level=false{latency}",
        ]
    return chain


def in_tolerance(p: Profile, out: Loudness) -> bool:
    if out.integrated is None:
        return False
    # A margin inside the tolerance, so an independent meter agrees with ours.
    ok = abs(out.integrated - p.loudness) <= p.loudness_tolerance * 0.6
    if p.true_peak_max is not None and out.true_peak is not None:
        ok = ok and out.true_peak <= p.true_peak_max
    return ok


# The graphs are written by hand, not with ffmpeg-python: each meter is read back
# from stderr by its instance label ("ebur128@p0"), which ffmpeg-python cannot give
# a filter (it names filters itself, "Parsed_ebur128_3", in an order of its own).
def _analysis_graph(profiles: list[Profile]) -> str:
    n = len(profiles)
    parts = [_split(n)]
    caps = ffmpeg_capabilities()
    # Silence is detected once, on the first trimming profile's chain, and every
    # trimming profile cuts that span: ffmpeg before 6 prints silencedetect's lines
    # without the instance label, so two detectors could not be told apart.
    trimming = [i for i, p in enumerate(profiles) if p.trim_silence][:1]
    for i, p in enumerate(profiles):
        detect = []
        if i in trimming:
            detect = [f"silencedetect=n={SILENCE_DB}dB:d={SILENCE_MIN}"]
        # ebur128 measures (BS.1770 with 4× oversampled true peak) without
        # loudnorm's costly dynamic processing, which a first pass throws away.
        meter = caps.ebur128(label=f"p{i}")
        parts.append(
            f"[s{i}]" + ",".join(detect + pre_filters(p) + [meter]) + f"[o{i}]"
        )
    return ";".join(parts)


def _render_graph(profiles: list[Profile], gains: list[Gain]) -> str:
    parts = [_split(len(profiles))]
    for i, (p, g) in enumerate(zip(profiles, gains, strict=True)):
        rate = p.sample_rate or 48000
        chain = g.trim_filters() + pre_filters(p)
        if p.loudness is not None:
            chain += gain_chain(p, g, rate=rate)
        chain.append(f"aresample={rate}")
        if p.codec.startswith("pcm_s16"):
            chain.append("aformat=sample_fmts=s16")
        parts.append(f"[s{i}]" + ",".join(chain) + f"[o{i}]")
    return ";".join(parts)


def _split(n: int) -> str:
    if n == 1:
        return "[0:a:0]anull[s0]"
    return f"[0:a:0]asplit={n}" + "".join(f"[s{i}]" for i in range(n))


_SUMMARY_HEAD_RE = re.compile(r"\[ebur128@p(\d+) @ [^\]]+\] Summary:")
_SUMMARY_FIELDS = {
    "input_i": re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS"),
    "input_lra": re.compile(r"LRA:\s+(-?[\d.]+) LU"),
    "input_tp": re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS"),
}


def _parse_summaries(stderr: str, profiles: list[Profile]) -> dict[str, dict]:
    """Each meter's summary runs from its header to the next meter's. ebur128 prints
    it in several log calls, so other threads' lines (muxer statistics) can land
    inside it: the block is not cut at the first foreign line."""
    heads = list(_SUMMARY_HEAD_RE.finditer(stderr))
    found = {}
    for k, head in enumerate(heads):
        end = heads[k + 1].start() if k + 1 < len(heads) else len(stderr)
        block = stderr[head.end() : end]
        values = {}
        for key, rx in _SUMMARY_FIELDS.items():
            v = rx.search(block)
            values[key] = float(v.group(1)) if v else float("-inf")
        found[profiles[int(head.group(1))].name] = values
    return found


# The detector's log prefix differs by version: "[silencedetect @ 0x…]" (5.1),
# "[Parsed_silencedetect_1 @ 0x…]" (7+).
_SILENCE_RE = re.compile(
    r"\[[^\]]*silencedetect[^\]]* @ [^\]]+\] silence_(start|end): (-?[\d.]+)"
)


def _parse_trims(
    stderr: str, profiles: list[Profile], duration: float | None
) -> dict[str, tuple[float, float | None]]:
    """(start, end) to keep for each trimming profile: silences over SILENCE_MIN
    touching either end of the recording, cut down to SILENCE_KEEP."""
    runs: list[list[float | None]] = []
    for m in _SILENCE_RE.finditer(stderr):
        kind, t = m.group(1), float(m.group(2))
        if kind == "start":
            runs.append([t, None])
        elif runs:
            runs[-1][1] = t
    start, end = 0.0, None
    if runs and runs[0][0] <= 0.05 and runs[0][1] is not None:
        start = max(0.0, runs[0][1] - SILENCE_KEEP)
    if runs:
        s0, e0 = runs[-1]
        at_end = e0 is None or (duration is not None and e0 >= duration - 0.05)
        if at_end and s0 > start:
            end = s0 + SILENCE_KEEP
    return {p.name: (start, end) for p in profiles if p.trim_silence}


def analyse(
    source: Path,
    profiles: list[Profile],
    *,
    duration: float | None,
    timeout: float,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, dict]:
    """One decode of `source`: loudness and true peak after each profile's own
    filters (band-limiting, compression, trimming), by profile name."""
    args = ["-i", str(source), "-vn", "-filter_complex", _analysis_graph(profiles)]
    for i in range(len(profiles)):
        args += ["-map", f"[o{i}]", "-f", "null", "-"]
    res = run_ffmpeg(args, timeout=timeout, duration=duration, on_progress=on_progress)
    measured = _parse_summaries(res.stderr, profiles)
    for name, trim in _parse_trims(res.stderr, profiles, duration).items():
        if name in measured:
            measured[name]["trim"] = trim
    for p in profiles:
        m = measured.get(p.name)
        # Digital silence measures -70 LUFS (the absolute gate) or -inf: there is
        # nothing to normalise.
        if m is None or m["input_i"] <= -69.9 or m["input_tp"] == float("-inf"):
            raise SilentInputError(p.name)
    return measured


def _encode_args(p: Profile, label: str, out: Path) -> list[str]:
    args = ["-map", label, "-map_metadata", "-1", "-vn", "-c:a", p.codec]
    if p.bitrate and not p.codec.startswith("pcm_"):
        args += ["-b:a", p.bitrate]
    if p.channels:
        args += ["-ac", str(p.channels)]
    if p.sample_rate:
        args += ["-ar", str(p.sample_rate)]
    if p.codec == "libmp3lame":
        # No Xing/ID3 surprises for cheap IP receivers: plain CBR frames.
        args += ["-write_xing", "0", "-id3v2_version", "0"]
    return args + ["-f", p.container, str(out)]


def render_audio(
    source: Path,
    outputs: list[tuple[Profile, Path]],
    *,
    duration: float | None,
    timeout: float,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, Loudness]:
    """Render `outputs` ((profile, destination path) pairs) from `source`.

    Returns the loudness each written file measured (ffmpeg ebur128, true peak).
    """
    profiles = [p for p, _path in outputs]
    paths = {p.name: path for p, path in outputs}
    loud = [p for p in profiles if p.loudness is not None]

    def part(start: float, span: float):
        return (lambda f: on_progress(start + f * span)) if on_progress else None

    gains: dict[str, Gain] = {}
    if loud:
        measured = analyse(
            source, loud, duration=duration, timeout=timeout, on_progress=part(0, 0.4)
        )
        gains = {p.name: Gain.from_measurement(p, measured[p.name]) for p in loud}
    results: dict[str, Loudness] = {}
    todo = profiles
    for attempt in range(1 + MAX_CORRECTIONS):
        span = 0.5 if attempt == 0 else 0.1 / MAX_CORRECTIONS
        start = 0.4 if attempt == 0 else 0.9 + (attempt - 1) * span
        graph = _render_graph(todo, [gains.get(p.name, Gain(0, None)) for p in todo])
        args = ["-i", str(source), "-filter_complex", graph]
        for i, p in enumerate(todo):
            args += _encode_args(p, f"[o{i}]", paths[p.name])
        run_ffmpeg(
            args, timeout=timeout, duration=duration, on_progress=part(start, span)
        )
        retry = []
        results.update(_measure_all([paths[p.name] for p in todo], todo, timeout))
        for p in todo:
            if p.loudness is not None and not in_tolerance(p, results[p.name]):
                if results[p.name].integrated is None:
                    raise SilentInputError(p.name)
                gains[p.name] = gains[p.name].corrected(p, results[p.name])
                retry.append(p)
        if not retry:
            break
        todo = retry
    return results


def _measure_all(
    paths: list[Path], profiles: list[Profile], timeout: float
) -> dict[str, Loudness]:
    """Measure the written files side by side: each ffmpeg meter is one thread, and
    the machine has more than one core."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(
        max_workers=max(1, min(len(paths), os.cpu_count() or 1))
    ) as pool:
        found = pool.map(lambda path: measure_loudness(path, timeout=timeout), paths)
        return {p.name: loud for p, loud in zip(profiles, found, strict=True)}


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
    # 0.05 s blocks (400 samples), reduced to `buckets` at the end.
    for chunk in iter(lambda: proc.stdout.read(800 * 64), b""):
        arr = np.frombuffer(chunk[: len(chunk) - len(chunk) % 2], dtype="<i2")
        usable = len(arr) - len(arr) % 400
        if usable:
            per_block = np.abs(arr[:usable].astype(np.int32)).reshape(-1, 400).max(1)
            blocks.extend((per_block / 32768.0).tolist())
        if usable < len(arr):
            blocks.append(float(np.abs(arr[usable:].astype(np.int32)).max()) / 32768.0)
    proc.wait(timeout=timeout)
    if not blocks:
        return []
    per = max(1, len(blocks) // buckets + (1 if len(blocks) % buckets else 0))
    return [round(max(blocks[i : i + per]), 3) for i in range(0, len(blocks), per)]
