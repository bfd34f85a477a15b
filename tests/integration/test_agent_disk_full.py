"""The agent on a genuinely full filesystem: its folder is on a small tmpfs that the
test fills with a file until the kernel answers ENOSPC. No mocks: every write the
agent makes meets the real full disk."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import timedelta

import pytest

from broadcast.agent.store import RESERVE_BYTES
from broadcast.models import AgentStatus, Confirmation
from tests.full_disk import fill, free, small_tmpfs

from .agent_support import (
    STATION,
    agent,
    agent_popen,
    audio_item,
    build,
    local_instant,
    schedule,
    sidecar,
    slot_today,
)
from .conftest import wait_for
from .test_agent import enroll, stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def small_disk(tmp_path):
    with small_tmpfs(tmp_path, "16m") as mnt:
        yield mnt


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr


def test_full_disk_is_reported_and_the_previous_package_keeps_playing(
    live_server, library, small_disk, tmp_path
):
    first_item = audio_item(library, tmp_path, "Bản tin")
    first_slot = slot_today(30)
    schedule(first_item, [first_slot])
    first = build()
    d = small_disk / "agent"
    enroll(live_server.url, d)
    assert json.loads(agent("sync", "--dir", d).stdout)["outcome"] == "switched"
    playing = {p.name: p.read_bytes() for p in (d / "current").rglob("*.mp3")}
    assert playing

    more = [audio_item(library, tmp_path, f"Phóng sự {n}", seconds=8) for n in range(3)]
    for n, it in enumerate(more):
        schedule(it, [slot_today(25 - n)])
    second = build()
    assert second.bytes > 200_000

    # 1. Room for half the new package: the download itself meets ENOSPC.
    filler = fill(small_disk, leave=second.bytes // 2)
    done = agent("sync", "--dir", d, check=False)
    no_traceback(done)
    assert done.returncode == 5, done.stdout + done.stderr
    assert json.loads(done.stdout)["outcome"] == "disk_full"
    assert (d / "current").resolve().name == str(first.public_id)
    assert {p.name: p.read_bytes() for p in (d / "current").rglob("*.mp3")} == playing
    assert not list((d / "packages").glob(".staging-*"))
    # The partial download is given back: the play journal needs the room more.
    assert not list((d / "downloads").iterdir())
    status = json.loads(agent("status", "--dir", d).stdout)
    assert status["last_error"]["code"] == "disk_full"
    assert status["current_package"] == str(first.public_id)

    # 2. Not a byte free: the agent still records why, and says so in its status.
    filler.unlink()
    filler = fill(small_disk)
    assert free(small_disk) < 4096
    done = agent("sync", "--dir", d, check=False)
    no_traceback(done)
    assert done.returncode == 5, done.stdout + done.stderr
    status_run = agent("status", "--dir", d, check=False)
    no_traceback(status_run)
    status = json.loads(status_run.stdout)
    assert status["last_error"]["code"] == "disk_full"
    # What is free is the reserve the agent gave back to write this.
    assert status["free_disk_bytes"] <= RESERVE_BYTES + 4096
    assert (d / "current").resolve().name == str(first.public_id)

    # 3. The service on the full disk keeps running: the slot due now airs once
    # (not again and again for want of a journal line), and the heartbeat tells Loa.
    out = tmp_path / "amp.mp3"
    proc = agent_popen(
        "run",
        "--dir",
        d,
        "--player",
        f"file:{out}",
        "--start-at",
        (local_instant(first_slot) - timedelta(seconds=1)).isoformat(),
        "--sync-every",
        "1",
        "--urgent-every",
        "1",
        log=tmp_path / "agent.log",
    )
    try:
        beat = wait_for(
            lambda: AgentStatus.objects.filter(
                station__code=STATION, last_error__code="disk_full"
            ).first(),
            timeout=60,
            what="a heartbeat reporting the full disk",
        )
        wait_for(
            lambda: any(e["outcome"] == "played" for e in sidecar(out)),
            timeout=60,
            what="the item due now, played on the full disk",
        )
        time.sleep(4)  # longer than the item: it would have started again
        assert [e["outcome"] for e in sidecar(out)] == ["played"]
        assert proc.poll() is None, (tmp_path / "agent.log").read_text()

        # 4. Room again: the play is confirmed, once (journalled with the room the
        # reserve gave back, or from memory once the disk has room).
        filler.unlink()
        wait_for(
            lambda: Confirmation.objects.filter(source="agent").count() == 1,
            timeout=60,
            what="the confirmation once the disk has room",
        )
    finally:
        stop(proc)
    assert beat.free_disk_bytes is not None
    assert beat.free_disk_bytes <= RESERVE_BYTES + 4096
    assert beat.current_package == str(first.public_id)
    assert "Traceback" not in (tmp_path / "agent.log").read_text()
    assert not list((d / "packages").glob(".staging-*"))
    assert Confirmation.objects.get(source="agent").airing.status == "aired"
    assert json.loads(agent("report", "--dir", d).stdout) == {"sent": 0, "queued": 0}

    # 5. The service's next sync, or this one, switches as if nothing had happened.
    result = json.loads(agent("sync", "--dir", d).stdout)
    assert result["outcome"] in ("switched", "up_to_date")
    assert (d / "current").resolve().name == str(second.public_id)
    assert (d / "reserve").exists()
