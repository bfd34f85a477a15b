"""The pipeline without the database: one source, several profiles, outputs
measured after they are written. Used by jobs (services/) and the transcode
command alike, so both make byte-for-byte the same renditions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .audio import render_audio, waveform_peaks
from .probe import Loudness, measure_loudness, probe
from .profiles import Profile
from .renderers import render_for_kind
from .source import RenderError, Source


def job_timeout(duration: float | None) -> float:
    """ffmpeg's time limit scales with the media's length (LOA_JOB_TIMEOUT_FACTOR ×
    duration, at least LOA_JOB_TIMEOUT_MIN_SECONDS): a hung ffmpeg is killed."""
    from django.conf import settings

    floor = getattr(settings, "LOA_JOB_TIMEOUT_MIN_SECONDS", 120)
    factor = getattr(settings, "LOA_JOB_TIMEOUT_FACTOR", 10)
    return max(float(floor), factor * (duration or 60.0))


@dataclass
class Output:
    profile: Profile
    path: Path
    extra: dict = field(default_factory=dict)
    duration: float | None = None
    loudness: Loudness | None = None


def render_all(
    src: Source,
    targets: list[tuple[Profile, Path]],
    *,
    timeout: float | None = None,
    on_progress: Callable[[Profile, float], None] | None = None,
) -> list[Output]:
    """Render every (profile, output path) from `src`; audio profiles together.

    Each output is probed and its loudness measured from the written file; callers
    publish it only after this returns.
    """
    timeout = timeout or job_timeout(src.duration)
    audio = [(p, path) for p, path in targets if p.kind == "audio"]
    outputs: dict[str, Output] = {}
    if audio:
        if not src.probe.has_audio:
            raise RenderError("no_streams", "the source has no sound")

        def audio_progress(frac: float) -> None:
            if on_progress:
                for p, _path in audio:
                    on_progress(p, frac)

        peaks: dict[str, list[float]] = {}
        measured = render_audio(
            src.path,
            audio,
            duration=src.duration,
            timeout=timeout,
            on_progress=audio_progress,
            peaks=peaks,
        )
        for p, path in audio:
            outputs[p.name] = Output(p, path, loudness=measured[p.name])
            if p.name in peaks:
                outputs[p.name].extra["peaks"] = peaks[p.name]
    for p, path in targets:
        if p.kind == "audio":
            continue
        progress = (lambda f, p=p: on_progress(p, f)) if on_progress else None
        extra = render_for_kind(p, src, path, timeout=timeout, on_progress=progress)
        extra = extra or {}
        # A renderer that measured its own output (video sound) saves a decode.
        measured = extra.pop("loudness", None)
        outputs[p.name] = Output(p, path, extra=extra, loudness=measured)
    for out in outputs.values():
        _measure(out, timeout)
        _check_complete(out, src)
    return [outputs[p.name] for p, _path in targets]


def _check_complete(out: Output, src: Source) -> None:
    """A file whose header promises more than it holds (truncated upload, WAV with
    a lying length) decodes "fine" but short: compare with the probed duration.
    Profiles that trim silence are exempt; their siblings catch it."""
    expected = src.duration
    if not expected or out.duration is None or out.profile.trim_silence:
        return
    if out.profile.kind not in ("audio", "video"):
        return
    if out.duration < expected - max(0.5, 0.02 * expected):
        raise RenderError(
            "truncated",
            f"{out.profile.name}: decoded {out.duration:.2f}s of {expected:.2f}s",
        )


def _measure(out: Output, timeout: float) -> None:
    if not out.path.exists() or out.path.stat().st_size == 0:
        raise RenderError("ffmpeg", f"{out.profile.name}: no output written")
    if out.profile.kind == "still":
        return
    info = probe(out.path)
    out.duration = info.duration
    out.extra["probe"] = info.as_dict()
    if out.loudness is None and info.has_audio and out.profile.loudness is not None:
        out.loudness = measure_loudness(out.path, timeout=timeout)
    buckets = out.profile.options.get("waveform_peaks")
    if buckets and "peaks" not in out.extra:
        out.extra["peaks"] = waveform_peaks(out.path, buckets=buckets, timeout=timeout)
