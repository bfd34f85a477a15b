"""As-run import speed, on PostgreSQL: one file of 20,000 lines (a header and
19,999 airings, the most a file may hold; BENCH_ASRUN_LINES),
each matched to one of the station's planned airings and recorded with its log
event. The target is under 3 s of server time.

The baseline, in the same run, is a raw `bulk_create` of the same 20,000
confirmation rows (no parsing, matching, checks, airing update or log); the ratio
says what the import costs on top of writing the rows. Also printed: the number of
queries (a set-based import needs a handful, whatever the length).

Uses the benchmark database of bench_broadcast_confirmations (never `test`).
`python -m bench.bench_broadcast_asrun`
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta

from bench.bench_broadcast_confirmations import (
    make_network,
    reset_broadcast,
    setup_django,
)

DAYS = 5


def main() -> None:
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from broadcast.asrun import import_asrun
    from broadcast.models import Confirmation, PlannedAiring, Schedule
    from broadcast.services import LOCAL_TZ

    n = int(os.environ.get("BENCH_ASRUN_LINES", 19_999))
    reset_broadcast()
    _fm, (station,) = make_network(1)
    # n airings spread evenly over the DAYS days before today: all of them still
    # young enough for a station to confirm (LOA_CONFIRM_DAYS), so every line is
    # recorded rather than refused as too old.
    first = timezone.localdate() - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / n
    sched = Schedule.objects.create(
        item=None,
        item_title="Bench item",
        target_kind="stations",
        start_date=first,
        end_date=timezone.localdate() - timedelta(days=1),
        slot_times=["00:00"],
    )
    base = datetime.combine(first, datetime.min.time(), LOCAL_TZ)
    PlannedAiring.objects.bulk_create(
        [
            PlannedAiring(
                schedule=sched,
                station=station,
                planned_at=base + step * k,
            )
            for k in range(n)
        ],
        batch_size=5000,
    )
    airings = list(PlannedAiring.objects.filter(schedule=sched).order_by("planned_at"))
    rows = [
        Confirmation(uuid=uuid.uuid4(), airing_id=a.pk, status="aired", source="api")
        for a in airings
    ]
    t0 = time.perf_counter()
    Confirmation.objects.bulk_create(rows, batch_size=500)
    raw = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("DELETE FROM broadcast_confirmation")

    item_id = _bench_item(sched)
    text = "start,content_id,duration\n" + "".join(
        f"{timezone.localtime(a.planned_at) + timedelta(seconds=5):%Y-%m-%d %H:%M:%S},"
        f"{item_id},30\n"
        for a in airings
    )
    raw_bytes = text.encode()
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        result = import_asrun(raw=raw_bytes, station=station)
    took = time.perf_counter() - t0
    created = sum(1 for r in result.results if r.get("result") == "created")
    assert created == n, (created, n, result.unmatched[:3])
    assert Confirmation.objects.count() == n
    print(
        f"asrun import: {n} lines in {took:.2f} s ({len(q)} queries); "
        f"raw bulk_create of the rows {raw:.2f} s; ratio import/raw "
        f"{took / raw:.1f}x; target < 3 s: {'met' if took < 3 else 'NOT met'}"
    )
    # Where the time goes: the database's share, by statement, and the rest.
    in_db = sum(float(x["time"]) for x in q.captured_queries)
    print(f"  in the database {in_db:.2f} s, in Python {took - in_db:.2f} s")
    for x in sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:5]:
        print(f"    {float(x['time']):6.2f} s  {x['sql'][:90]}")


def _bench_item(sched) -> int:
    """A published radio item for the schedule, so lines match by content id."""
    from wagtail.models import Page

    from broadcast.models import Schedule
    from cms.models import RadioItemPage

    item = Page.objects.filter(slug="bench-asrun-item").first()
    if item is None:
        root = Page.objects.filter(depth=2).first() or Page.get_first_root_node()
        item = root.add_child(
            instance=RadioItemPage(
                title="Bench", slug="bench-asrun-item", format="news"
            )
        )
    Schedule.objects.filter(pk=sched.pk).update(item_id=item.pk)
    return item.pk


if __name__ == "__main__":
    main()
