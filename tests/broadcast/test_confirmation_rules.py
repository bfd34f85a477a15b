"""Confirmations that mean what they say: "aired" carries no reason, the server's
clock and a window around the plan decide, staff see and confirm the last days
(late ones marked), corrections have a screen, and the menus lead to reports."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from broadcast.models import Confirmation, DistributionEvent, PlannedAiring, Station
from broadcast.reports import airing_rows
from broadcast.services import (
    ConfirmationInput,
    confirmations_record,
    schedule_create,
)

pytestmark = pytest.mark.django_db


def _plan(item, *, days_ago: int, slot: str, code: str = "dx-tan-phu-loa"):
    day = timezone.localdate() - timedelta(days=days_ago)
    schedule_create(
        item=item,
        start_date=day,
        end_date=day,
        target_kind="stations",
        target_stations=list(Station.objects.filter(code=code)),
        slot_times=[slot],
    )
    return PlannedAiring.objects.filter(station__code=code).latest("pk")


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _confirm(client, airing, **fields):
    return client.post(
        "/station/confirm/",
        {"airing": airing.pk, "uuid": str(uuid.uuid4()), **fields},
        HTTP_ACCEPT="application/json",
    ).json()["results"][0]


def test_aired_never_stores_a_missed_reason(staff_client, radio_item):
    airing = _plan(radio_item(), days_ago=1, slot="17:00")
    c = staff_client("xa.tanphu")
    at = _local(airing.planned_at)
    refused = _confirm(c, airing, status="aired", aired_at=at, reason="power")
    assert (refused["result"], refused["code"]) == ("rejected", "reason_not_for_aired")
    ok = _confirm(c, airing, status="aired", aired_at=at, reason="")
    assert ok["result"] == "created"
    assert Confirmation.objects.get().reason == ""
    with pytest.raises(IntegrityError), transaction.atomic():
        Confirmation.objects.create(
            airing=airing, status="aired", reason="power", source="web"
        )


def test_an_aired_time_outside_the_window_is_refused_with_the_window(
    staff_client, radio_item
):
    airing = _plan(radio_item(), days_ago=1, slot="17:00")
    day = timezone.localtime(airing.planned_at).date()
    c = staff_client("xa.tanphu")
    early = _confirm(c, airing, status="aired", aired_at=f"{day}T12:54")
    assert early["code"] == "outside_window"
    d = day.strftime("%d/%m/%Y")
    assert f"{d} 16:30" in early["message"] and f"{d} 23:00" in early["message"]
    assert _confirm(c, airing, status="aired", aired_at=f"{day}T17:05")["result"] == (
        "created"
    )


def test_the_page_offers_the_planned_time_not_now(staff_client, radio_item):
    airing = _plan(radio_item(), days_ago=1, slot="17:00")
    html = staff_client("xa.tanphu").get("/station/").content.decode()
    assert f'name="aired_at" value="{_local(airing.planned_at)}"' in html
    assert 'name="client_now"' in html


def test_a_future_airing_cannot_be_marked_missed_before_its_time(
    staff_client, radio_item
):
    airing = _plan(radio_item(), days_ago=-1, slot="06:00")
    res = _confirm(staff_client("xa.tanphu"), airing, status="missed", reason="power")
    assert res["code"] == "not_yet"
    assert PlannedAiring.objects.get(pk=airing.pk).status == "planned"


def test_the_received_time_and_the_phones_clock_offset_are_kept(
    staff_client, radio_item
):
    airing = _plan(radio_item(), days_ago=1, slot="17:00")
    phone_now = timezone.now() - timedelta(hours=2)  # a phone two hours behind
    _confirm(
        staff_client("xa.tanphu"),
        airing,
        status="aired",
        aired_at=_local(airing.planned_at),
        client_now=phone_now.isoformat(),
    )
    conf = Confirmation.objects.get()
    assert abs(conf.clock_offset - 7200) < 60
    assert conf.aired_at == airing.planned_at
    assert abs((conf.received_at - timezone.now()).total_seconds()) < 60
    event = DistributionEvent.objects.get(kind="airing_confirmed")
    assert event.actual_at == airing.planned_at
    assert event.data["received_at"] and abs(event.data["clock_offset"] - 7200) < 60


def test_staff_see_seven_days_and_confirm_late_airings_marked_late(
    staff_client, radio_item
):
    item = radio_item(title="Tin ba ngày trước")
    late = _plan(item, days_ago=3, slot="06:00")
    old = _plan(radio_item(title="Tin chín ngày trước"), days_ago=9, slot="06:00")
    c = staff_client("xa.tanphu")
    html = c.get("/station/").content.decode()
    assert "Tin ba ngày trước" in html and "Tin chín ngày trước" not in html
    section = html.split(f'id="airing-{late.pk}"')[1].split("</section>")[0]
    assert 'class="late"' in section
    assert (
        _confirm(c, late, status="aired", aired_at=_local(late.planned_at))["result"]
        == "created"
    )
    late.refresh_from_db()
    assert late.late and Confirmation.objects.get().late
    too_old = _confirm(c, old, status="aired", aired_at=_local(old.planned_at))
    assert too_old["code"] == "too_old"
    (row,) = airing_rows(
        station_ids=None,
        start=timezone.localdate() - timedelta(days=3),
        end=timezone.localdate() - timedelta(days=3),
        group_by="station",
    )
    assert row["late"] == 1


def test_correction_screen_records_a_new_event_and_reports_count_it(
    staff_client, radio_item
):
    airing = _plan(radio_item(), days_ago=1, slot="17:00")
    other = _plan(radio_item(), days_ago=1, slot="17:00", code="ct-minh-hung-loa")
    commune = staff_client("xa.tanphu")
    _confirm(commune, airing, status="aired", aired_at=_local(airing.planned_at))
    url = f"/station/airings/{airing.pk}/correct/"
    assert commune.get(url).status_code == 200
    no_why = commune.post(url, {"status": "missed", "reason": "power", "why": ""})
    assert no_why.status_code == 400
    done = commune.post(
        url, {"status": "missed", "reason": "power", "why": "Bấm nhầm, mất điện"}
    )
    assert done.status_code == 302
    airing.refresh_from_db()
    assert (airing.status, airing.missed_reason) == ("missed", "power")
    fix = DistributionEvent.objects.get(kind="correction")
    assert fix.data["why"] == "Bấm nhầm, mất điện"
    assert Confirmation.objects.get(airing=airing).status == "aired"  # kept as said
    day = timezone.localtime(airing.planned_at).date()
    rows = airing_rows(station_ids=None, start=day, end=day, group_by="station")
    by = {r["station"]: r for r in rows}
    assert (by["dx-tan-phu-loa"]["aired"], by["dx-tan-phu-loa"]["missed"]) == (0, 1)
    # Commune staff correct only their own station; district staff their district.
    confirmations_record(
        items=[
            ConfirmationInput(
                str(uuid.uuid4()), other.pk, "aired", aired_at=other.planned_at
            )
        ],
        station_ids=None,
        source="web",
    )
    assert commune.get(f"/station/airings/{other.pk}/correct/").status_code == 404
    district = staff_client("bientap.dongxoai")
    assert district.get(f"/station/airings/{other.pk}/correct/").status_code == 404
    assert url in district.get("/station/log/").content.decode()  # linked there
    back = district.post(url, {"status": "aired", "why": "Đài báo đã phát"})
    assert back.status_code == 302
    airing.refresh_from_db()
    assert (airing.status, airing.missed_reason) == ("aired", "")


def _menu(client) -> set[tuple[str, str]]:
    """(label, url) of the admin sidebar's links (rendered from JSON props)."""
    html = client.get("/admin/").content.decode()
    label = r'"label": ("(?:[^"\\]|\\.)*")'
    pairs = re.findall(label + r'(?:(?!"label").)*?"url": "([^"]+)"', html)
    return {(json.loads(text), url) for text, url in pairs}


def test_the_admin_menu_and_station_pages_link_reports_and_log(staff_client, demo):
    for username in ("bientap.tinh", "bientap.dongxoai"):
        menu = _menu(staff_client(username))
        assert ("Báo cáo phát sóng", "/station/reports/") in menu, username
        assert ("Nhật ký phân phối", "/station/log/") in menu, username
        assert ("Lịch phát", "/admin/broadcast/schedules/") in menu, username
    commune = staff_client("xa.tanphu").get("/station/").content.decode()
    assert re.search(r'href="/station/log/"', commune)
    assert "/station/reports/" not in commune
