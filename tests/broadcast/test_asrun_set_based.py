"""An as-run import is set-based: the number of queries does not grow with the
number of lines."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from broadcast.asrun import import_asrun
from broadcast.models import Confirmation, Station
from broadcast.services import LOCAL_TZ, schedule_create

pytestmark = pytest.mark.django_db


def _log(item_id: int, day, slots: list[str]) -> bytes:
    lines = ["start,file,duration"]
    for s in slots:
        hh, mm = (int(x) for x in s.split(":"))
        at = datetime.combine(day, time(hh, mm), LOCAL_TZ) + timedelta(minutes=1)
        lines.append(f"{at:%d/%m/%Y %H:%M:%S},{item_id}-commune-loudspeaker.mp3,30")
    return "\n".join(lines).encode()


def test_import_queries_do_not_grow_with_the_number_of_lines(radio_item):
    yesterday = timezone.localdate() - timedelta(days=1)
    slots = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(0, 60, 10)]
    item = radio_item()
    schedule_create(
        item=item,
        start_date=yesterday,
        end_date=yesterday,
        target_kind="stations",
        target_stations=[Station.objects.get(code="dx-tan-phu-loa")],
        slot_times=slots,
    )
    station = Station.objects.get(code="dx-tan-phu-loa")
    counts = {}
    for label, part in (("small", slots[:12]), ("large", slots[12:])):
        with CaptureQueriesContext(connection) as q:
            result = import_asrun(raw=_log(item.pk, yesterday, part), station=station)
        assert [r["result"] for r in result.results] == ["created"] * len(part)
        counts[label] = len(q)
    assert Confirmation.objects.count() == len(slots) == 144
    # 132 lines against 12: the same handful, give or take insert batching.
    assert counts["large"] <= counts["small"] + 4, counts
    assert counts["large"] < 30, counts
    again = import_asrun(raw=_log(item.pk, yesterday, slots), station=station)
    assert {r["result"] for r in again.results} == {"duplicate"}


def _airings_every(station, item, day, n: int) -> list:
    """n planned airings of `item` at `station`, spread over `day`."""
    from broadcast.models import PlannedAiring, Schedule

    sched = Schedule.objects.create(
        item=item,
        item_title=item.title,
        target_kind="stations",
        start_date=day,
        end_date=day,
        slot_times=["00:00"],
    )
    base = datetime.combine(day, time(0, 0), LOCAL_TZ)
    step = timedelta(days=1) / n
    PlannedAiring.objects.bulk_create(
        [
            PlannedAiring(schedule=sched, station=station, planned_at=base + step * k)
            for k in range(n)
        ]
    )
    return list(sched.airings.order_by("planned_at"))


def _statements(queries) -> list[str]:
    """The statements other than inserts: SQLite splits a bulk insert into batches
    of at most 999 parameters, which is the driver's limit, not the import's."""
    return [q["sql"] for q in queries if not q["sql"].lstrip().startswith("INSERT")]


def test_import_of_2000_lines_takes_the_queries_of_100(radio_item):
    station = Station.objects.get(code="dx-tan-phu-loa")
    item = radio_item()
    counts = {}
    for n, days_ago in ((100, 1), (2000, 2)):
        day = timezone.localdate() - timedelta(days=days_ago)
        airings = _airings_every(station, item, day, n)
        lines = ["start,file,duration"] + [
            f"{timezone.localtime(a.planned_at) + timedelta(seconds=5):%Y-%m-%d %H:%M:%S},"
            f"{item.pk}-commune-loudspeaker.mp3,30"
            for a in airings
        ]
        with CaptureQueriesContext(connection) as q:
            result = import_asrun(raw="\n".join(lines).encode(), station=station)
        assert [r["result"] for r in result.results] == ["created"] * n
        counts[n] = len(_statements(q.captured_queries))
        # Every airing says what was confirmed (reports read these fields).
        assert {a.status for a in sched_airings(airings)} == {"aired"}
    assert counts[2000] == counts[100], counts
    assert counts[2000] < 20, counts


def sched_airings(airings):
    from broadcast.models import PlannedAiring

    return PlannedAiring.objects.filter(pk__in=[a.pk for a in airings])
