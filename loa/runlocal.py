"""`make run`: the web server, a Celery worker and Celery beat on one machine.

The worker uses the broker from settings (kombu's filesystem transport under var/
by default), so nothing else needs to be running.

Supervised: a worker or beat that dies (a crash, an OOM kill) is started again
with a growing pause, and the new worker resumes the dead one's jobs (the
`worker_ready` recovery in media_pipeline.tasks). Only the web server ending
ends `make run`. Ctrl-C (or SIGTERM) stops everything it started: each child runs
in its own process group, so a worker's pool processes and their ffmpeg go too.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

# A child that stayed up this long had a fresh start: its restart pause resets.
HEALTHY_SECONDS = 60
MAX_PAUSE = 30.0


@dataclass
class Child:
    name: str
    cmd: list[str]
    restart: bool
    proc: subprocess.Popen | None = None
    started: float = 0.0
    pause: float = 1.0
    restart_at: float | None = None
    env: dict = field(default_factory=dict)

    def start(self) -> None:
        # A new session: its own process group, out of reach of the terminal's
        # Ctrl-C, so the supervisor decides the order things stop in.
        self.proc = subprocess.Popen(self.cmd, env=self.env, start_new_session=True)
        self.started = time.monotonic()
        self.restart_at = None
        say(f"{self.name} started (pid {self.proc.pid})")

    def signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def say(text: str) -> None:
    print(f"[make run] {text}", flush=True)


def children(args, env: dict) -> list[Child]:
    py = sys.executable
    celery = [py, "-m", "celery", "-A", "loa"]
    return [
        Child(
            "web",
            [py, "manage.py", "runserver", f"{args.host}:{args.port}", "--noreload"],
            restart=False,
            env=env,
        ),
        Child(
            "worker",
            celery
            + ["worker", "-Q", "default,media", "--concurrency", "2"]
            + ["--loglevel", "INFO"],
            restart=True,
            env=env,
        ),
        # Beat apart from the worker: killing the worker no longer orphans it.
        Child("beat", celery + ["beat", "--loglevel", "INFO"], restart=True, env=env),
    ]


def supervise(kids: list[Child], *, poll: float = 0.5) -> int:
    """Run until the web server ends or a stop signal; restart the others."""
    for kid in kids:
        kid.start()
    while True:
        now = time.monotonic()
        for kid in kids:
            code = kid.proc.poll() if kid.proc else None
            if kid.restart_at is not None:
                if now >= kid.restart_at:
                    kid.start()
                continue
            if code is None:
                continue
            if not kid.restart:
                say(f"{kid.name} exited with status {code}; stopping")
                return code or 0
            # Whatever the dead main process left (pool processes) goes with it.
            kid.signal_group(signal.SIGKILL)
            if now - kid.started >= HEALTHY_SECONDS:
                kid.pause = 1.0
            say(f"{kid.name} exited with status {code}; restarting in {kid.pause:g}s")
            kid.restart_at = now + kid.pause
            kid.pause = min(MAX_PAUSE, kid.pause * 2)
        time.sleep(poll)


def stop(kids: list[Child], *, grace: float = 15.0) -> None:
    """SIGTERM each main process (a worker shuts down warm), then, after `grace`,
    SIGKILL each whole group: a job cut short is recovered by the next start."""
    for kid in kids:
        if kid.proc and kid.proc.poll() is None:
            kid.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for kid in kids:
        if kid.proc is None:
            continue
        try:
            kid.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        kid.signal_group(signal.SIGKILL)
        kid.proc.poll()
    say("stopped")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default="8000")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "loa.settings.dev"
        ),
    }
    kids = children(args, env)

    def on_term(*_):
        raise KeyboardInterrupt

    # SIGINT too: a shell that starts `make run` in the background ignores it.
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    code = 0
    try:
        code = supervise(kids)
    except KeyboardInterrupt:
        pass
    finally:
        stop(kids)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
