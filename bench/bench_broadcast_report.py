"""The 6-month report over 1,000,000 planned airings on PostgreSQL: time of the
whole summary (totals, missed reasons, coverage per item, downloads, by district)
for the province and for one district, and the query plans, against a baseline
of one plain `count(*)` over the same airings in the same run.

The summary reads the airing tally that database triggers keep on every write
(broadcast.AiringTally); the same summary counted from the airings one by one is
timed too, and both must agree. The write cost the triggers add is measured as a
500-row UPDATE (a batch of confirmations) with and without them.

BENCH_REPORT_AIRINGS=200000 scales down. Uses the benchmark database
(LOA_BENCH_DATABASE_URL), never `test`.
"""

from __future__ import annotations

import os
import statistics
import time

from bench.bench_broadcast_confirmations import reset_broadcast, setup_django

DISTRICTS = 10
COMMUNES_PER_DISTRICT = 20


def make_province():
    """A province of DISTRICTS districts, each with an FM station and
    COMMUNES_PER_DISTRICT commune stations."""
    from broadcast.models import Station, Unit

    province = Unit.objects.create(code="bench-p", name="Bench", level="province")
    stations = []
    for d in range(DISTRICTS):
        district = Unit.objects.create(
            code=f"bench-d{d}", name=f"Huyện {d}", level="district", parent=province
        )
        stations.append(
            Station.objects.create(
                code=f"bench-d{d}-fm", name="FM", unit=district, kind="district_radio"
            )
        )
        for c in range(COMMUNES_PER_DISTRICT):
            u = Unit.objects.create(
                code=f"bench-d{d}-c{c}",
                name=f"Xã {d}.{c}",
                level="commune",
                parent=district,
            )
            stations.append(
                Station.objects.create(
                    code=f"bench-d{d}-c{c}-loa",
                    name=f"Loa {d}.{c}",
                    unit=u,
                    kind="commune_loudspeaker",
                )
            )
    return stations


def _best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _explain(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [r[0] for r in cur.fetchall()]


def main() -> None:
    setup_django()
    from django.db import connection, transaction
    from django.db.models import Count

    from broadcast import reports
    from broadcast.models import AiringTally, PlannedAiring, Schedule, Station

    n = int(os.environ.get("BENCH_REPORT_AIRINGS", 1_000_000))
    reset_broadcast()
    with connection.cursor() as cur:
        # reset_broadcast truncates with triggers off, so the tally's own
        # TRUNCATE trigger did not run.
        cur.execute("TRUNCATE broadcast_airingtally")
    stations = make_province()
    start, end, _due = reports.period_dates("semiannual", 2026)
    days = (end - start).days + 1
    items = 20
    scheds = [
        Schedule.objects.create(
            item=None,
            item_title=f"Bản tin {k}",
            target_kind="stations",
            start_date=start,
            end_date=end,
            slot_times=["06:00"],
        ).pk
        for k in range(items)
    ]
    ids = [s.pk for s in stations]
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        # Rows spread over the period, stations and items; 80 % aired, 10 % missed.
        # One statement: the triggers fold it into the tally once.
        cur.execute(
            """
            INSERT INTO broadcast_plannedairing
                (schedule_id, station_id, planned_at, flexible, status, aired_at,
                 missed_reason, late)
            SELECT (%(s)s::bigint[])[1 + i %% %(items)s],
                   (%(st)s::bigint[])[1 + (i / %(items)s) %% %(nst)s],
                   %(start)s::timestamptz + ((i * 7919) %% (%(days)s * 86400)) * interval '1 second',
                   false,
                   CASE WHEN i %% 10 < 8 THEN 'aired' WHEN i %% 10 = 8 THEN 'missed'
                        ELSE 'planned' END,
                   NULL,
                   CASE WHEN i %% 10 = 8
                        THEN (ARRAY['power','equipment','weather','other'])[1 + i %% 4]
                        ELSE '' END,
                   i %% 50 = 0
            FROM generate_series(0::bigint, %(n)s - 1) AS i
            ON CONFLICT DO NOTHING
            """,
            {
                "s": scheds,
                "items": items,
                "st": ids,
                "nst": len(ids),
                "start": f"{start}T00:00:00+07:00",
                "days": days,
                "n": n,
            },
        )
        cur.execute(
            """
            INSERT INTO broadcast_confirmation
                (uuid, airing_id, status, aired_at, reason, note, source, received_at,
                 late)
            SELECT gen_random_uuid(), id, status,
                   CASE WHEN status = 'aired' THEN planned_at END,
                   missed_reason,
                   '', 'api', now(), late
            FROM broadcast_plannedairing WHERE status IN ('aired', 'missed')
            """
        )
        for table in ("plannedairing", "confirmation", "airingtally"):
            cur.execute(f"VACUUM ANALYZE broadcast_{table}")
    load = time.perf_counter() - t0
    rows = PlannedAiring.objects.count()
    tally_rows = AiringTally.objects.count()

    def count_all():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM broadcast_plannedairing")
            cur.fetchone()

    f = reports.ReportFilter(start=start, end=end)
    district = "bench-d3"
    scope = set(
        Station.objects.filter(unit__code__startswith=f"{district}").values_list(
            "pk", flat=True
        )
    )

    def tallied(station_ids):
        return reports.summary(station_ids=station_ids, f=f)

    def raw(station_ids):
        return reports._fold(
            reports._cells(reports.airings(station_ids=station_ids, f=f))
        )

    count_all()  # warm the cache as a real server would be
    tallied(None)
    base = _best(count_all)
    full = _best(lambda: tallied(None))
    scoped = _best(lambda: tallied(scope))
    raw_full = _best(lambda: raw(None), runs=2)
    raw_scoped = _best(lambda: raw(scope), runs=2)
    data = tallied(None)
    counted = raw(None)
    assert data["totals"] == counted["totals"], (data["totals"], counted["totals"])
    assert data["by_district"] == counted["by_district"]
    assert data["coverage"] == counted["coverage"]
    scoped_counted = raw(scope)
    assert tallied(scope)["totals"] == scoped_counted["totals"]

    # What the triggers cost a write: a 500-row UPDATE (a confirmation batch's
    # bulk_update), rolled back, with the triggers and without.
    batch = list(
        PlannedAiring.objects.filter(status="planned")
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )

    def update_batch(triggers: bool) -> float:
        with transaction.atomic(), connection.cursor() as cur:
            if not triggers:
                cur.execute("SET LOCAL session_replication_role = replica")
            t0 = time.perf_counter()
            cur.execute(
                "UPDATE broadcast_plannedairing SET status = 'aired', "
                "aired_at = planned_at WHERE id = ANY(%s)",
                [batch],
            )
            took = time.perf_counter() - t0
            transaction.set_rollback(True)
        return took

    with_t = statistics.median(update_batch(True) for _ in range(7))
    without_t = statistics.median(update_batch(False) for _ in range(7))

    print(
        f"report: {rows:,} planned airings over {start}..{end}, {len(ids)} stations "
        f"in {DISTRICTS} districts (loaded in {load:.0f} s); "
        f"tally: {tally_rows:,} rows"
    )
    print(f"  load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  totals: {data['totals']}")
    print(
        f"  coverage rows: {len(data['coverage'])}, "
        f"missed reasons: {data['missed_reasons']}"
    )
    print(f"  baseline count(*): {base * 1000:.0f} ms")
    print(
        f"  6-month summary (province): {full:.3f} s = {full / base:.2f}x the "
        f"count(*); counted airing by airing: {raw_full:.3f} s = "
        f"{raw_full / base:.2f}x"
    )
    print(
        f"  6-month summary (one district, {len(scope)} stations): {scoped:.3f} s = "
        f"{scoped / base:.2f}x the count(*); counted airing by airing: "
        f"{raw_scoped:.3f} s = {raw_scoped / base:.2f}x"
    )
    print(
        f"  500-row UPDATE: {with_t * 1000:.1f} ms with the tally triggers, "
        f"{without_t * 1000:.1f} ms without = {with_t / without_t:.2f}x"
    )
    for label, ids_ in (("province", None), ("one district", scope)):
        cells = reports.tally_cells_query(station_ids=ids_, f=f)
        sql, params = cells.query.sql_with_params()
        print(f"  plan of the summary's tally pass ({label}):")
        for line in _explain(sql, params):
            print("    " + line)
    sql, params = (
        reports.airings(station_ids=None, f=f)
        .values_list(
            "schedule_id", "station_id", "unit_id", "status", "late", "missed_reason"
        )
        .annotate(n=Count("pk"))
        .order_by()
        .query.sql_with_params()
    )
    print("  plan of the same pass over the airings (province), for comparison:")
    for line in _explain(sql, params):
        print("    " + line)


if __name__ == "__main__":
    main()
