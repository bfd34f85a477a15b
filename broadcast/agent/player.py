"""Players: what sends audio to the amplifier.

`file:PATH` writes what would have gone to the amplifier into PATH (the media bytes,
cut short when a play is interrupted) and keeps PATH.json, a sidecar with each
play's start and stop times: tests read it to check what aired and when. The
others run a real player program and report its exit code and error output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "mpv": ["mpv", "--no-video", "--no-terminal", "--really-quiet"],
    "ffplay": ["ffplay", "-nodisp", "-autoexit", "-loglevel", "error"],
    "aplay": ["aplay", "-q"],
}


class Playback:
    """One play in progress. `poll()` is None while it plays, then the exit code."""

    error = ""

    def poll(self) -> int | None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class _TimedPlayback(Playback):
    def __init__(self, player, media: Path, duration: float, info: dict, clock):
        self.player, self.media, self.info, self.clock = player, media, info, clock
        self.duration = max(float(duration or 1.0), 0.1)
        self.started = time.monotonic()
        self.code: int | None = None
        self.entry = {
            **info,
            "start": clock.iso(),
            "real_start": time.time(),
        }
        if not media.is_file():
            self.code, self.error = 1, f"cannot open {media.name}"
            self._finish("failed", 0.0)
        else:
            # Visible while it plays: what is on air now.
            player.record(media, 0.0, {**self.entry, "outcome": "playing"})

    def poll(self):
        if self.code is None and time.monotonic() - self.started >= self.duration:
            self.code = 0
            self._finish("played", 1.0)
        return self.code

    def stop(self):
        if self.code is None:
            self.code = -15
            elapsed = (time.monotonic() - self.started) / self.duration
            self._finish("interrupted", min(elapsed, 1.0))

    def _finish(self, outcome: str, fraction: float) -> None:
        self.entry.update(stop=self.clock.iso(), real_stop=time.time(), outcome=outcome)
        self.player.record(self.media, fraction, self.entry)


class TimedPlayer:
    """`dry-run` (nothing written) and `file:PATH` (bytes and sidecar written)."""

    def __init__(self, out: Path | None, clock):
        self.out, self.clock = out, clock
        self.name = f"file:{out}" if out else "dry-run"

    def start(self, media: Path, duration: float, info: dict) -> Playback:
        return _TimedPlayback(self, media, duration, info, self.clock)

    def record(self, media: Path, fraction: float, entry: dict) -> None:
        if self.out is None:
            return
        if fraction > 0:
            data = media.read_bytes()
            with open(self.out, "ab") as f:
                f.write(data[: int(len(data) * fraction)])
                f.flush()
                os.fsync(f.fileno())
        sidecar = Path(f"{self.out}.json")
        entries = json.loads(sidecar.read_text()) if sidecar.exists() else []
        if entries and entries[-1].get("outcome") == "playing":
            entries.pop()  # the same play, now finished
        entries.append(entry)
        tmp = sidecar.with_name(sidecar.name + ".tmp")
        tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=1))
        os.replace(tmp, sidecar)

    def healthy(self) -> bool:
        return True


class _ProcessPlayback(Playback):
    def __init__(self, cmd: list[str], media: Path):
        self.log = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(
                [*cmd, str(media)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self.log,
            )
        except OSError as exc:
            self.proc = None
            self.error = str(exc)

    def poll(self):
        if self.proc is None:
            return 127
        code = self.proc.poll()
        if code not in (None, 0):
            self.log.seek(0)
            self.error = self.log.read()[-500:].decode("utf-8", "replace").strip()
        return code

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class ProcessPlayer:
    def __init__(self, name: str):
        self.name = name
        self.cmd = COMMANDS[name]

    def start(self, media: Path, duration: float, info: dict) -> Playback:
        return _ProcessPlayback(self.cmd, media)

    def healthy(self) -> bool:
        return shutil.which(self.cmd[0]) is not None


def make_player(spec: str, clock):
    """auto | mpv | ffplay | aplay | file:PATH | dry-run"""
    if spec == "dry-run":
        return TimedPlayer(None, clock)
    if spec.startswith("file:"):
        return TimedPlayer(Path(spec[5:]).resolve(), clock)
    if spec == "auto":
        for name in COMMANDS:
            if shutil.which(COMMANDS[name][0]):
                return ProcessPlayer(name)
        raise SystemExit("No player found: install mpv, ffmpeg (ffplay) or alsa-utils.")
    if spec in COMMANDS:
        return ProcessPlayer(spec)
    raise SystemExit(f"Unknown player {spec!r}: auto, mpv, ffplay, aplay, file:PATH.")
