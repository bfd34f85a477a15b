"""An as-run import (a station's playout log) arrives late by nature: it has its
own, longer window (LOA_ASRUN_IMPORT_DAYS), while staff keep LOA_CONFIRM_DAYS.
Future airings and times outside the window around the slot stay refused."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from broadcast.asrun import import_asrun
from broadcast.models import Confirmation, PlannedAiring, Station
from broadcast.services import (
    LOCAL_TZ,
    ConfirmationInput,
    confirmations_record,
    schedule_create,
)

pytestmark = pytest.mark.django_db

CODE = "dx-tan-phu-loa"


def _plan(item, day, slot="06:00"):
    schedule_create(
        item=item,
        start_date=day,
        end_date=day,
        target_kind="stations",
        target_stations=[Station.objects.get(code=CODE)],
        slot_times=[slot],
    )
    return PlannedAiring.objects.get(schedule__start_date=day)


def _log(item_id: int, at: datetime) -> bytes:
    line = f"{at.astimezone(LOCAL_TZ):%d/%m/%Y %H:%M:%S},{item_id}-x.mp3,30"
    return f"start,file,duration\n{line}\n".encode()


def _at(day, hh, mm):
    return datetime.combine(day, time(hh, mm), LOCAL_TZ)


def _import(item, at):
    result = import_asrun(raw=_log(item.pk, at), station=Station.objects.get(code=CODE))
    assert not result.unmatched, result.unmatched
    [line] = result.results
    return line


def test_a_playout_log_ten_days_late_is_imported_and_counted_late(radio_item):
    item = radio_item()
    day = timezone.localdate() - timedelta(days=10)
    airing = _plan(item, day)
    line = _import(item, _at(day, 6, 1))
    assert line["result"] == "created"
    airing.refresh_from_db()
    assert airing.status == "aired" and airing.late
    assert airing.aired_at == _at(day, 6, 1)
    assert Confirmation.objects.get().source == "import"


def test_staff_still_cannot_confirm_the_same_ten_day_old_airing(radio_item):
    item = radio_item()
    day = timezone.localdate() - timedelta(days=10)
    airing = _plan(item, day)
    [r] = confirmations_record(
        items=[
            ConfirmationInput(
                uuid=str(uuid.uuid4()),
                airing=airing.pk,
                status="aired",
                aired_at=_at(day, 6, 1),
            )
        ],
        station_ids=None,
        source="web",
    )
    assert (r.result, r.code) == ("rejected", "too_old")
    assert "7" in str(r.message)


def test_a_playout_log_older_than_the_import_window_is_refused_with_its_limit(
    radio_item,
):
    item = radio_item()
    day = timezone.localdate() - timedelta(days=40)
    airing = _plan(item, day)
    line = _import(item, _at(day, 6, 1))
    assert (line["result"], line["code"]) == ("rejected", "too_old")
    assert "31" in line["message"]
    airing.refresh_from_db()
    assert airing.status == "planned"
    assert not Confirmation.objects.exists()


def test_the_import_window_is_a_setting(radio_item, settings):
    settings.LOA_ASRUN_IMPORT_DAYS = 5
    item = radio_item()
    day = timezone.localdate() - timedelta(days=6)
    _plan(item, day)
    line = _import(item, _at(day, 6, 1))
    assert (line["result"], line["code"]) == ("rejected", "too_old")
    assert "5" in line["message"]


def test_an_import_still_refuses_a_future_airing(radio_item):
    item = radio_item()
    day = timezone.localdate() + timedelta(days=1)
    airing = _plan(item, day)
    line = _import(item, _at(day, 6, 1))
    assert (line["result"], line["code"]) == ("rejected", "in_future")
    airing.refresh_from_db()
    assert airing.status == "planned"


def test_an_import_still_refuses_a_time_outside_the_window_around_the_slot(
    radio_item,
):
    item = radio_item()
    day = timezone.localdate() - timedelta(days=10)
    airing = _plan(item, day)
    # 05:00 is within as-run matching distance of 06:00, but more than 30 min early.
    line = _import(item, _at(day, 5, 0))
    assert (line["result"], line["code"]) == ("rejected", "outside_window")
    airing.refresh_from_db()
    assert airing.status == "planned"
    assert not Confirmation.objects.exists()
