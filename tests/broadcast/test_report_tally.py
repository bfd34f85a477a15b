"""The airing tally the report reads is kept by database triggers: after every
kind of write (plan, confirm, correct, cancel, reorganise, import, delete) it
equals a direct count of the airings, and the report it gives equals the report
counted from the airings one by one, for any period."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from broadcast import reports
from broadcast.asrun import import_asrun
from broadcast.models import AiringTally, PlannedAiring, Schedule, Station
from broadcast.reorganise import plan_read, reorganisation_apply
from broadcast.services import (
    LOCAL_TZ,
    ConfirmationInput,
    airing_correct,
    confirmations_record,
    schedule_create,
    schedule_update,
    schedule_withdraw,
)
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


def _counted_directly() -> Counter:
    """The tally as it should be, counted here from every airing."""
    want = Counter()
    for a in PlannedAiring.objects.all():
        day = a.planned_at.astimezone(LOCAL_TZ).date()
        rest = (
            a.schedule_id,
            a.station_id,
            a.unit_id or 0,
            a.status,
            a.late,
            a.missed_reason,
        )
        want[("d", day, *rest)] += 1
        want[("m", day.replace(day=1), *rest)] += 1
    return want


def _tally() -> Counter:
    rows = AiringTally.objects.values_list(
        "span",
        "day",
        "schedule_id",
        "station_id",
        "unit_key",
        "status",
        "late",
        "missed_reason",
        "n",
    )
    return Counter({tuple(r[:-1]): r[-1] for r in rows})


def _same_as_counted(*, periods=()):
    assert _tally() == _counted_directly()
    assert not AiringTally.objects.filter(n__lte=0).exists()
    today = timezone.localdate()
    for start, end in periods or [
        (today - timedelta(days=7), today + timedelta(days=7))
    ]:
        f = reports.ReportFilter(start=start, end=end)
        raw = reports._fold(reports._cells(reports.airings(station_ids=None, f=f)))
        assert reports._fold(reports._tallied_cells(station_ids=None, f=f)) == raw


def _confirm(airing, status="aired", **kw):
    [r] = confirmations_record(
        items=[
            ConfirmationInput(
                uuid=str(uuid.uuid4()), airing=airing.pk, status=status, **kw
            )
        ],
        station_ids=None,
        source="web",
    )
    assert r.result == "created", r


def test_the_tally_equals_a_direct_count_after_every_kind_of_write(
    radio_item, schedule_today
):
    item = radio_item()
    codes = ["dx-tan-phu-loa", "dx-tan-binh-loa", "ct-minh-hung-loa"]
    schedule = schedule_today(item, codes, days=3)  # plan
    _same_as_counted()
    due = list(schedule.airings.filter(planned_at__lt=timezone.now()))
    _confirm(due[0])  # confirm: aired
    _confirm(due[1], "missed", reason="power")  # confirm: missed, with a reason
    _same_as_counted()
    airing_correct(  # correct
        airing=due[1], status="aired", actor="t", why="Có phát, ghi nhầm"
    )
    _same_as_counted()
    schedule_update(  # edit: future airings deleted and planned again
        schedule=schedule,
        start_date=schedule.start_date,
        end_date=schedule.end_date,
        target_kind="stations",
        target_stations=list(Station.objects.filter(code__in=codes[:2])),
        slot_times=["05:30"],
    )
    _same_as_counted()
    yesterday = timezone.localdate() - timedelta(days=1)
    other = radio_item(title="Bản tin hôm qua")
    schedule_create(
        item=other,
        start_date=yesterday,
        end_date=yesterday,
        target_kind="stations",
        target_stations=[Station.objects.get(code="dx-tan-phu-loa")],
        slot_times=["06:00"],
    )
    at = datetime.combine(yesterday, time(6, 2), LOCAL_TZ)
    log = f"start,file\n{at:%d/%m/%Y %H:%M:%S},{other.pk}-x.mp3\n".encode()
    result = import_asrun(raw=log, station=Station.objects.get(code="dx-tan-phu-loa"))
    assert [r["result"] for r in result.results] == ["created"]  # as-run import
    _same_as_counted()
    commune = Unit.objects.get(code="dx-tan-phu")
    plan = (
        "kind,old_code,new_code,new_name,new_level,new_parent_code\n"
        f"merge,dx-tan-phu,dx-tally-new,Xã Mới,commune,{commune.parent.code}\n"
    )
    reorganisation_apply(  # reorganise: earlier airings freeze their unit
        rows=plan_read(plan), effective=timezone.localdate(), actor="t"
    )
    assert PlannedAiring.objects.filter(unit=commune).exists()
    _same_as_counted()
    schedule_withdraw(schedule=schedule, reason="Thay nội dung", actor="t")  # cancel
    assert PlannedAiring.objects.filter(status="cancelled").exists()
    _same_as_counted()
    # delete: airings nothing confirmed (confirmed ones are protected)
    Schedule.objects.get(item_title="Bản tin hôm qua").airings.filter(
        confirmations__isnull=True
    ).delete()
    PlannedAiring.objects.filter(status="planned").delete()
    _same_as_counted()
    PlannedAiring.objects.filter(status="aired").update(late=True)  # any UPDATE
    _same_as_counted()
    schedule.airings.filter(confirmations__isnull=True).delete()
    _same_as_counted()


def test_the_report_from_the_tally_is_exact_for_periods_that_cut_months(
    radio_item,
):
    item = radio_item()
    today = timezone.localdate()
    start = today - timedelta(days=70)
    schedule_create(
        item=item,
        start_date=start,
        end_date=today + timedelta(days=40),
        target_kind="stations",
        target_stations=list(
            Station.objects.filter(code__in=["dx-tan-phu-loa", "ct-minh-hung-loa"])
        ),
        # 23:30 and 00:30 Vietnam time sit on either side of a local midnight
        # (16:30 and 17:30 UTC): the day is Vietnam's, not UTC's.
        slot_times=["00:30", "06:00", "23:30"],
    )
    for i, a in enumerate(PlannedAiring.objects.filter(planned_at__lt=timezone.now())):
        if i % 3 == 0:
            PlannedAiring.objects.filter(pk=a.pk).update(
                status="missed", missed_reason="weather"
            )
    first_of_month = today.replace(day=1)
    periods = [
        (start, today + timedelta(days=40)),  # all of it
        (first_of_month, today + timedelta(days=40)),  # from a month's first day
        (start + timedelta(days=3), first_of_month - timedelta(days=1)),  # to its last
        (first_of_month - timedelta(days=1), first_of_month),  # across a midnight
        (today, today),  # one day
        (today + timedelta(days=100), today + timedelta(days=130)),  # nothing
    ]
    _same_as_counted(periods=periods)
    f = reports.ReportFilter(start=start, end=today + timedelta(days=40))
    data = reports.summary(station_ids=None, f=f)
    assert data["totals"]["planned"] == PlannedAiring.objects.count() > 0
    assert data["missed_reasons"]["weather"] > 0


def test_every_report_filter_is_carried_by_the_tally(radio_item, schedule_today):
    a = radio_item(title="Tin A")
    b = radio_item(title="Tin B")
    schedule_today(a, ["dx-tan-phu-loa", "ct-minh-hung-loa"], days=3)
    schedule_today(b, ["dx-tan-phu-loa"], days=3)
    today = timezone.localdate()
    district = Station.objects.get(code="dx-tan-phu-loa").unit.parent
    scope = set(
        Station.objects.filter(code="ct-minh-hung-loa").values_list("pk", flat=True)
    )
    for station_ids, extra in (
        (None, {"item": a.pk}),
        (None, {"unit": district.code}),
        (None, {"station": "ct-minh-hung-loa"}),
        (scope, {}),
        (None, {"language": "vi"}),
        (None, {"unit": "no-such-unit"}),
    ):
        f = reports.ReportFilter(start=today, end=today + timedelta(days=3), **extra)
        raw = reports._fold(
            reports._cells(reports.airings(station_ids=station_ids, f=f))
        )
        tallied = reports._fold(reports._tallied_cells(station_ids=station_ids, f=f))
        assert tallied == raw, extra


def test_emptying_the_tally_before_its_airings_leaves_no_negative_rows(
    radio_item, schedule_today
):
    # Django's flush empties tables in any order: with the tally emptied first,
    # deleting the airings must not write rows of -1 that a later report trips on.
    schedule_today(radio_item(title="Tin A"), ["dx-tan-phu-loa"], days=2)
    AiringTally.objects.all().delete()
    PlannedAiring.objects.all().delete()
    assert not AiringTally.objects.exists()


def test_a_tally_row_of_a_station_that_is_gone_does_not_break_the_report(
    radio_item, schedule_today
):
    schedule_today(radio_item(title="Tin A"), ["dx-tan-phu-loa"], days=2)
    row = AiringTally.objects.first()
    gone = Station.objects.order_by("-pk").first().pk + 1000
    AiringTally.objects.create(
        **{
            f.attname: getattr(row, f.attname)
            for f in AiringTally._meta.concrete_fields
            if not f.primary_key
        }
        | {"station_id": gone}
    )
    today = timezone.localdate()
    f = reports.ReportFilter(start=today, end=today + timedelta(days=2))
    folded = reports._fold(reports._tallied_cells(station_ids=None, f=f))
    raw = reports._fold(reports._cells(reports.airings(station_ids=None, f=f)))
    assert folded == raw
