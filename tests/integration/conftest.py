"""Integration tests run against the real PostgreSQL and Redis, with a real
`celery worker` process. Without those servers they are skipped with a message
naming what is missing, except under CI=true, where a missing server fails the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real worker process consuming the default and media queues, pointed at the
    test database and this session's media folder."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loa.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOA_TEST_VAR": os.environ["LOA_TEST_VAR"],
    }
    log = Path(os.environ["LOA_TEST_VAR"]) / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "loa",
                "worker",
                "-Q",
                "default,media",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"celery worker exited: {log.read_text()[-3000:]}")
        if b"ready." in log.read_bytes():
            break
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"celery worker did not start: {log.read_text()[-3000:]}")
    proc.log_path = log
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_for(
    predicate, *, timeout: float = 60, interval: float = 0.3, what: str = "condition"
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def library(db):
    """The demo province without media; its library, where test items go."""
    from cms.models import LibraryIndexPage
    from demo.loader import load_demo

    load_demo(with_media=False)
    return LibraryIndexPage.objects.get(slug="thu-vien")
