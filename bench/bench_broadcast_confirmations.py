"""Airing confirmations under load, against PostgreSQL through a real gunicorn.

20 concurrent clients post N confirmations (default 100,000) in batches of 500,
and 10 % of the batches are sent a second time, as phones do when an answer is
lost. Exactly N must be recorded. The baseline is a raw `bulk_create` of the same
rows in the same run (no checks, no airing update, no log): the ratio says what
the per-item rules and the hash-chained log cost.

Uses its own database (LOA_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/loa_bench), created if missing; never `test`.
`python -m bench.bench_broadcast_confirmations` (BENCH_CONFIRMATIONS=20000 to scale down).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = os.environ.get(
    "LOA_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loa_bench"
)
BATCH = 500
CLIENTS = 20
RESEND = 0.10


def setup_django() -> None:
    """Django on the benchmark database (created and migrated if needed)."""
    os.environ["DATABASE_URL"] = BENCH_DB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings.test")
    dbname = BENCH_DB.rsplit("/", 1)[1]
    assert dbname not in ("test", "postgres"), "use a database of its own"
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname],
        capture_output=True,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reset_broadcast() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        # The log's triggers refuse DELETE and TRUNCATE (as they should); the
        # benchmark's superuser connection turns triggers off for this reset only.
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(
            "TRUNCATE broadcast_confirmation, broadcast_distributionevent, broadcast_pendinglogevent, "
            "broadcast_logcheckpoint, broadcast_packagedownload, "
            "broadcast_plannedairing, broadcast_schedule_target_stations, "
            "broadcast_schedule, broadcast_package, broadcast_stationtoken, "
            "broadcast_staffassignment, broadcast_station, broadcast_unit CASCADE"
        )


def make_network(communes: int):
    """A province, one district with a district station, `communes` commune stations."""
    from broadcast.models import Station
    from loa.units.models import Unit

    province = Unit.objects.create(code="bench-p", name="Bench", level="province")
    district = Unit.objects.create(
        code="bench-d", name="Bench D", level="district", parent=province
    )
    fm = Station.objects.create(
        code="bench-fm", name="FM", unit=district, kind="district_radio"
    )
    stations = []
    for i in range(communes):
        u = Unit.objects.create(
            code=f"bench-c{i}", name=f"Xã {i}", level="commune", parent=district
        )
        stations.append(
            Station.objects.create(
                code=f"bench-c{i}-loa",
                name=f"Loa {i}",
                unit=u,
                kind="commune_loudspeaker",
            )
        )
    return fm, stations


def make_airings(
    stations, per_station: int, *, day=None, title="Bench item", start=None
) -> list[int]:
    from django.utils import timezone

    from broadcast.models import PlannedAiring, Schedule
    from broadcast.services import LOCAL_TZ

    day = day or timezone.localdate()
    sched = Schedule.objects.create(
        item=None,
        item_title=title,
        target_kind="stations",
        start_date=day,
        end_date=day,
        slot_times=["00:00"],
    )
    base = start or datetime.combine(day, datetime.min.time(), LOCAL_TZ)
    rows = [
        PlannedAiring(schedule=sched, station=s, planned_at=base + timedelta(seconds=k))
        for s in stations
        for k in range(per_station)
    ]
    PlannedAiring.objects.bulk_create(rows, batch_size=5000)
    return list(
        PlannedAiring.objects.filter(schedule=sched)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    port: int, *, workers: int = 4, threads: int = 4
) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": BENCH_DB}
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "loa.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "600",
            "--log-level",
            "warning",
            # The app loads once, before the workers fork: otherwise the first
            # seconds of the timed run are four workers importing Django on two
            # cores, and the ratio measures start-up, not confirmations.
            "--preload",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def raw_bulk_create(airing_ids: list[int]) -> float:
    """Seconds to bulk_create one confirmation per airing, no checks, no log; the
    rows are removed again (they belong to no batch, so verify_log would refuse
    them, rightly)."""
    from broadcast.models import Confirmation

    rows = [
        Confirmation(uuid=uuid.uuid4(), airing_id=a, status="aired", source="api")
        for a in airing_ids
    ]
    t0 = time.perf_counter()
    Confirmation.objects.bulk_create(rows, batch_size=BATCH)
    took = time.perf_counter() - t0
    Confirmation.objects.filter(batch__isnull=True).delete()
    return took


def warm_up(port: int, token: str, requests: int = 32) -> None:
    """Cheap authenticated requests from as many clients as the timed run uses,
    so every worker thread has its database connection before timing starts."""

    def one():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(
            "GET", "/api/v1/keys", headers={"Authorization": f"Bearer {token}"}
        )
        conn.getresponse().read()
        conn.close()

    for _ in range(requests // CLIENTS + 1):
        threads = [threading.Thread(target=one) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def main() -> None:
    setup_django()
    from broadcast.models import Confirmation, PlannedAiring
    from broadcast.services import station_token_create

    n = int(os.environ.get("BENCH_CONFIRMATIONS", 100_000))
    communes = 100
    reset_broadcast()
    fm, stations = make_network(communes)
    # Planned an hour ago: confirmations without a time say "aired now", which
    # must fall in the airing's window (from midnight it fails after 06:00).
    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    airing_ids = make_airings(
        stations, n // communes, day=timezone.localdate(start), start=start
    )
    n = len(airing_ids)

    # Baseline: the same rows straight into the table, timed before and after the
    # API run (the mean of the two), so a load that comes or goes on a shared
    # machine during the run weighs on both sides of the ratio alike.
    raw_before = raw_bulk_create(airing_ids)

    _t, token = station_token_create(station=fm)
    batches = [
        json.dumps(
            {
                "confirmations": [
                    {"uuid": str(uuid.uuid4()), "airing": a, "status": "aired"}
                    for a in airing_ids[i : i + BATCH]
                ]
            }
        ).encode()
        for i in range(0, n, BATCH)
    ]
    random.seed(5)
    resent = random.sample(range(len(batches)), max(1, int(len(batches) * RESEND)))
    work: queue.Queue = queue.Queue()
    for b in batches:
        work.put(b)
    # Re-sends go in after the originals they repeat, as after a lost answer.
    for i in resent:
        work.put(batches[i])
    tally = {"created": 0, "duplicate": 0, "other": 0, "errors": 0}
    lock = threading.Lock()
    port = free_port()
    server = start_gunicorn(port)
    warm_up(port, token)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                return
            conn.request(
                "POST",
                "/api/v1/airings",
                body,
                {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                },
            )
            resp = conn.getresponse()
            data = resp.read()
            with lock:
                if resp.status != 200:
                    tally["errors"] += 1
                    continue
                for r in json.loads(data):
                    key = r["result"] if r["result"] in tally else "other"
                    tally[key] += 1

    try:
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        api = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(30)
    recorded = Confirmation.objects.count()
    aired = PlannedAiring.objects.filter(status="aired").count()
    raw_after = raw_bulk_create(airing_ids)
    raw = (raw_before + raw_after) / 2
    print(
        f"confirmations: {n} in {len(batches)} batches of {BATCH}, {len(resent)} batches re-sent, {CLIENTS} clients"
    )
    print(f"  answers: {tally}")
    print(f"  recorded: {recorded} confirmations, {aired} airings aired (expected {n})")
    print(f"  API: {api:.1f} s = {n / api:,.0f} confirmations/s")
    print(
        f"  raw bulk_create: {raw:.2f} s = {n / raw:,.0f} rows/s "
        f"(before {raw_before:.2f} s, after {raw_after:.2f} s)"
    )
    print(
        f"  ratio API/raw throughput: {raw / api:.3f} (raw is {api / raw:.0f}x faster)"
    )
    from broadcast.log import verify_chain

    chain = verify_chain()
    print(
        f"  log: {chain.checked} events, {chain.pending} waiting for the chain, "
        f"{chain.confirmations} confirmations held against their batch roots; "
        f"{'intact' if chain.ok else chain.reason}"
    )
    assert recorded == n and aired == n, "lost or doubled confirmations"
    assert tally["duplicate"] == sum(
        len(json.loads(batches[i])["confirmations"]) for i in resent
    )
    assert chain.ok and chain.confirmations == n


if __name__ == "__main__":
    main()
