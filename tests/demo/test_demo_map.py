"""The demo in either shape, and the reorganisation run on the 2023 demo: every past
airing stays attributed and the 2025 totals by district of the time do not move."""

from collections import Counter
from datetime import date, datetime, time
from io import StringIO

import pytest
from django.core.management import call_command

from broadcast.models import PlannedAiring, Schedule, Station
from broadcast.selectors import LOCAL_TZ
from broadcast.units import airing_unit_id
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


def _airings_2025():
    schedule = Schedule.objects.create(
        item_title="Tuyên truyền quyền con người",
        target_kind="stations",
        start_date=date(2025, 3, 1),
        end_date=date(2025, 10, 1),
    )
    days = [date(2025, 3, 3), date(2025, 6, 30), date(2025, 7, 1), date(2025, 9, 9)]
    for station in Station.objects.all():
        for day in days:
            PlannedAiring.objects.create(
                schedule=schedule,
                station=station,
                planned_at=datetime.combine(day, time(18), LOCAL_TZ),
            )


def _totals_by_district_of_the_time(year: int) -> Counter:
    units = {u.pk: u for u in Unit.objects.all()}
    totals: Counter = Counter()
    airings = PlannedAiring.objects.filter(planned_at__year=year).annotate(
        u=airing_unit_id()
    )
    for unit_id in airings.values_list("u", flat=True):
        unit = units[unit_id]
        district = unit if unit.level != "commune" else (unit.parent or unit)
        totals[district.code] += 1
    return totals


def test_reorganising_the_2023_demo_keeps_2025_totals(demo):
    _airings_2025()
    before = _totals_by_district_of_the_time(2025)
    call_command(
        "load_demo",
        "--no-media",
        "--map",
        "2025",
        "--i-know-this-is-not-production",
        stdout=StringIO(),
    )
    # Two tiers now: every station sits on an open unit directly under the province.
    province = Unit.objects.get(code="binh-phuoc")
    for station in Station.objects.select_related("unit"):
        assert station.unit.valid_until is None
        assert station.unit == province or station.unit.parent == province
    assert Station.objects.get(code="dx-tan-phu-loa").unit.code == "dx-phuong-dong-xoai"
    assert not Unit.objects.filter(level="district", valid_until__isnull=True).exists()
    after = _totals_by_district_of_the_time(2025)
    # Airings before 1 July count under the districts of their time; later ones
    # under the province (no districts any more). The year's total is unchanged,
    # and the first half is identical district by district.
    assert sum(after.values()) == sum(before.values())
    first_half = Counter()
    for a in PlannedAiring.objects.filter(
        planned_at__lt=datetime(2025, 7, 1, tzinfo=LOCAL_TZ)
    ).annotate(u=airing_unit_id()):
        unit = Unit.objects.get(pk=a.u)
        first_half[(unit.parent if unit.level == "commune" else unit).code] += 1
    assert first_half == Counter({k: v // 2 for k, v in before.items()})
    # Running it again changes nothing.
    out = StringIO()
    call_command(
        "load_demo",
        "--no-media",
        "--map",
        "2025",
        "--i-know-this-is-not-production",
        stdout=out,
    )
    assert "0 changes" in out.getvalue()
