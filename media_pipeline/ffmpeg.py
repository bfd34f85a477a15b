"""Finding and running ffmpeg.

The system's ffmpeg/ffprobe are used when on PATH; otherwise the ffmpeg that
imageio-ffmpeg ships, so `pip install` alone is enough. That build has no ffprobe,
which is why probing can also work from ffmpeg alone (see probe.py).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


class FFmpegError(RuntimeError):
    """ffmpeg exited non-zero. `log` holds the tail of its stderr for staff."""

    def __init__(self, message: str, log: str = "", returncode: int | None = None):
        super().__init__(message)
        self.log = log
        self.returncode = returncode


class FFmpegTimeout(FFmpegError):
    pass


@functools.cache
def ffmpeg_binary() -> str:
    found = os.environ.get("LOA_FFMPEG") or shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def ffprobe_binary() -> str | None:
    if os.environ.get("LOA_NO_FFPROBE"):
        return None
    return os.environ.get("LOA_FFPROBE") or shutil.which("ffprobe")


_TIME_RE = re.compile(r"out_time_us=(\d+)")


@dataclass
class RunResult:
    stderr: str
    seconds: float


def run_ffmpeg(
    args: Sequence[str],
    *,
    timeout: float,
    duration: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    log_limit: int = 200_000,
    cwd: str | os.PathLike | None = None,
) -> RunResult:
    """Run ffmpeg with `args` (without the binary), killing it after `timeout` seconds.

    Progress (0..1) is reported from ffmpeg's `-progress` stream when `duration` is
    known. stderr is kept (bounded) for the job's technical log.
    """
    cmd = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-y"]
    if on_progress and duration:
        cmd += ["-progress", "pipe:1", "-nostats"]
    cmd += list(args)
    started = time.monotonic()
    # Own process group: a timeout kills ffmpeg and anything it spawned.
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE if (on_progress and duration) else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_die_with_parent,
        cwd=cwd,
    )
    stderr_chunks: list[bytes] = []

    import threading

    def _drain_stderr():
        assert proc.stderr is not None
        for chunk in iter(lambda: proc.stderr.read(8192), b""):
            stderr_chunks.append(chunk)
            # Keep memory bounded on very chatty runs.
            while (
                sum(len(c) for c in stderr_chunks) > log_limit
                and len(stderr_chunks) > 1
            ):
                stderr_chunks.pop(0)

    drain = threading.Thread(target=_drain_stderr, daemon=True)
    drain.start()
    timer = threading.Timer(timeout, lambda: _kill(proc))
    timer.start()
    try:
        if proc.stdout is not None:
            last = 0.0
            for raw in proc.stdout:
                m = _TIME_RE.match(raw.decode("ascii", "replace"))
                if m and duration:
                    frac = min(1.0, int(m.group(1)) / 1e6 / duration)
                    if frac - last >= 0.02:
                        last = frac
                        on_progress(frac)
        proc.wait()
    finally:
        timed_out = (
            not timer.is_alive()
            and proc.returncode not in (0, None)
            and (time.monotonic() - started >= timeout)
        )
        timer.cancel()
        if proc.poll() is None:
            _kill(proc)
            proc.wait()
        drain.join(timeout=5)
    stderr = b"".join(stderr_chunks).decode("utf-8", "replace")
    elapsed = time.monotonic() - started
    if timed_out:
        raise FFmpegTimeout(
            f"ffmpeg killed after {timeout:.0f}s", stderr, proc.returncode
        )
    if proc.returncode != 0:
        raise FFmpegError(_last_error_line(stderr), stderr, proc.returncode)
    return RunResult(stderr=stderr, seconds=elapsed)


def _die_with_parent() -> None:
    """Runs in the child before exec: if the worker is SIGKILLed, the kernel kills
    this ffmpeg too, so no orphan keeps writing into a job's folder."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: the timeout and the sweeper still clean up


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _last_error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return lines[-1][:500] if lines else "ffmpeg failed"
