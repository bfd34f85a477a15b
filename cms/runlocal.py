"""`make run`: the web server and a Celery worker (with beat) on one machine.

Ctrl-C stops both. The worker uses the broker from settings (kombu's filesystem
transport under var/ by default), so nothing else needs to be running.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default="8000")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "cms.settings.dev"
        ),
    }
    py = sys.executable
    procs = [
        subprocess.Popen(
            [
                py,
                "-m",
                "celery",
                "-A",
                "cms",
                "worker",
                "-B",
                "-Q",
                "default,media",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
            ],
            env=env,
        ),
        subprocess.Popen(
            [py, "manage.py", "runserver", f"{args.host}:{args.port}", "--noreload"],
            env=env,
        ),
    ]

    def stop(*_):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
