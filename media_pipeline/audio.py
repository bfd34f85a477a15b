"""Audio renditions: loudness-normalised, band-limited where the target needs it.

All audio profiles of one source are made from two decodes of it, however many
profiles there are: one analysis pass (asplit → each profile's filters → ebur128
measuring), then one render pass with one output per profile.

The render pass applies the measured gain itself (a plain `volume`), then an
oversampled look-ahead limiter when the gain would push peaks over the profile's
true-peak target. loudnorm's own linear mode silently falls back to dynamic mode in
exactly that case, which is how a −16 LUFS target came out at −17.5.

Oversampling (to see the peaks between samples) is the costliest work here, so it
is spent where it decides a figure: a true-peak meter in the analysis only on a
chain a PCM output reads, the sample peak elsewhere (lossy outputs are measured
once written); limiters at 4× the rate for PCM, 2× for lossy outputs.

The limiter takes some loudness off (1–2 dB on peaky speech). Between the two
passes, a short run over excerpts of the source (`estimate_limiter_loss`) tries a
few gains through the same limiter and picks the one that lands on the target.
A WAV output is measured inside the render run, by a meter on a branch of exactly
what goes to its encoder (or, made by a plain gain, known from the analysis), so
it is never decoded again; MP3s are measured once written, as their encoder moves
true peak. Only an output that still missed its target is re-rendered, with the
measured error corrected.

Every graph here is written by hand, not with ffmpeg-python (which the design
names): each meter is read back from stderr by its instance label ("ebur128@p0"),
which ffmpeg-python cannot give a filter (it names filters itself,
"Parsed_ebur128_3", in an order of its own), and the profiles' filters are data,
strings ffmpeg-python would have to take apart only to escape and join again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

from .ffmpeg import FFmpegError, ffmpeg_capabilities, run_ffmpeg
from .probe import Loudness, ProbeError, loudness_from_log, measure_loudness
from .profiles import Profile
from .source import RenderError

# Silence over 1 s at either end is cut, leaving half a second. Found by
# silencedetect in the analysis pass and cut with atrim in the render pass: no
# filter has to hold the whole recording in memory (areverse would).
SILENCE_DB = -50
SILENCE_MIN = 1.0
SILENCE_KEEP = 0.5
# Correction passes after the first render, when an output misses its target.
MAX_CORRECTIONS = 2
# The limiter estimate reads EXCERPTS excerpts of EXCERPT_SECONDS spread over the
# source (all of a short one), at gains raised by each of GAIN_STEPS dB.
EXCERPTS = 12
EXCERPT_SECONDS = 2.0
GAIN_STEPS = (0.0, 2.0, 4.0)
# On speech the true peak is rarely more than this over the sample peak at 44.1 or
# 48 kHz: a limiter is planned when the sample peak comes within it of the target.
SAMPLE_PEAK_MARGIN = 0.5


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
        peak_after = _peak(measured) + gain
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
        divided by the slope seen so far: a secant step, 0.6 dB per dB to start.
        A step may be 12 dB: at 6, a spiky recording still 4 LU short after the
        last pass was shipped that way (before failing was the rule)."""
        err = p.loudness - out.integrated
        if self.previous is not None and self.gain_db != self.previous[0]:
            slope = (out.integrated - self.previous[1]) / (
                self.gain_db - self.previous[0]
            )
        else:
            slope = 0.6 if self.limit_db is not None else 1.0
        step = max(-12.0, min(12.0, err / min(1.0, max(0.2, slope))))
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


def _peak(measured: dict) -> float:
    """The true peak if it was measured, else the sample peak plus the margin the
    true peak may lie above it."""
    if "input_tp" in measured:
        return float(measured["input_tp"])
    return float(measured["input_sp"]) + SAMPLE_PEAK_MARGIN


def gain_chain(p: Profile, gain: Gain, *, rate: int) -> list[str]:
    """volume, then (if needed) a limiter run at a multiple of the output rate so
    peaks between samples are caught too: 4× for PCM, whose file is the limiter's
    output; 2× for a lossy output, whose encoder moves true peak by more than 2×
    misses (about 0.3 dB at 7 kHz), and whose written file is measured."""
    chain = [f"volume={gain.gain_db:.3f}dB"]
    if gain.limit_db is not None:
        # Without `latency` (ffmpeg 4.4) the sound is 2 ms late: harmless for air.
        latency = ":latency=true" if ffmpeg_capabilities().alimiter_latency else ""
        # alimiter takes a limit from 1/16 to 1 (−24 to 0 dB); a correction that
        # would go past it leaves the output off target, and that fails the render.
        limit = 10 ** (max(-24.0, min(0.0, gain.limit_db)) / 20)
        chain += [
            f"aresample={rate * (2 if _lossy(p) else 4)}",
            f"alimiter=limit={limit:.5f}:attack=2:release=60:level=false{latency}",
        ]
    return chain


def in_tolerance(p: Profile, out: Loudness, *, share: float = 0.6) -> bool:
    """Whether a render hit its aim: by default inside 60 % of the tolerance, a
    margin so that an independent meter agrees with ours."""
    if out.integrated is None:
        return False
    ok = abs(out.integrated - p.loudness) <= p.loudness_tolerance * share
    if p.true_peak_max is not None and out.true_peak is not None:
        ok = ok and out.true_peak <= p.true_peak_max
    return ok


def meets_target(p: Profile, out: Loudness) -> bool:
    """Whether a written file may be kept: loudness within the profile's whole
    tolerance, true peak under its ceiling (what the renders aim well inside)."""
    return in_tolerance(p, out, share=1.0)


def loudness_missed(p: Profile, out: Loudness, passes: int) -> RenderError:
    """The error for an output still off its target after every correction: the job
    fails with the figures rather than ship a file stations would air too loud or
    too quiet."""
    tp = f"{out.true_peak:.1f}" if out.true_peak is not None else "?"
    ceiling = f", true peak ≤ {p.true_peak_max:g} dBTP" if p.true_peak_max else ""
    return RenderError(
        "loudness_missed",
        f"{p.name}: {out.integrated:.1f} LUFS, true peak {tp} dBTP after {passes} "
        f"passes; target {p.loudness:g} ± {p.loudness_tolerance:g} LUFS{ceiling}",
    )


def _analysis_chains(profiles: list[Profile]) -> tuple[list[list[str]], list[int]]:
    """The distinct filter chains to measure, and which one each profile reads.
    Profiles with the same filters (district FM and web: none) share one meter:
    each true-peak meter oversamples 4×, the costliest part of the pass."""
    # Silence is detected once, on the first trimming profile's chain, and every
    # trimming profile cuts that span: ffmpeg before 6 prints silencedetect's lines
    # without the instance label, so two detectors could not be told apart.
    trimming = [i for i, p in enumerate(profiles) if p.trim_silence][:1]
    chains: list[list[str]] = []
    reads: list[int] = []
    for i, p in enumerate(profiles):
        detect = []
        if i in trimming:
            detect = [f"silencedetect=n={SILENCE_DB}dB:d={SILENCE_MIN}"]
        chain = detect + pre_filters(p)
        if chain not in chains:
            chains.append(chain)
        reads.append(chains.index(chain))
    return chains, reads


def _analysis_peaks(profiles: list[Profile], reads: list[int]) -> list[str]:
    """The peak each analysis chain measures: "true" where a PCM output reads it
    (made by a plain gain, its figures come from here), "sample" where only lossy
    outputs do (enough to plan their limiters; their files are measured)."""
    peaks = ["sample"] * (max(reads) + 1 if reads else 0)
    for p, k in zip(profiles, reads, strict=True):
        if not _lossy(p):
            peaks[k] = "true"
    return peaks


def _analysis_graph(chains: list[list[str]], peaks: list[str]) -> str:
    parts = [_split(len(chains))]
    caps = ffmpeg_capabilities()
    for k, chain in enumerate(chains):
        # ebur128 measures (BS.1770) without loudnorm's costly dynamic processing,
        # which a first pass throws away.
        meter = caps.ebur128(label=f"p{k}", peak=peaks[k])
        parts.append(f"[s{k}]" + ",".join(chain + [meter]) + f"[o{k}]")
    return ";".join(parts)


def _lossy(p: Profile) -> bool:
    """A lossy encoder moves loudness (MP3 at 64–128k: about −0.4 LU) and true peak
    (+1.5 dB on spiky speech): those files are measured once written."""
    return p.loudness is not None and not p.codec.startswith("pcm_")


def _linear(p: Profile, g: Gain) -> bool:
    """PCM made by a plain gain (no limiter, nothing trimmed) is the analysed
    signal shifted by that gain: its loudness and true peak are known."""
    return (
        p.loudness is not None
        and not _lossy(p)
        and g.limit_db is None
        and g.trim_filters() == []
    )


def _metered_in_graph(p: Profile, g: Gain) -> bool:
    """Other PCM is written as the filters leave it, so a meter inside the render
    run measures the file."""
    return p.loudness is not None and not _lossy(p) and not _linear(p, g)


def _render_graph(profiles: list[Profile], gains: list[Gain]) -> str:
    """One output [o<i>] per profile; a PCM profile with a loudness target also gets
    a meter [m<i>] on a copy of exactly what its encoder is given."""
    parts = [_split(len(profiles))]
    caps = ffmpeg_capabilities()
    for i, (p, g) in enumerate(zip(profiles, gains, strict=True)):
        rate = p.sample_rate or 48000
        chain = g.trim_filters() + pre_filters(p)
        if p.loudness is not None:
            chain += gain_chain(p, g, rate=rate)
        chain.append(f"aresample={rate}")
        if p.codec.startswith("pcm_s16"):
            chain.append("aformat=sample_fmts=s16")
        if not _metered_in_graph(p, g):
            parts.append(f"[s{i}]" + ",".join(chain) + f"[o{i}]")
            continue
        parts.append(f"[s{i}]" + ",".join(chain) + f",asplit=2[o{i}][t{i}]")
        parts.append(f"[t{i}]{caps.ebur128(label=f'p{i}')}[m{i}]")
    return ";".join(parts)


def _split(n: int) -> str:
    if n == 1:
        return "[0:a:0]anull[s0]"
    return f"[0:a:0]asplit={n}" + "".join(f"[s{i}]" for i in range(n))


# A labelled meter's lines start "[ebur128@p0 @ 0x…]" (5.1, 7+) or "[p0 @ 0x…]" (6.0).
_SUMMARY_HEAD_RE = re.compile(r"\[(?:ebur128@)?(\w+) @ (?:0x)?[0-9a-f]+\] Summary:")
_SUMMARY_FIELDS = {
    "input_i": re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS"),
    "input_lra": re.compile(r"LRA:\s+(-?[\d.]+) LU"),
    "input_tp": re.compile(r"True peak:.*?Peak:\s+(-?[\d.]+|-inf) dBFS", re.S),
}
# Read only from a meter that measured it (peak=sample), never filled in as -inf.
_SAMPLE_PEAK_RE = re.compile(r"Sample peak:.*?Peak:\s+(-?[\d.]+|-inf) dBFS", re.S)


def _parse_meters(stderr: str) -> dict[str, dict]:
    """Each meter's summary by its label. A summary runs from its header to the next
    meter's: ebur128 prints it in several log calls, so other threads' lines (muxer
    statistics) can land inside it, and the block is not cut at a foreign line."""
    heads = list(_SUMMARY_HEAD_RE.finditer(stderr))
    found = {}
    for k, head in enumerate(heads):
        end = heads[k + 1].start() if k + 1 < len(heads) else len(stderr)
        block = stderr[head.end() : end]
        values = {}
        sample = _SAMPLE_PEAK_RE.search(block)
        for key, rx in _SUMMARY_FIELDS.items():
            v = rx.search(block)
            if v is None and key == "input_tp" and sample is not None:
                continue  # a sample-peak meter: no true peak to report
            values[key] = float(v.group(1)) if v else float("-inf")
        if sample is not None:
            values["input_sp"] = float(sample.group(1))
        found[head.group(1)] = values
    return found


def _parse_summaries(stderr: str, profiles: list[Profile]) -> dict[str, dict]:
    """The meters labelled p<i>, by the name of profiles[i]."""
    meters = _parse_meters(stderr)
    return {
        p.name: meters[f"p{i}"] for i, p in enumerate(profiles) if f"p{i}" in meters
    }


def _loudness(values: dict) -> Loudness:
    def finite(v: float) -> float | None:
        return None if v == float("-inf") else v

    return Loudness(
        integrated=finite(values["input_i"]),
        true_peak=finite(values["input_tp"]),
        lra=finite(values["input_lra"]),
    )


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
    """One decode of `source`: loudness and peak after each profile's own filters
    (band-limiting, compression, trimming), by profile name. The peak is the true
    peak ("input_tp") for a PCM profile, the sample peak ("input_sp") for a lossy
    one (see `_analysis_peaks`)."""
    chains, reads = _analysis_chains(profiles)
    graph = _analysis_graph(chains, _analysis_peaks(profiles, reads))
    args = ["-i", str(source), "-vn", "-filter_complex", graph]
    for k in range(len(chains)):
        args += ["-map", f"[o{k}]", "-f", "null", "-"]
    res = run_ffmpeg(args, timeout=timeout, duration=duration, on_progress=on_progress)
    meters = _parse_meters(res.stderr)
    measured = {
        p.name: dict(meters[f"p{k}"])
        for p, k in zip(profiles, reads, strict=True)
        if f"p{k}" in meters
    }
    for name, trim in _parse_trims(res.stderr, profiles, duration).items():
        if name in measured:
            measured[name]["trim"] = trim
    for p in profiles:
        m = measured.get(p.name)
        # Digital silence measures -70 LUFS (the absolute gate) or -inf: there is
        # nothing to normalise.
        if m is None or m["input_i"] <= -69.9 or _peak(m) == float("-inf"):
            raise SilentInputError(p.name)
    return measured


def _excerpts(duration: float | None) -> str:
    """An aselect keeping EXCERPTS short spans spread over the source, or nothing
    for a source short enough to read whole."""
    if not duration or duration <= EXCERPTS * EXCERPT_SECONDS * 1.5:
        return ""
    period = duration / EXCERPTS
    return f"aselect='lt(mod(t,{period:.3f}),{EXCERPT_SECONDS})',"


def estimate_limiter_loss(
    source: Path,
    profiles: list[Profile],
    gains: dict[str, Gain],
    *,
    duration: float | None,
    timeout: float,
) -> dict[str, Gain]:
    """The gains that reach each limited profile's target through its limiter.

    One run over excerpts of the source: each limited profile's chain at its gain
    raised by each of GAIN_STEPS, measured against the same excerpts unlimited; the
    gain whose limited loudness meets the unlimited one is interpolated. Speech
    loses about the same share of loudness to the limiter all through, so a few
    seconds tell it as well as the whole recording."""
    limited = [p for p in profiles if gains[p.name].limit_db is not None]
    if not limited:
        return gains
    caps = ffmpeg_capabilities()
    n = len(GAIN_STEPS)
    parts = [_split(len(limited)).replace("[0:a:0]", f"[0:a:0]{_excerpts(duration)}")]
    for j, p in enumerate(limited):
        g, rate = gains[p.name], p.sample_rate or 48000
        tries = "".join(f"[x{j}_{k}]" for k in range(n))
        chain = g.trim_filters() + pre_filters(p) + [f"asplit={n + 1}"]
        parts.append(f"[s{j}]" + ",".join(chain) + f"[r{j}]{tries}")
        parts.append(f"[r{j}]{caps.ebur128(label=f'r{j}', peak='none')}[mr{j}]")
        for k, step in enumerate(GAIN_STEPS):
            tried = Gain(g.gain_db + step, g.limit_db)
            chain = gain_chain(p, tried, rate=rate) + [f"aresample={rate}"]
            meter = caps.ebur128(label=f"l{j}x{k}", peak="none")
            parts.append(f"[x{j}_{k}]" + ",".join(chain + [meter]) + f"[ml{j}_{k}]")
    args = ["-i", str(source), "-vn", "-filter_complex", ";".join(parts)]
    for j in range(len(limited)):
        for label in [f"mr{j}"] + [f"ml{j}_{k}" for k in range(n)]:
            args += ["-map", f"[{label}]", "-f", "null", "-"]
    meters = _parse_meters(run_ffmpeg(args, timeout=timeout).stderr)
    out = dict(gains)
    for j, p in enumerate(limited):
        g = gains[p.name]
        try:
            wanted = meters[f"r{j}"]["input_i"] + g.gain_db
            got = [meters[f"l{j}x{k}"]["input_i"] for k in range(n)]
        except KeyError:
            continue  # no estimate: the render's own measurement corrects
        step = _root(list(GAIN_STEPS), [v - wanted for v in got])
        if step is not None:
            out[p.name] = Gain(g.gain_db + step, g.limit_db, trim=g.trim)
    return out


def _root(xs: list[float], ys: list[float]) -> float | None:
    """Where the piecewise-linear curve through (xs, ys) first rises through zero;
    past the last point, extrapolated from the last segment (at most 18 dB: on
    material whose loudness is mostly in spikes the limiter takes, like clicks or
    plosives, the curve rises at half a dB per dB and the target lies far past the
    tries; the render measures where it lands and corrects). None
    when the curve stops rising first: an overdriven limiter can make more gain
    quieter, and the render's measurement corrects from where it lands."""
    if any(y in (float("inf"), float("-inf")) for y in ys):
        return None
    if ys[0] >= 0:
        return xs[0]
    for (x0, y0), (x1, y1) in pairwise(zip(xs, ys, strict=True)):
        if y1 <= y0:
            return None
        if y1 >= 0:
            return x0 + (x1 - x0) * (-y0) / (y1 - y0)
    (x0, y0), (x1, y1) = (xs[-2], ys[-2]), (xs[-1], ys[-1])
    return min(18.0, x1 + (x1 - x0) * (-y1) / (y1 - y0))


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
    peaks: dict[str, list[float]] | None = None,
) -> dict[str, Loudness]:
    """Render `outputs` ((profile, destination path) pairs) from `source`.

    Returns the loudness each written file measured (ffmpeg ebur128, true peak).
    `peaks`, when given, is filled with the waveform peaks of each lossy profile
    that asks for them (option `waveform_peaks`), read in the decode that measures
    its file.
    """
    profiles = [p for p, _path in outputs]
    paths = {p.name: path for p, path in outputs}
    loud = [p for p in profiles if p.loudness is not None]

    def part(start: float, span: float):
        return (lambda f: on_progress(start + f * span)) if on_progress else None

    gains: dict[str, Gain] = {}
    measured: dict[str, dict] = {}
    if loud:
        measured = analyse(
            source, loud, duration=duration, timeout=timeout, on_progress=part(0, 0.4)
        )
        gains = {p.name: Gain.from_measurement(p, measured[p.name]) for p in loud}
        gains = estimate_limiter_loss(
            source, loud, gains, duration=duration, timeout=timeout
        )
    results: dict[str, Loudness] = {}
    todo = profiles
    for attempt in range(1 + MAX_CORRECTIONS):
        span = 0.5 if attempt == 0 else 0.1 / MAX_CORRECTIONS
        start = 0.4 if attempt == 0 else 0.9 + (attempt - 1) * span
        graph = _render_graph(todo, [gains.get(p.name, Gain(0, None)) for p in todo])
        args = ["-i", str(source), "-filter_complex", graph]
        for i, p in enumerate(todo):
            args += _encode_args(p, f"[o{i}]", paths[p.name])
        for i, p in enumerate(todo):
            if _metered_in_graph(p, gains[p.name]):
                args += ["-map", f"[m{i}]", "-f", "null", "-"]
        res = run_ffmpeg(
            args, timeout=timeout, duration=duration, on_progress=part(start, span)
        )
        meters = _parse_summaries(res.stderr, todo)
        for p in todo:
            g = gains.get(p.name)
            if g is not None and _linear(p, g):
                m = measured[p.name]
                results[p.name] = _loudness(
                    {
                        "input_i": m["input_i"] + g.gain_db,
                        "input_tp": m["input_tp"] + g.gain_db,
                        "input_lra": m["input_lra"],
                    }
                )
            elif g is not None and _metered_in_graph(p, g):
                results[p.name] = _loudness(meters.get(p.name) or _NO_METER)
        lossy = [p for p in todo if _lossy(p)]
        found = _measure_all([paths[p.name] for p in lossy], lossy, timeout)
        for name, (loud_out, peaks_out) in found.items():
            results[name] = loud_out
            if peaks is not None and peaks_out is not None:
                peaks[name] = peaks_out
        retry = []
        for p in todo:
            if p.loudness is None:
                continue
            loud_out = results[p.name]
            if not in_tolerance(p, loud_out):
                if loud_out.integrated is None:
                    raise SilentInputError(p.name)
                gains[p.name] = gains[p.name].corrected(p, loud_out)
                retry.append(p)
        if not retry:
            break
        todo = retry
    for p in loud:
        if not meets_target(p, results[p.name]):
            raise loudness_missed(p, results[p.name], passes=1 + MAX_CORRECTIONS)
    for p in profiles:
        if p.name not in results:
            results[p.name] = measure_loudness(paths[p.name], timeout=timeout)
    return results


def _measure_all(
    paths: list[Path], profiles: list[Profile], timeout: float
) -> dict[str, tuple[Loudness, list[float] | None]]:
    """Measure the written files side by side (each ffmpeg meter is one thread, and
    the machine has more than one core), with the waveform peaks of the profiles
    that ask for them."""
    from concurrent.futures import ThreadPoolExecutor

    def one(item: tuple[Profile, Path]) -> tuple[Loudness, list[float] | None]:
        p, path = item
        buckets = p.options.get("waveform_peaks")
        if not buckets:
            return measure_loudness(path, timeout=timeout), None
        return _measure_with_peaks(path, buckets=buckets, timeout=timeout)

    if not paths:
        return {}
    with ThreadPoolExecutor(
        max_workers=max(1, min(len(paths), os.cpu_count() or 1))
    ) as pool:
        found = pool.map(one, zip(profiles, paths, strict=True))
        return {p.name: res for p, res in zip(profiles, found, strict=True)}


def _measure_with_peaks(
    path: Path, *, buckets: int, timeout: float
) -> tuple[Loudness, list[float]]:
    """`measure_loudness` and `waveform_peaks` in one decode of `path`: the peaks'
    samples go to a scratch file beside it, read back in blocks."""
    raw = path.with_name(f".{path.name}.peaks")
    graph = (
        f"[0:a:0]asplit=2[a][b];[a]{ffmpeg_capabilities().ebur128()}[m];"
        f"[b]{_WAVEFORM_FILTERS}[w]"
    )
    try:
        res = run_ffmpeg(
            ["-i", str(path), "-filter_complex", graph]
            + ["-map", "[m]", "-f", "null", "-", "-map", "[w]", "-f", "s16le"]
            + [str(raw)],
            timeout=timeout,
        )
        with open(raw, "rb") as f:
            found = _peaks(f, buckets)
    except FFmpegError as exc:
        raise ProbeError("unreadable", str(exc)) from exc
    finally:
        raw.unlink(missing_ok=True)
    return loudness_from_log(res.stderr), found


_NO_METER = {"input_i": float("-inf"), "input_tp": float("-inf"), "input_lra": 0.0}


class SilentInputError(ValueError):
    """The audio is digital silence: there is nothing to normalise or air."""


# What the waveform is read from: mono, 8 kHz, 16-bit.
_WAVEFORM_FILTERS = (
    "aformat=channel_layouts=mono,aresample=8000,aformat=sample_fmts=s16"
)


def waveform_peaks(path: Path, *, buckets: int, timeout: float) -> list[float]:
    """Peak amplitude (0..1) per bucket, for the web player's waveform.

    Decodes to 8 kHz mono and reads ffmpeg's stdout in chunks: memory stays small
    whatever the file's length. (A lossy audio rendition gets its peaks in the
    decode that measures it, `_measure_with_peaks`.)
    """
    import subprocess

    from .ffmpeg import ffmpeg_binary

    proc = subprocess.Popen(
        [ffmpeg_binary(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path)]
        + ["-map", "0:a:0", "-af", _WAVEFORM_FILTERS, "-f", "s16le", "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    found = _peaks(proc.stdout, buckets)
    proc.wait(timeout=timeout)
    return found


def _peaks(stream: BinaryIO, buckets: int) -> list[float]:
    """Peaks of 16-bit 8 kHz mono samples read from `stream`, `buckets` of them at
    most. Plain `array` rather than numpy: max/min over a block run in C all the
    same, and a worker rendering sound then never loads numpy (about 16 MB)."""
    import sys
    from array import array

    blocks: list[float] = []
    # 0.05 s blocks (400 samples), reduced to `buckets` at the end. Chunks are a
    # whole number of blocks, so only the last block can be short.
    for chunk in iter(lambda: stream.read(800 * 64), b""):
        samples = array("h")
        samples.frombytes(chunk[: len(chunk) - len(chunk) % 2])
        if sys.byteorder == "big":
            samples.byteswap()
        for i in range(0, len(samples), 400):
            block = samples[i : i + 400]
            blocks.append(max(max(block), -min(block)) / 32768.0)
    if not blocks:
        return []
    per = max(1, len(blocks) // buckets + (1 if len(blocks) % buckets else 0))
    return [round(max(blocks[i : i + per]), 3) for i in range(0, len(blocks), per)]
