"""The 6-month report over 1,000,000 planned airings on PostgreSQL: time of the
whole summary (totals, missed reasons, coverage per item, downloads, by district)
and the query plans, against a baseline of one `count(*)` over the same rows.

BENCH_REPORT_AIRINGS=200000 scales down. Uses the benchmark database.
"""

from __future__ import annotations

import os
import time

from bench.bench_broadcast_confirmations import (
    make_network,
    reset_broadcast,
    setup_django,
)


def main() -> None:
    setup_django()
    from django.db import connection
    from django.db.models import Count

    from broadcast import reports
    from broadcast.models import PlannedAiring, Schedule, Station

    n = int(os.environ.get("BENCH_REPORT_AIRINGS", 1_000_000))
    reset_broadcast()
    _fm, stations = make_network(200)
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
    ids = [s.pk for s in stations] + [_fm.pk]
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        # Rows spread over the period, stations and items; 80 % aired, 10 % missed.
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
        cur.execute("ANALYZE broadcast_plannedairing")
        cur.execute("ANALYZE broadcast_confirmation")
    load = time.perf_counter() - t0
    rows = PlannedAiring.objects.count()

    f = reports.ReportFilter(start=start, end=end)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM broadcast_plannedairing")
        cur.fetchone()
    base = time.perf_counter() - t0

    reports.summary(station_ids=None, f=f)  # warm the cache as a real server would be
    t0 = time.perf_counter()
    data = reports.summary(station_ids=None, f=f)
    full = time.perf_counter() - t0
    district = {s.unit.parent_id for s in Station.objects.select_related("unit")[:1]}
    t0 = time.perf_counter()
    reports.summary(
        station_ids=set(
            Station.objects.filter(unit__parent_id__in=district).values_list(
                "pk", flat=True
            )
        ),
        f=f,
    )
    scoped = time.perf_counter() - t0

    print(
        f"report: {rows:,} planned airings over {start}..{end} (loaded in {load:.0f} s)"
    )
    print(f"  totals: {data['totals']}")
    print(
        f"  coverage rows: {len(data['coverage'])}, missed reasons: {data['missed_reasons']}"
    )
    print(f"  baseline count(*): {base * 1000:.0f} ms")
    print(
        f"  6-month summary (province): {full:.2f} s = {full / base:.1f}x the count(*)"
    )
    print(f"  6-month summary (one district's stations): {scoped:.2f} s")
    qs = reports.airings(station_ids=None, f=f)
    cells = (
        qs.values_list("schedule_id", "station_id", "status", "late", "missed_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    print("  plan of the summary's one aggregate pass:")
    for line in cells.explain(analyze=True).splitlines():
        print("    " + line)


if __name__ == "__main__":
    main()
