"""On PostgreSQL an as-run import is set-based too: its statements do not grow
with the file (no insert batching there), and every matched airing carries what
its confirmation says (one UPDATE ... FROM)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from broadcast.asrun import import_asrun
from broadcast.log import verify_chain
from broadcast.models import PlannedAiring, Schedule, Station
from broadcast.services import LOCAL_TZ
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


def _station_with_airings(day, n: int, code: str):
    unit = Unit.objects.create(code=f"u-{code}", name="Xã", level="commune")
    station = Station.objects.create(
        code=code, name="Loa", unit=unit, kind="commune_loudspeaker"
    )
    sched = Schedule.objects.create(
        item=None,
        item_title="Bản tin",
        target_kind="stations",
        start_date=day,
        end_date=day,
        slot_times=["00:00"],
    )
    base = datetime.combine(day, time(0, 0), LOCAL_TZ)
    step = timedelta(days=1) / n
    PlannedAiring.objects.bulk_create(
        PlannedAiring(schedule=sched, station=station, planned_at=base + step * k)
        for k in range(n)
    )
    return station, sched


def _item_for(sched) -> int:
    from wagtail.models import Page

    from cms.models import RadioItemPage

    root = Page.objects.filter(depth=2).first() or Page.get_first_root_node()
    item = root.add_child(
        instance=RadioItemPage(title="Bản tin", slug=f"asrun-{sched.pk}", format="news")
    )
    Schedule.objects.filter(pk=sched.pk).update(item_id=item.pk)
    return item.pk


def test_import_statements_are_the_same_for_100_and_2000_lines_on_postgresql():
    assert connection.vendor == "postgresql"
    counts = {}
    for n, days_ago in ((100, 1), (2000, 2)):
        day = timezone.localdate() - timedelta(days=days_ago)
        station, sched = _station_with_airings(day, n, f"pg-asrun-{n}")
        item_id = _item_for(sched)
        lines = ["start,content_id"] + [
            f"{timezone.localtime(a.planned_at) + timedelta(seconds=5):%Y-%m-%d %H:%M:%S},"
            f"{item_id}"
            for a in sched.airings.order_by("planned_at")
        ]
        with CaptureQueriesContext(connection) as q:
            result = import_asrun(raw="\n".join(lines).encode(), station=station)
        assert [r["result"] for r in result.results] == ["created"] * n
        assert set(sched.airings.values_list("status", flat=True)) == {"aired"}
        counts[n] = len(q)
    assert counts[2000] == counts[100], counts
    assert verify_chain().ok
