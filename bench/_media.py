"""Shared helpers for the media benchmarks: Django setup, timing, test media."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings.test")
    import django

    django.setup()


def ffmpeg(*args: str) -> None:
    from media_pipeline.ffmpeg import ffmpeg_binary

    subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", "-v", "error", *args],
        check=True,
    )


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child processes fn ran and waited for).
    On a machine others are loading, the CPU ratio is the steadier figure."""
    import resource

    def children_cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    cpu = children_cpu()
    wall = timed(fn)
    return wall, children_cpu() - cpu


def paired_rounds(rounds: int, baseline, loa) -> tuple[tuple[float, float], ...]:
    """`rounds` pairs, baseline then Loa (each called with the round's number): a
    shared host's speed drifts by several per cent over minutes, and alternating
    gives both sides the same drift. Returns ((wall, CPU) of the baseline, (wall,
    CPU) of Loa), summed; prints each round's ratios."""
    totals = [[0.0, 0.0], [0.0, 0.0]]
    for r in range(rounds):
        pair = [cpu_timed(lambda fn=fn, r=r: fn(r)) for fn in (baseline, loa)]
        (bw, bc), (lw, lc) = pair
        print(
            f"round {r + 1}: ratio {lw / bw:.2f}, CPU ratio {lc / bc:.2f}", flush=True
        )
        for side, (w, c) in zip(totals, pair, strict=True):
            side[0] += w
            side[1] += c
    return tuple(tuple(side) for side in totals)


def transcode_cli(inputs: list[Path], profiles: list[str], out: Path) -> None:
    """The technicians' command, as a separate process (Django start-up included)."""
    args = [sys.executable, "manage.py", "transcode", *map(str, inputs)]
    for p in profiles:
        args += ["--profile", p]
    subprocess.run(
        args + ["--output", str(out)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "loa.settings.test"},
    )
