"""The agent's playout loop, offline (no server): priorities, an emergency item
interrupting a normal one, withdrawn content, and the journal."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from broadcast.agent.player import TimedPlayer
from broadcast.agent.service import Agent, Clock
from broadcast.agent.store import Store

T0 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def _agent_dir(tmp_path: Path, items: list[dict]) -> Store:
    store = Store(tmp_path / "agent")
    store.save_config(
        {
            "server": "http://127.0.0.1:9",
            "station": "s",
            "public_key": "",
            "enrolled_at": (T0 - timedelta(days=1)).isoformat(),
        },
        "loa_x",
    )
    pkg = store.root / "packages" / "p1"
    (pkg / "s" / "media").mkdir(parents=True)
    for item in items:
        (pkg / item["path"]).write_bytes(os.urandom(2000))
    (pkg / "manifest.json").write_text(
        json.dumps({"package_id": "p1", "items": items, "withdrawals": []})
    )
    os.symlink("packages/p1", store.root / "current")
    store.update_state(current_package="p1", withdrawn=[3])
    return store


def _item(cid: int, at: datetime, duration: float, priority: str = "normal"):
    return {
        "station": "s",
        "content_id": cid,
        "title": f"item {cid}",
        "path": f"s/media/{cid}.mp3",
        "sha256": "0" * 64,
        "duration": duration,
        "priority": priority,
        "planned_slots": [at.isoformat()],
    }


def _run(agent: Agent, seconds: float) -> None:
    t = threading.Thread(target=agent.run, daemon=True)
    agent.network_loop = agent.urgent_loop = lambda: None  # offline
    t.start()
    time.sleep(seconds)
    agent.stop_event.set()
    t.join(5)


def test_an_emergency_item_interrupts_a_normal_one_which_then_plays_again(tmp_path):
    items = [
        _item(1, T0, 1.5),
        _item(2, T0 + timedelta(seconds=10), 0.3, "emergency"),
        _item(3, T0, 0.2),  # withdrawn: never plays
    ]
    store = _agent_dir(tmp_path, items)
    clock = Clock(T0 - timedelta(seconds=1), speed=20)
    out = tmp_path / "amp.mp3"
    agent = Agent(store, TimedPlayer(out, clock), clock)
    _run(agent, 3.5)
    plays = json.loads(Path(f"{out}.json").read_text())
    assert [(p["content_id"], p["outcome"]) for p in plays] == [
        (1, "interrupted"),
        (2, "played"),
        (1, "played"),
    ]
    journal = [r for r in store.journal() if r["type"] == "play"]
    assert [(r["content_id"], r["outcome"]) for r in journal] == [
        (1, "interrupted"),
        (2, "aired"),
        (1, "aired"),
    ]
    # Interrupted attempts are not confirmations; each airing is queued once.
    assert sorted(r["content_id"] for r in store.queued()) == [1, 2]


def test_a_missing_media_file_is_journalled_missed_with_the_players_error(tmp_path):
    store = _agent_dir(tmp_path, [_item(1, T0, 0.2)])
    (store.root / "current" / "s/media/1.mp3").unlink()
    clock = Clock(T0 - timedelta(seconds=0.5), speed=1)
    agent = Agent(store, TimedPlayer(None, clock), clock)
    _run(agent, 1.5)
    [rec] = store.queued()
    assert rec["outcome"] == "missed" and rec["reason"] == "equipment"
    assert "cannot open" in rec["error"] and rec["exit_code"] == 1


def test_on_a_full_disk_a_play_airs_once_and_is_journalled_when_there_is_room(
    tmp_path,
):
    from tests.full_disk import fill, small_tmpfs

    with small_tmpfs(tmp_path, "4m") as disk:
        store = _agent_dir(disk, [_item(1, T0, 0.5)])
        (store.root / "reserve").unlink(missing_ok=True)  # given back earlier
        filler = fill(disk)
        clock = Clock(T0 - timedelta(seconds=1), speed=10)
        out = tmp_path / "amp.mp3"  # the amplifier is not on the full disk
        agent = Agent(store, TimedPlayer(out, clock), clock)
        _run(agent, 2.5)
        plays = json.loads(Path(f"{out}.json").read_text())
        # Aired once: a journal line it could not write does not make it replay.
        assert [(p["content_id"], p["outcome"]) for p in plays] == [(1, "played")]
        assert store.journal() == []
        assert agent.last_error["code"] == "disk_full"
        filler.unlink()
        agent.flush_journal()
        [rec] = store.journal()
        assert (rec["content_id"], rec["outcome"]) == (1, "aired")
        assert [r["uuid"] for r in store.queued()] == [rec["uuid"]]
