"""The agent as a service: sync, play on schedule by priority, take urgent
announcements, journal every play, report, and send a heartbeat.

Three threads: the network loop (sync, report, heartbeat), the urgent poll, and the
main loop, the only one that touches the player. Playback never waits on the link:
offline for days, the agent plays what it has and reports when the link is back.
"""

# The agent runs on Python 3.9 (Debian 11, older Raspberry Pi OS): no datetime.UTC.
# ruff: noqa: UP017

from __future__ import annotations

import errno
import shutil
import threading
import time
import traceback
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import VERSION
from .client import Client, DiskFull, LinkError, ServerError
from .package import (
    Refused,
    current_dir,
    current_manifest,
    local_date,
    sha256_file,
    sync,
)
from .store import Store

PRIORITY_RANK = {"emergency": 0, "priority": 1, "normal": 2}
BATCH = 500
HEARTBEAT_EVERY = (
    60  # seconds; "silent for a day" needs far less, 1,000 agents cost little
)


class Clock:
    """Wall-clock time, or (for tests and rehearsals) time starting at `start` and
    running `speed` times faster, so a day's schedule plays in minutes."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0):
        self.start, self.speed = start, speed
        self.m0 = time.monotonic()

    def now(self) -> datetime:
        if self.start is None:
            return datetime.now(timezone.utc)
        return self.start + timedelta(seconds=(time.monotonic() - self.m0) * self.speed)

    def iso(self) -> str:
        return self.now().isoformat(timespec="milliseconds")


@dataclass
class Slot:
    at: datetime
    station: str
    item: dict

    @property
    def key(self) -> str:
        return f"{self.station}|{self.item.get('content_id')}|{self.at.isoformat()}"

    @property
    def rank(self) -> int:
        return PRIORITY_RANK.get(self.item.get("priority") or "normal", 2)


def plan(manifest: dict | None, station: str, withdrawn: set) -> list[Slot]:
    """The station's fixed slots, in order of time, then priority. Flexible ones
    ("N times in the period", marked ~) are the commune's to place, not the agent's."""
    slots = []
    for item in (manifest or {}).get("items", []):
        if item.get("station") != station or item.get("content_id") in withdrawn:
            continue
        for s in item.get("planned_slots", []):
            if not isinstance(s, str) or s.endswith("~"):
                continue
            try:
                at = datetime.fromisoformat(s).astimezone(timezone.utc)
            except ValueError:
                continue
            slots.append(Slot(at, station, item))
    slots.sort(key=lambda s: (s.at, s.rank, s.item.get("content_id") or 0))
    return slots


def free_disk(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return -1


class Agent:
    def __init__(
        self,
        store: Store,
        player,
        clock: Clock,
        *,
        sync_every: float = 300,
        urgent_every: float = 10,
        late_minutes: float = 30,
    ):
        self.store, self.player, self.clock = store, player, clock
        self.cfg = store.config()
        self.client = Client(self.cfg["server"], store.token())
        self.sync_every, self.urgent_every = sync_every, urgent_every
        self.late = timedelta(minutes=late_minutes)
        self.stop_event = threading.Event()
        self.urgent: deque = deque()
        self.urgent_seen = set(store.state().get("urgent_seen", []))
        self.final = {
            r["key"]
            for r in store.journal()
            if r.get("type") == "play" and r.get("outcome") in ("aired", "missed")
        }
        # Play records the journal could not take (a full disk): kept in memory and
        # written by the network loop once there is room.
        self.unjournalled: deque = deque()
        self.last_error: dict | None = None

    # --- network -----------------------------------------------------------------

    def note_error(self, code: str, detail: str) -> None:
        self.last_error = {"code": code, "detail": detail[:500], "at": self.clock.iso()}
        try:
            self.store.update_state(last_error=self.last_error)
        except OSError:
            pass  # a full disk: the heartbeat still carries it, from memory

    def sync_once(self) -> None:
        try:
            sync(self.store, self.client, today=local_date(self.clock.now()))
        except Refused as exc:
            self.note_error(exc.code, exc.detail)
            self.alert("package_refused", f"{exc.code}: {exc.detail}")
        except DiskFull as exc:
            self.note_error("disk_full", str(exc))
        except (LinkError, ServerError) as exc:
            self.note_error("link", str(exc))

    def alert(self, code: str, detail: str) -> None:
        alerts = self.store.state().get("alerts", [])
        alerts.append({"code": code, "detail": detail[:500], "at": self.clock.iso()})
        self.store.update_state(alerts=alerts[-50:])

    def report_once(self) -> int:
        return report(self.store, self.client)

    def heartbeat(self) -> None:
        state = self.store.state()
        body = {
            "version": VERSION,
            "free_disk_bytes": free_disk(self.store.root),
            "current_package": state.get("current_package", ""),
            "player": self.player.name,
            "player_ok": self.player.healthy(),
            "last_error": self.last_error or state.get("last_error") or {},
            "alerts": state.get("alerts", []),
            "queued": len(self.store.queued()),
            "clock_offset_s": self.client.clock_offset,
        }
        self.client.post_json("/agent/heartbeat", body)
        sent = len(body["alerts"])
        if sent:
            with self.store.lock:  # keep alerts raised while this was in flight
                self.store.update_state(alerts=self.store.state()["alerts"][sent:])

    def _guarded(self, step) -> bool:
        """Run one step of the network loop; a failure is noted, never fatal, and
        does not stop the next step (a full disk must not silence the heartbeat)."""
        try:
            step()
            return True
        except (LinkError, ServerError) as exc:
            self.note_error("link", str(exc))
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                self.note_error("internal", traceback.format_exc())
            else:
                self.note_error("disk_full", str(exc))
        except Exception:  # noqa: BLE001 - the service must outlive any bug
            self.note_error("internal", traceback.format_exc())
        return False

    def network_loop(self) -> None:
        last_sync = last_beat = -1e9
        while not self.stop_event.is_set():
            if time.monotonic() - last_sync >= self.sync_every:
                self._guarded(self.sync_once)
                last_sync = time.monotonic()
            if self.unjournalled:
                self._guarded(self.flush_journal)
            self._guarded(self.report_once)
            if time.monotonic() - last_beat >= HEARTBEAT_EVERY:
                if self._guarded(self.heartbeat):
                    last_beat = time.monotonic()
            # Plays are reported within seconds of airing when the link is up.
            self.stop_event.wait(min(self.sync_every, 5))

    def urgent_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.poll_urgent()
            except (LinkError, ServerError) as exc:
                self.note_error("link", str(exc))
            except Exception:  # noqa: BLE001
                self.note_error("internal", traceback.format_exc())
            self.stop_event.wait(self.urgent_every)

    def poll_urgent(self) -> None:
        for a in self.client.get_json("/agent/urgent"):
            aid = a.get("id")
            if aid is None or aid in self.urgent_seen:
                continue
            dest = self.store.root / "urgent" / f"{aid}{a.get('extension', '.mp3')}"
            try:
                self.client.download(a["audio_url"], dest, a.get("etag", ""))
                if a.get("sha256") and sha256_file(dest) != a["sha256"]:
                    dest.unlink()
                    raise Refused("bad_download", "urgent audio checksum differs")
            except (Refused, DiskFull) as exc:
                self.urgent_state(aid, "failed", str(exc))
                self.urgent_seen.add(aid)
                continue
            self.urgent_seen.add(aid)
            self.store.update_state(urgent_seen=sorted(self.urgent_seen))
            self.urgent_state(aid, "delivered")
            self.urgent.append({**a, "path": str(dest)})

    def urgent_state(self, aid, state: str, detail: str = "", plays: int = 0) -> None:
        try:
            self.client.post_json(
                f"/agent/urgent/{aid}/state",
                {
                    "state": state,
                    "detail": detail[:500],
                    "plays": plays,
                    "at": self.clock.iso(),
                },
            )
        except (LinkError, ServerError) as exc:
            self.note_error("link", str(exc))

    # --- playing -----------------------------------------------------------------

    def _play_urgent(self, a: dict) -> None:
        threading.Thread(
            target=self.urgent_state, args=(a["id"], "playing"), daemon=True
        ).start()
        plays, error = 0, ""
        for _n in range(max(int(a.get("repeat") or 1), 1)):
            pb = self.player.start(
                Path(a["path"]),
                a.get("duration") or 0,
                {"kind": "urgent", "urgent_id": a["id"], "title": a.get("title", "")},
            )
            code = self._wait(pb, interruptible=False)
            if code != 0:
                error = pb.error or f"player exit code {code}"
                break
            plays += 1
        try:
            self.store.journal_append(
                {
                    "type": "urgent",
                    "urgent_id": a["id"],
                    "plays": plays,
                    "error": error,
                    "at": self.clock.iso(),
                }
            )
        except OSError as exc:  # a full disk: the server still hears how it went
            self.note_error("disk_full", f"play journal: {exc}")
        threading.Thread(
            target=self.urgent_state,
            args=(a["id"], "failed" if error else "played", error, plays),
            daemon=True,
        ).start()

    def _wait(self, pb, *, interruptible: bool, rank: int = 2):
        while True:
            code = pb.poll()
            if code is not None:
                return code
            if interruptible and (self.urgent or self._emergency_due(rank)):
                pb.stop()
                return None
            time.sleep(0.05)

    def _emergency_due(self, rank: int) -> bool:
        if rank == 0:
            return False
        now = self.clock.now()
        return any(s.rank == 0 for s in self.due(now))

    def due(self, now: datetime) -> list[Slot]:
        state = self.store.state()
        manifest = self._manifest(state.get("current_package"))
        slots = plan(manifest, self.cfg["station"], set(state.get("withdrawn", [])))
        return [
            s
            for s in slots
            if s.at <= now and s.key not in self.final and s.at >= now - self.late
        ]

    def _manifest(self, pid):
        if getattr(self, "_manifest_for", None) != pid:
            self._manifest_cache = current_manifest(self.store)
            self._manifest_for = pid
        return self._manifest_cache

    def mark_missed(self, now: datetime) -> None:
        """Slots that passed beyond the late window unplayed (the agent was off)."""
        state = self.store.state()
        since = datetime.fromisoformat(self.cfg["enrolled_at"])
        slots = plan(
            self._manifest(state.get("current_package")),
            self.cfg["station"],
            set(state.get("withdrawn", [])),
        )
        for s in slots:
            if since <= s.at < now - self.late and s.key not in self.final:
                self._journal_play(
                    s,
                    "missed",
                    None,
                    None,
                    0,
                    "other",
                    "not played within its slot window",
                )

    def _journal_play(self, slot, outcome, started, stopped, code, reason, error):
        rec = {
            "type": "play",
            "uuid": str(uuid.uuid4()),
            "key": slot.key,
            "station": slot.station,
            "content_id": slot.item.get("content_id"),
            "title": slot.item.get("title", ""),
            "planned_at": slot.at.isoformat(),
            "sha256": slot.item.get("sha256", ""),
            "started_at": started,
            "stopped_at": stopped,
            "outcome": outcome,
            "exit_code": code,
            "reason": reason,
            "error": error,
            "priority": slot.item.get("priority") or "normal",
            "clock_offset_s": self.client.clock_offset,
        }
        # Final before it is written: a full disk must not make the slot play again.
        if outcome in ("aired", "missed"):
            self.final.add(slot.key)
        try:
            self.store.journal_append(rec)
        except OSError as exc:
            self.unjournalled.append(rec)
            self.note_error("disk_full", f"play journal: {exc}")

    def flush_journal(self) -> None:
        while self.unjournalled:
            self.store.journal_append(self.unjournalled[0])
            self.unjournalled.popleft()

    def play_slot(self, slot: Slot) -> None:
        folder = current_dir(self.store)
        state = self.store.state()
        if slot.item.get("content_id") in set(state.get("withdrawn", [])):
            return
        media = (folder / slot.item["path"]) if folder else Path("/nonexistent")
        started = self.clock.iso()
        pb = self.player.start(
            media,
            slot.item.get("duration") or 0,
            {
                "kind": "schedule",
                "content_id": slot.item.get("content_id"),
                "title": slot.item.get("title", ""),
                "planned_at": slot.at.isoformat(),
                "priority": slot.item.get("priority") or "normal",
            },
        )
        code = self._wait(pb, interruptible=True, rank=slot.rank)
        stopped = self.clock.iso()
        if code is None:
            # Interrupted by an urgent announcement or an emergency item: it plays
            # again from the start once those are done.
            self._journal_play(slot, "interrupted", started, stopped, -15, "", "")
            return
        if code == 0 and media.is_file():
            self._journal_play(slot, "aired", started, stopped, 0, "", "")
        else:
            self._journal_play(
                slot,
                "missed",
                started,
                stopped,
                code,
                "equipment",
                pb.error or f"player exit code {code}",
            )

    def tick(self) -> bool:
        if self.urgent:
            self._play_urgent(self.urgent.popleft())
            return True
        now = self.clock.now()
        self.mark_missed(now)
        due = self.due(now)
        if due:
            due.sort(key=lambda s: (s.rank, s.at))
            self.play_slot(due[0])
            return True
        return False

    def run(self) -> None:
        threads = [
            threading.Thread(target=self.network_loop, daemon=True),
            threading.Thread(target=self.urgent_loop, daemon=True),
        ]
        for t in threads:
            t.start()
        try:
            while not self.stop_event.is_set():
                try:
                    if not self.tick():
                        time.sleep(0.1)
                except Exception:  # noqa: BLE001
                    self.note_error("internal", traceback.format_exc())
                    time.sleep(1)
        finally:
            self.stop_event.set()


def report(store: Store, client: Client) -> int:
    """Send queued plays as confirmations (source `agent`); the server's answer per
    uuid is kept, so each is sent until acknowledged and counted once."""
    sent = 0
    queued = store.queued()
    for i in range(0, len(queued), BATCH):
        batch = queued[i : i + BATCH]
        body = {
            "plays": [
                {
                    "uuid": r["uuid"],
                    "station": r["station"],
                    "content_id": r["content_id"],
                    "planned_at": r["planned_at"],
                    "status": r["outcome"],
                    "aired_at": r.get("started_at"),
                    "stopped_at": r.get("stopped_at"),
                    "sha256": r.get("sha256", ""),
                    "exit_code": r.get("exit_code"),
                    "reason": r.get("reason", ""),
                    "error": r.get("error", ""),
                    "clock_offset_s": r.get("clock_offset_s"),
                }
                for r in batch
            ],
            "clock_offset_s": client.clock_offset,
        }
        answer = client.post_json("/agent/plays", body)
        results = {a["uuid"]: a["result"] for a in answer.get("results", [])}
        done = [u for u, res in results.items() if res != "retry"]
        store.mark_sent(done, results)
        sent += len(done)
    store.update_state(last_report=datetime.now(timezone.utc).isoformat())
    return sent


def status(store: Store, now: datetime) -> dict:
    cfg = store.config()
    state = store.state()
    slots = plan(
        current_manifest(store), cfg["station"], set(state.get("withdrawn", []))
    )
    return {
        "server": cfg["server"],
        "station": cfg["station"],
        "current_package": state.get("current_package"),
        "period": state.get("current_period"),
        "last_sync": state.get("last_sync"),
        "last_report": state.get("last_report"),
        "next_airings": [
            {
                "at": s.at.isoformat(),
                "title": s.item.get("title"),
                "priority": s.item.get("priority") or "normal",
            }
            for s in slots
            if s.at >= now
        ][:10],
        "queued_confirmations": len(store.queued()),
        "withdrawn": state.get("withdrawn", []),
        "last_error": state.get("last_error"),
        "free_disk_bytes": free_disk(store.root),
        "version": VERSION,
    }
