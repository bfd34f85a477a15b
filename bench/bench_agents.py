"""1,000 simulated station agents against gunicorn on PostgreSQL.

- Urgent delivery: every agent polls GET /api/v1/agent/urgent every 10 s (random
  phase, a new connection each time, as the agent's urllib does); an urgent
  announcement is sent and each agent's delay until it sees it is recorded
  (p50, p99, max; the target is every one within 30 s).
- Idle cost: the server's CPU (all gunicorn processes, from /proc) and peak RSS
  while the 1,000 agents idle-poll, against a baseline in the same run: the same
  load on GET /api/v1/keys (no token, no query).
- Bytes for a week of syncs: the agent fetches the listing each sync and a package
  only when its id changes; measured listing bytes (headers included) × syncs per
  week + changed packages, over the changed packages' bytes.

Uses its own database (LOA_BENCH_DATABASE_URL). Server CPU counts the gunicorn
processes only, not PostgreSQL's. `python -m bench.bench_agents`
(BENCH_AGENTS=200 and BENCH_IDLE_SECONDS=20 to scale down).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_broadcast_confirmations import (
    free_port,
    make_network,
    reset_broadcast,
    setup_django,
    start_gunicorn,
)

AGENTS = int(os.environ.get("BENCH_AGENTS", 1000))
POLL = 10.0
IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", 30))
SYNC_EVERY = 300  # the agent's default
PACKAGE_MB = float(os.environ.get("BENCH_PACKAGE_MB", 15))  # a week for a commune
CHANGES_PER_WEEK = 7  # a new package each day


async def _get(port: int, path: str, token: str | None) -> tuple[int, bytes, int]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}"
        "Connection: close\r\n\r\n".encode()
    )
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _sep, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, body, len(raw)


class Swarm:
    def __init__(self, port: int, tokens: list[str], path: str):
        self.port, self.tokens, self.path = port, tokens, path
        self.seen: dict[int, float] = {}
        self.latencies: list[float] = []
        self.errors = 0
        self.requests = 0
        self.stop = False

    async def agent(self, n: int, token: str | None):
        await asyncio.sleep(random.uniform(0, POLL))
        while not self.stop:
            t0 = time.monotonic()
            try:
                status, body, _size = await _get(self.port, self.path, token)
            except OSError:
                status, body = 0, b""
            self.latencies.append(time.monotonic() - t0)
            self.requests += 1
            if status != 200:
                self.errors += 1
            elif n not in self.seen and body.startswith(b"[{"):
                self.seen[n] = time.time()
            await asyncio.sleep(max(0.0, POLL - (time.monotonic() - t0)))

    async def run(self, seconds: float, with_tokens: bool = True, until=None):
        tasks = [
            asyncio.create_task(self.agent(n, t if with_tokens else None))
            for n, t in enumerate(self.tokens)
        ]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until and until()):
            await asyncio.sleep(0.2)
        self.stop = True
        await asyncio.gather(*tasks, return_exceptions=True)


def _family(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [pid] + [int(p) for p in out.stdout.split()]


def _cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / tick


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def idle_load(port, tokens, path, pids, with_tokens=True) -> dict:
    """Measured over IDLE seconds once every agent is polling (after one period)."""
    swarm = Swarm(port, tokens, path)
    peak = [0.0]
    window = {}

    async def main():
        async def sample():
            await asyncio.sleep(POLL)
            window.update(cpu=_cpu_seconds(pids), t=time.monotonic(), n=swarm.requests)
            swarm.latencies.clear()
            while not swarm.stop:
                peak[0] = max(peak[0], _rss_mb(pids))
                await asyncio.sleep(1)
            window.update(
                cpu=_cpu_seconds(pids) - window["cpu"],
                t=time.monotonic() - window["t"],
                n=swarm.requests - window["n"],
            )

        s = asyncio.create_task(sample())
        await swarm.run(POLL + IDLE, with_tokens)
        await s

    asyncio.run(main())
    wall = window["t"]
    lat = sorted(swarm.latencies)
    return {
        "cpu_percent": 100 * window["cpu"] / wall,
        "rss_mb": peak[0],
        "requests_per_s": window["n"] / wall,
        "errors": swarm.errors,
        "p50_ms": 1000 * lat[len(lat) // 2] if lat else 0,
        "p99_ms": 1000 * lat[int(len(lat) * 0.99)] if lat else 0,
    }


def main() -> None:
    setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from broadcast.agent_services import urgent_create
    from broadcast.models import UrgentAnnouncement, UrgentDelivery
    from broadcast.services import station_token_create
    from tests.media import ffmpeg

    UrgentDelivery.objects.all().delete()
    UrgentAnnouncement.objects.all().delete()
    reset_broadcast()
    fm, stations = make_network(AGENTS)
    tokens = [station_token_create(station=s)[1] for s in stations]
    district = fm.unit
    port = free_port()
    # Persistent database connections, as in production: a new PostgreSQL
    # connection per poll would dominate the cost of a 1-query request.
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    server = start_gunicorn(port, workers=2, threads=8)
    pids = _family(server.pid)
    # One package in the first station's listing, so its size is a real one.
    from datetime import date

    from broadcast.models import Package

    Package.objects.create(
        station=stations[0],
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 7),
        inputs_hash="0" * 64,
        status="ready",
        path="/nonexistent",
        bytes=int(PACKAGE_MB * 2**20),
        sha256="0" * 64,
    )
    try:
        for _ in range(8):  # both workers load Django before anything is timed
            asyncio.run(_get(port, "/api/v1/agent/urgent", tokens[0]))
            asyncio.run(_get(port, "/api/v1/keys", None))
        base = idle_load(port, tokens, "/api/v1/keys", pids, with_tokens=False)
        poll = idle_load(port, tokens, "/api/v1/agent/urgent", pids)
        print(
            f"idle polling, {AGENTS} agents every {POLL:.0f} s for {IDLE:.0f} s: "
            f"server CPU {poll['cpu_percent']:.0f}% of one core "
            f"(baseline /keys {base['cpu_percent']:.0f}%, ratio "
            f"{poll['cpu_percent'] / max(base['cpu_percent'], 0.1):.2f}), "
            f"RSS {poll['rss_mb']:.0f} MB (baseline {base['rss_mb']:.0f} MB), "
            f"{poll['requests_per_s']:.0f} req/s, poll p50 {poll['p50_ms']:.0f} ms "
            f"p99 {poll['p99_ms']:.0f} ms, errors {poll['errors']}",
            flush=True,
        )

        # Urgent delivery: the swarm runs, then the announcement is sent.
        mp3 = Path("/tmp") / f"bench-urgent-{os.getpid()}.mp3"
        ffmpeg("-f", "lavfi", "-i", "sine=frequency=800:duration=1", str(mp3))
        swarm = Swarm(port, tokens, "/api/v1/agent/urgent")
        sent = [0.0]

        async def deliver():
            async def send():
                await asyncio.sleep(POLL + 1)  # every agent is polling by now
                sent[0] = time.time()
                await asyncio.to_thread(
                    urgent_create,
                    title="Bench",
                    units=[district],
                    upload=SimpleUploadedFile("u.mp3", mp3.read_bytes()),
                )

            s = asyncio.create_task(send())
            await swarm.run(POLL + 1 + 45, until=lambda: len(swarm.seen) == AGENTS)
            await s

        asyncio.run(deliver())
        mp3.unlink()
        delays = sorted(t - sent[0] for t in swarm.seen.values())
        within = sum(1 for d in delays if d <= 30)
        print(
            f"urgent delivery: {len(delays)}/{AGENTS} agents learned of it, "
            f"{within} within 30 s; p50 {statistics.median(delays):.1f} s, "
            f"p99 {delays[int(len(delays) * 0.99) - 1]:.1f} s, max {delays[-1]:.1f} s"
            if delays
            else "urgent delivery: no agent saw it",
            flush=True,
        )

        # Bytes for a week of syncs: listing bytes measured, packages per change.
        status, body, listing = asyncio.run(_get(port, "/api/v1/packages", tokens[0]))
        assert status == 200, status
        syncs = 7 * 24 * 3600 // SYNC_EVERY
        pkg = PACKAGE_MB * 2**20
        moved = syncs * listing + CHANGES_PER_WEEK * pkg
        naive = syncs * pkg
        print(
            f"a week of syncs every {SYNC_EVERY} s ({syncs}), {CHANGES_PER_WEEK} "
            f"package changes of {PACKAGE_MB:.0f} MB: listing {listing} B each; "
            f"bytes moved / changed package bytes = "
            f"{moved / (CHANGES_PER_WEEK * pkg):.3f} "
            f"(downloading every sync would be {naive / (CHANGES_PER_WEEK * pkg):.0f})",
            flush=True,
        )
        print(json.dumps({"idle": poll, "baseline": base}), flush=True)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
