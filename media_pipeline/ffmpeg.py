"""Finding and running ffmpeg.

Loa runs on whatever ffmpeg a technician has, from 4.4 (Ubuntu 22.04) to the build
imageio-ffmpeg ships. The binary is chosen once per process, with a reason
(`ffmpeg_choice`): `LOA_FFMPEG` if set; else the system ffmpeg if it has every
encoder, filter and muxer Loa uses; else the bundled one, so `pip install` alone
is enough. Options that differ between versions are detected from the binary's
own help (`Capabilities`), never guessed from its version string.

ffprobe is the one beside the chosen ffmpeg (`LOA_FFPROBE` overrides): the bundled
build has none, which is why probing also works from ffmpeg alone (probe.py).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)


class FFmpegError(RuntimeError):
    """ffmpeg exited non-zero. The message names the binary and ffmpeg's last
    meaningful error line; `log` holds the tail of its stderr for staff."""

    def __init__(self, message: str, log: str = "", returncode: int | None = None):
        super().__init__(message)
        self.log = log
        self.returncode = returncode


class FFmpegTimeout(FFmpegError):
    pass


# What Loa's renderers use. A system ffmpeg lacking any of these is passed over for
# the bundled one (captions need libass's `subtitles`; posters need mjpeg).
REQUIRED_ENCODERS = ("libmp3lame", "libx264", "aac", "pcm_s16le", "mjpeg")
REQUIRED_FILTERS = (
    "acompressor",
    "aformat",
    "alimiter",
    "anull",
    "aresample",
    "asetpts",
    "asplit",
    "atrim",
    "bwdif",
    "ebur128",
    "format",
    "fps",
    "highpass",
    "idet",
    "lowpass",
    "pad",
    "scale",
    "setsar",
    "silencedetect",
    "subtitles",
    "volume",
)
REQUIRED_MUXERS = ("mp3", "mp4", "null", "s16le", "srt", "wav", "webvtt", "image2")


@dataclass(frozen=True)
class Capabilities:
    """What one ffmpeg binary can do, read from its own listings and help."""

    version: str = ""
    encoders: frozenset[str] = frozenset()
    filters: frozenset[str] = frozenset()
    muxers: frozenset[str] = frozenset()
    # The value that keeps ebur128's per-frame lines out of stderr: "quiet" (6.1+),
    # "verbose" (older builds know only info/verbose), None (no framelog option).
    ebur128_framelog: str | None = None
    # alimiter's `latency` (compensate the look-ahead delay) is from 5.0.
    alimiter_latency: bool = False
    # -fps_mode replaced -vsync in 5.1; 4.4 knows only -vsync.
    fps_mode: bool = False
    error: str = ""  # why the binary could not be asked at all

    def missing(self) -> list[str]:
        """Required encoders, filters and muxers this binary lacks."""
        if self.error:
            return [self.error]
        return (
            [f"encoder {n}" for n in REQUIRED_ENCODERS if n not in self.encoders]
            + [f"filter {n}" for n in REQUIRED_FILTERS if n not in self.filters]
            + [f"muxer {n}" for n in REQUIRED_MUXERS if n not in self.muxers]
        )

    def lacks(self) -> list[str]:
        """Optional options this binary lacks (Loa works around each)."""
        out = []
        if self.ebur128_framelog != "quiet":
            out.append("ebur128 framelog=quiet")
        if not self.alimiter_latency:
            out.append("alimiter latency")
        if not self.fps_mode:
            out.append("-fps_mode")
        return out

    @property
    def short_version(self) -> str:
        """For people to read ("5.1.9-0+deb12u1"); never used to pick features."""
        m = re.match(r"ffmpeg version (\S+)", self.version)
        return m.group(1) if m else self.version

    def ebur128(self, label: str = "", *, peak: str = "true") -> str:
        """The ebur128 measuring filter (instance `label` for reading its summary
        among others'), with per-frame logging off where the binary allows. `peak`
        is "true" (4× oversampled, the costly part), "sample" or "none": the true
        peak is measured only where someone reads it."""
        spec = f"ebur128@{label}" if label else "ebur128"
        spec += f"=peak={peak}"
        if self.ebur128_framelog:
            spec += f":framelog={self.ebur128_framelog}"
        return spec

    def cfr_args(self) -> list[str]:
        """Constant frame rate output, in this binary's words."""
        return ["-fps_mode", "cfr"] if self.fps_mode else ["-vsync", "cfr"]


_LIST_RE = re.compile(r"^ {0,2}[A-Z.|]{1,8} +([\w,]+) ", re.M)


def _ask(binary: str, *args: str) -> str:
    out = subprocess.run(
        [binary, "-hide_banner", "-nostdin", *args],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return (out.stdout + out.stderr).decode("utf-8", "replace")


def _listing(text: str) -> frozenset[str]:
    # Listings put a flags column first ("V....D libx264 ..."); muxers may list
    # several names for one entry ("mov,mp4,...").
    names = set()
    for found in _LIST_RE.findall(text):
        names.update(found.split(","))
    return frozenset(names)


def _option_names(help_text: str) -> dict[str, set[str]]:
    """Option → its named constants, from `-h filter=NAME`."""
    options: dict[str, set[str]] = {}
    current = None
    for line in help_text.splitlines():
        m = re.match(r"^ {2,4}(\S+)\s+<\w+>", line)
        if m:
            current = options.setdefault(m.group(1), set())
            continue
        c = re.match(r"^ {4,6}(\S+)\s+-?\d", line)
        if c and current is not None:
            current.add(c.group(1))
    return options


@functools.cache
def capabilities(binary: str) -> Capabilities:
    """Ask `binary` what it can do (a few short runs, cached per process)."""
    try:
        version = _ask(binary, "-version").splitlines()[0].strip()
        if not version.startswith("ffmpeg version"):
            return Capabilities(version=version, error=f"{binary} is not ffmpeg")
        # The other questions at once: each run is mostly ffmpeg loading its
        # libraries, and asking one after another cost a CLI run or a worker's
        # start about half a second.
        questions = {
            "ebur128": ("-h", "filter=ebur128"),
            "encoders": ("-encoders",),
            "filters": ("-filters",),
            "muxers": ("-muxers",),
            "alimiter": ("-h", "filter=alimiter"),
            "long": ("-h", "long"),
        }
        with ThreadPoolExecutor(max_workers=len(questions)) as pool:
            pending = {k: pool.submit(_ask, binary, *a) for k, a in questions.items()}
            answers = {k: f.result() for k, f in pending.items()}
        framelog = _option_names(answers["ebur128"]).get("framelog")
        return Capabilities(
            version=version,
            encoders=_listing(answers["encoders"]),
            filters=_listing(answers["filters"]),
            muxers=_listing(answers["muxers"]),
            ebur128_framelog=(
                None
                if framelog is None
                else next((v for v in ("quiet", "verbose") if v in framelog), None)
            ),
            alimiter_latency="latency" in _option_names(answers["alimiter"]),
            fps_mode=bool(re.search(r"^-fps_mode", answers["long"], re.M)),
        )
    except (OSError, subprocess.SubprocessError, IndexError) as exc:
        return Capabilities(error=f"{binary} cannot be run ({exc})")


@dataclass(frozen=True)
class FFmpegChoice:
    ffmpeg: str
    reason: str
    ffprobe: str | None
    ffprobe_reason: str
    capabilities: Capabilities = field(default_factory=Capabilities)


def _bundled() -> str | None:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return None


@functools.cache
def ffmpeg_choice() -> FFmpegChoice:
    """The ffmpeg (and ffprobe) this process uses, and why. Chosen once."""
    env = os.environ.get("LOA_FFMPEG")
    system = shutil.which("ffmpeg")
    if env:
        binary, reason = env, "LOA_FFMPEG is set"
    elif system and not (missing := capabilities(system).missing()):
        binary, reason = system, "the system ffmpeg has everything Loa uses"
    else:
        bundled = _bundled()
        if system:
            reason = f"the system ffmpeg {system} lacks {', '.join(missing)}"
        else:
            reason = "no ffmpeg on PATH"
        if bundled:
            binary, reason = bundled, f"{reason}; using the bundled imageio-ffmpeg"
        else:
            binary, reason = system or "ffmpeg", f"{reason}; imageio-ffmpeg is absent"
    ffprobe, ffprobe_reason = _choose_ffprobe(binary)
    choice = FFmpegChoice(
        ffmpeg=binary,
        reason=reason,
        ffprobe=ffprobe,
        ffprobe_reason=ffprobe_reason,
        capabilities=capabilities(binary),
    )
    logger.info(
        "ffmpeg: %s (%s); ffprobe: %s (%s)",
        choice.ffmpeg,
        choice.reason,
        choice.ffprobe or "none",
        choice.ffprobe_reason,
    )
    return choice


def _choose_ffprobe(ffmpeg: str) -> tuple[str | None, str]:
    if os.environ.get("LOA_NO_FFPROBE"):
        return None, "LOA_NO_FFPROBE is set; probing with ffmpeg"
    if env := os.environ.get("LOA_FFPROBE"):
        return env, "LOA_FFPROBE is set"
    # The ffprobe of the same build: a system ffprobe beside a bundled ffmpeg could
    # be of another version, and the ffmpeg-only probe reads what ffmpeg reads.
    sibling = Path(shutil.which(ffmpeg) or ffmpeg).with_name("ffprobe")
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling), "beside the chosen ffmpeg"
    return None, "none beside the chosen ffmpeg; probing with ffmpeg"


def ffmpeg_binary() -> str:
    return ffmpeg_choice().ffmpeg


def ffprobe_binary() -> str | None:
    return ffmpeg_choice().ffprobe


def ffmpeg_capabilities() -> Capabilities:
    return ffmpeg_choice().capabilities


def _forget_choice() -> None:
    """Choose again on next use (tests that change PATH or LOA_FFMPEG)."""
    ffmpeg_choice.cache_clear()
    capabilities.cache_clear()


# The old names had their own caches; clearing either forgets the whole choice.
ffmpeg_binary.cache_clear = _forget_choice  # type: ignore[attr-defined]
ffprobe_binary.cache_clear = _forget_choice  # type: ignore[attr-defined]


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
    binary = ffmpeg_binary()
    cmd = [binary, "-hide_banner", "-nostdin", "-y"]
    # No stats lines: older builds print them into other lines of the log.
    cmd += ["-nostats"]
    if on_progress and duration:
        cmd += ["-progress", "pipe:1"]
    cmd += list(args)
    started = time.monotonic()
    try:
        # Own process group: a timeout kills ffmpeg and anything it spawned.
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE
            if (on_progress and duration)
            else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_die_with_parent,
            cwd=cwd,
        )
    except OSError as exc:
        raise FFmpegError(f"{binary}: cannot run ({exc.strerror})", str(exc)) from exc
    stderr_chunks: list[bytes] = []

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
            f"{binary}: killed after {timeout:.0f}s", stderr, proc.returncode
        )
    if proc.returncode != 0:
        raise FFmpegError(
            f"{binary}: {last_error_line(stderr)}", stderr, proc.returncode
        )
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


# ffmpeg ends a failure with generic lines ("Conversion failed!", "Error opening
# output files: Invalid argument") after the one that says what went wrong.
_GENERIC_RE = re.compile(
    r"^(Conversion failed!|Exiting normally|Error opening (input|output) files?[:.]"
    r"|Error opening output file -\.|Error while processing the decoded data"
    r"|Failed to inject frame|Error reinitializing filters|Error opening filters"
    r"|Error while filtering|Error selecting an encoder|Error initializing output"
    r"|Error applying options to the filter|Nothing was written|Terminating thread"
    r"|Error sending frames|Task finished with error|Error while decoding stream"
    r"|Error initializing complex filters|Error : "
    r"|Error initializing a (simple|complex) filtergraph"
    # 7.0 parses -filter_complex with the global options and repeats the graph.
    r"|Error parsing global options|Failed to set value '.*' for option "
    # A bare error string, printed last by some versions (6.0: "Filter not found").
    r"|(Invalid argument|Operation not permitted|Input/output error"
    r"|(Filter|Encoder|Decoder|Muxer|Demuxer|Option|Protocol|Stream) not found)$)"
)
_ERROR_WORDS_RE = re.compile(
    r"error|unable|invalid|unknown|no such|not found|failed|cannot|could not"
    r"|undefined|unrecognized|not supported|does not|permission denied|too (many|few)",
    re.I,
)
_PREFIX_RE = re.compile(r"^(\[[^\]]+ @ (0x)?[0-9a-f]+\] ?)+")


def last_error_line(stderr: str) -> str:
    """ffmpeg's last meaningful error line: the last one that reads as an error and
    is not one of the generic lines ffmpeg prints after it (component prefixes such
    as "[Parsed_ebur128_0 @ 0x…]" removed)."""
    fallback = ""
    for raw in reversed(stderr.splitlines()):
        line = _PREFIX_RE.sub("", raw.strip()).strip()
        if not line:
            continue
        fallback = fallback or line
        if raw[:1].isspace() or _GENERIC_RE.match(line):
            continue
        if _ERROR_WORDS_RE.search(line):
            return line[:500]
    return (fallback or "ffmpeg failed")[:500]
