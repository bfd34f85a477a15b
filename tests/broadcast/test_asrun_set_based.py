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
