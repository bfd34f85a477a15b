"""`make run`'s supervisor (loa.runlocal) with real processes standing in for the
web server and the worker: a crashed worker is restarted and takes its pool
processes with it; the web server's end, or a stop, ends everything started."""

from __future__ import annotations

import os
import sys
import threading
import time

from loa import runlocal

# A "worker" that, like Celery's prefork main process, has a child of its own.
WORKER = (
    "import subprocess, sys, time;"
    "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
    "print('pool', c.pid, flush=True); time.sleep(60)"
)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def wait_for(check, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return False


def group_members(pgid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid and alive(int(entry)):
                    out.append(int(entry))
            except ProcessLookupError:
                pass
    return out


def test_a_killed_worker_is_restarted_and_stop_ends_everything_started(tmp_path):
    stop_web = tmp_path / "stop-web"
    web = runlocal.Child(
        "web",
        [
            sys.executable,
            "-c",
            f"import os, time\nwhile not os.path.exists({str(stop_web)!r}):"
            " time.sleep(0.1)",
        ],
        restart=False,
        env=dict(os.environ),
    )
    worker = runlocal.Child(
        "worker", [sys.executable, "-c", WORKER], restart=True, env=dict(os.environ)
    )
    kids = [web, worker]
    result = {}
    thread = threading.Thread(
        target=lambda: result.setdefault("code", runlocal.supervise(kids, poll=0.05))
    )
    thread.start()
    try:
        assert wait_for(lambda: worker.proc is not None)
        first = worker.proc.pid
        assert wait_for(lambda: len(group_members(first)) == 2)
        pool = [p for p in group_members(first) if p != first][0]

        os.kill(first, 9)  # the worker's main process dies (OOM, kill -9)
        assert wait_for(lambda: worker.proc.pid != first)
        # Its orphaned pool process went with it; the web server never noticed.
        assert wait_for(lambda: not alive(pool))
        assert web.proc.poll() is None and thread.is_alive()
        second = worker.proc.pid
        assert wait_for(lambda: len(group_members(second)) == 2)

        stop_web.touch()  # the web server ending ends `make run`
        thread.join(timeout=15)
        assert result["code"] == 0
    finally:
        runlocal.stop(kids, grace=5)
        thread.join(timeout=5)
    assert wait_for(lambda: not group_members(second), timeout=5)
    assert not alive(second) and not alive(web.proc.pid)
