"""Superseded packages: one current package per station and period, older ones kept
for the record but answered with 410 Gone, and every manifest carrying all the
withdrawals still in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadcast.models import Package, Station
from broadcast.packages import package_build
from broadcast.services import schedule_withdraw

pytestmark = pytest.mark.django_db


def _build(code: str, days: int = 3, offset: int = 0) -> Package:
    start = timezone.localdate() + timedelta(days=offset)
    return package_build(
        station_id=Station.objects.get(code=code).pk,
        start=start,
        end=start + timedelta(days=days - 1),
    )


def _url(p: Package) -> str:
    return f"/api/v1/packages/{p.public_id}/download"


def test_after_a_withdrawal_and_rebuild_only_the_new_package_is_listed_and_served(
    audio_item, schedule_today, station_client
):
    sched = schedule_today(audio_item(), ["dx-tan-phu-loa"], slots=("23:59",), days=3)
    before = _build("dx-tan-phu-loa")
    schedule_withdraw(schedule=sched, reason="Sai số liệu", actor="duyet")
    after = _build("dx-tan-phu-loa")
    assert after.pk != before.pk and after.manifest["items"] == []

    c = station_client("dx-tan-phu-loa")
    listing = c.get("/api/v1/packages").json()
    assert [p["id"] for p in listing] == [str(after.public_id)]
    gone = c.get(_url(before))
    assert gone.status_code == 410
    assert gone.json()["code"] == "superseded"
    assert gone.json()["current_id"] == str(after.public_id)
    assert c.head(_url(before)).status_code == 410
    assert c.get(_url(after)).status_code == 200

    everything = c.get("/api/v1/packages?all=1").json()
    marks = {p["id"]: p["superseded"] for p in everything}
    assert marks == {str(after.public_id): False, str(before.public_id): True}
    # Kept on disk for the record.
    before.refresh_from_db()
    assert before.superseded_by_id == after.pk
    assert open(before.path, "rb").read(2) == b"PK"


def test_a_package_for_an_overlapping_period_supersedes_the_older_one(
    audio_item, schedule_today, station_client
):
    """The beat builds a rolling week: yesterday's week must not stay current once
    today's is built, or its copy of a withdrawn item would still be offered."""
    schedule_today(audio_item(), ["dx-tan-phu-loa"], days=4)
    older = _build("dx-tan-phu-loa", days=3)
    newer = _build("dx-tan-phu-loa", days=3, offset=1)
    listing = station_client("dx-tan-phu-loa").get("/api/v1/packages").json()
    assert [p["id"] for p in listing] == [str(newer.public_id)]
    older.refresh_from_db()
    assert older.superseded_by_id == newer.pk


def test_rebuilding_the_same_inputs_makes_that_package_current_again(
    audio_item, schedule_today
):
    item = audio_item()
    schedule_today(item, ["dx-tan-phu-loa"])
    first = _build("dx-tan-phu-loa")
    item.valid_until = timezone.localdate() - timedelta(days=1)
    item.save_revision().publish()
    second = _build("dx-tan-phu-loa")
    assert second.pk != first.pk
    item.valid_until = None
    item.save_revision().publish()
    again = _build("dx-tan-phu-loa")
    assert again.pk == first.pk
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.superseded_by_id is None and second.superseded_by_id == first.pk


def test_every_manifest_carries_withdrawals_still_in_force_outside_its_period(
    audio_item, schedule_today
):
    """A station that missed the package announcing a withdrawal learns it from the
    next one, even when that one's period holds no airing of the item."""
    item = audio_item()
    sched = schedule_today(item, ["dx-tan-phu-loa"], slots=("23:59",), days=3)
    schedule_withdraw(schedule=sched, reason="Sai số liệu", actor="duyet")
    later = _build("dx-tan-phu-loa", days=2, offset=5)
    (w,) = later.manifest["withdrawals"]
    assert w["content_id"] == item.pk and w["cause"] == "withdrawn"
    assert w["reason"] == "Sai số liệu"


def test_the_web_download_of_a_replaced_package_says_so_in_vietnamese(
    audio_item, schedule_today, staff_client
):
    from django.contrib.messages import get_messages

    sched = schedule_today(audio_item(), ["dx-tan-phu-loa"], slots=("23:59",), days=3)
    before = _build("dx-tan-phu-loa")
    schedule_withdraw(schedule=sched, reason="Sai số liệu", actor="duyet")
    _build("dx-tan-phu-loa")
    c = staff_client("xa.tanphu")
    resp = c.get(
        f"/station/packages/{before.public_id}/download/", HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert resp.status_code == 302
    assert [str(m) for m in get_messages(resp.wsgi_request)] == [
        "Gói đó đã được thay bằng gói mới hơn."
    ]
