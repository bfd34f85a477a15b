"""Stations, tokens and schedules: the tree in both shapes, tokens shown once and
revocable, schedule rules in Asia/Ho_Chi_Minh stored as UTC."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from broadcast.models import PlannedAiring, Schedule, Station, StationToken
from broadcast.packages import PROFILES_FOR_STATION, profile_for
from broadcast.selectors import station_scope
from broadcast.services import ServiceError, schedule_create, schedule_withdraw
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


def _cmd(*args) -> str:
    out = io.StringIO()
    call_command("station_token", *args, stdout=out)
    return out.getvalue()


def test_token_is_printed_once_stored_hashed_records_use_and_can_be_revoked(demo):
    raw = _cmd("dx-fm", "--label", "playout PC").strip()
    token = StationToken.objects.get()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(StationToken.objects.values().get())
    assert token.last_used_at is None
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert c.get("/api/v1/station").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    listing = _cmd("dx-fm", "--tokens")
    assert token.prefix in listing and "playout PC" in listing and "active" in listing
    assert "Revoked" in _cmd("dx-fm", "--revoke", token.prefix)
    assert c.get("/api/v1/station").status_code == 401
    assert "REVOKED" in _cmd("dx-fm", "--tokens")
    with pytest.raises(CommandError, match="0 active tokens"):
        _cmd("dx-fm", "--revoke", token.prefix)
    with pytest.raises(CommandError, match="No station"):
        _cmd("nowhere")
    assert c.get("/api/v1/station", HTTP_AUTHORIZATION="Bearer loa_" + "x" * 300)


def test_station_list_names_kind_and_unit(demo):
    lines = _cmd("--list").splitlines()
    assert "dx-fm\tdistrict_radio\tĐồng Xoài" in lines
    assert any(
        line.startswith("dx-tan-phu-loa\tcommune_loudspeaker\t") for line in lines
    )


def test_each_kind_decides_its_renditions(demo):
    fm = Station.objects.get(code="dx-fm")
    loa = Station.objects.get(code="dx-tan-phu-loa")
    board = Station.objects.filter(kind="ebulletin").first()
    assert profile_for(fm, "audio") == "district-fm"
    assert profile_for(loa, "audio") == "commune-loudspeaker"
    assert profile_for(board, "audio") is None
    assert profile_for(board, "video") == f"ebulletin-{board.orientation}"
    assert set(PROFILES_FOR_STATION) == set(Station.Kind.values)


def test_district_station_scope_covers_its_communes_in_both_tree_shapes(demo):
    fm = Station.objects.get(code="dx-fm")
    dx_ids = set(
        Station.objects.filter(code__startswith="dx-").values_list("pk", flat=True)
    )
    assert station_scope(fm) == dx_ids
    province = Unit.objects.get(level="province")
    commune = Unit.objects.create(
        code="xa-moi", name="Xã Mới", level="commune", parent=province
    )
    loa = Station.objects.create(
        code="xa-moi-loa", name="Đài xã Mới", unit=commune, kind="commune_loudspeaker"
    )
    assert station_scope(loa) == {loa.pk}
    assert loa.pk not in station_scope(fm)
    assert commune.pk in province.descendant_ids()


def _sched(item, **kw) -> Schedule:
    today = timezone.localdate()
    kw.setdefault("start_date", today)
    kw.setdefault("end_date", today)
    return schedule_create(item=item, **kw)


def test_slot_just_after_local_midnight_is_the_previous_day_in_utc(radio_item, demo):
    item = radio_item()
    day = timezone.localdate() + timedelta(days=1)
    s = _sched(
        item,
        start_date=day,
        end_date=day,
        target_kind="stations",
        target_stations=[Station.objects.get(code="dx-fm")],
        slot_times=["06:00", "00:30"],
    )
    got = sorted(a.planned_at for a in s.airings.all())
    prev = day - timedelta(days=1)
    # Asia/Ho_Chi_Minh is UTC+7 all year (no DST): 00:30 local = 17:30 UTC the day before.
    assert got == [
        datetime(prev.year, prev.month, prev.day, 17, 30, tzinfo=UTC),
        datetime(prev.year, prev.month, prev.day, 23, 0, tzinfo=UTC),
    ]
    # Same offset in January and July: no DST shift.
    for month in (1, 7):
        s2 = _sched(
            item,
            start_date=date(day.year + 1, month, 10),
            end_date=date(day.year + 1, month, 10),
            target_kind="stations",
            target_stations=[Station.objects.get(code="dx-fm")],
            slot_times=["07:00"],
        )
        assert s2.airings.get().planned_at.astimezone(UTC).hour == 0


def test_targets_district_chosen_stations_and_kind(radio_item, demo):
    item = radio_item()
    dx = Unit.objects.get(code="dx")
    whole = _sched(item, target_unit=dx, slot_times=["06:00", "17:00"])
    dx_stations = Station.objects.filter(unit_id__in=dx.descendant_ids()).count()
    assert whole.airings.count() == dx_stations * 2
    by_kind = _sched(
        radio_item(title="Thông báo"),
        target_kind="station_kind",
        target_station_kind="district_radio",
        slot_times=["06:00"],
    )
    assert set(by_kind.airings.values_list("station__kind", flat=True)) == {
        "district_radio"
    }
    assert (
        by_kind.airings.count() == Station.objects.filter(kind="district_radio").count()
    )


def test_weekdays_and_n_times_within_the_period(radio_item, demo):
    item = radio_item()
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    loa = [Station.objects.get(code="dx-tan-phu-loa")]
    fixed = _sched(
        item,
        start_date=monday,
        end_date=monday + timedelta(days=13),
        target_kind="stations",
        target_stations=loa,
        slot_times=["06:00"],
        weekdays=[1, 3],
    )
    days = sorted(
        a.planned_at.astimezone(timezone.get_current_timezone()).isoweekday()
        for a in fixed.airings.all()
    )
    assert days == [1, 1, 3, 3]
    flexible = _sched(
        item,
        start_date=monday,
        end_date=monday + timedelta(days=6),
        target_kind="stations",
        target_stations=loa,
        times_in_period=3,
    )
    assert flexible.airings.count() == 3
    assert all(a.flexible for a in flexible.airings.all())


def test_bad_schedules_are_refused(radio_item, demo):
    item = radio_item()
    today = timezone.localdate()
    dx = Unit.objects.get(code="dx")
    cases = [
        (
            dict(
                start_date=today,
                end_date=today - timedelta(days=1),
                target_unit=dx,
                slot_times=["06:00"],
            ),
            "bad_period",
        ),
        (dict(target_unit=dx), "no_times"),
        (dict(slot_times=["06:00"]), "no_target"),
        (
            dict(
                target_unit=dx,
                slot_times=["06:00"],
                end_date=today + timedelta(days=400),
            ),
            "bad_period",
        ),
    ]
    for kw, code in cases:
        with pytest.raises(ServiceError) as exc:
            _sched(item, **kw)
        assert exc.value.code == code


def test_expired_unpublished_or_draft_items_never_enter_new_schedules(radio_item, demo):
    dx = Unit.objects.get(code="dx")
    expired = radio_item(
        title="Hết hạn", valid_until=timezone.localdate() - timedelta(days=1)
    )
    unpublished = radio_item(title="Gỡ xuống")
    unpublished.unpublish()
    for item in (expired, unpublished, None, demo):
        with pytest.raises(ServiceError) as exc:
            _sched(item, target_unit=dx, slot_times=["06:00"])
        assert exc.value.code == "not_schedulable"
    assert not PlannedAiring.objects.exists()


def test_withdrawal_cancels_only_future_airings_and_is_logged(radio_item, demo):
    from broadcast.models import DistributionEvent

    item = radio_item()
    s = _sched(
        item,
        target_kind="stations",
        target_stations=[Station.objects.get(code="dx-fm")],
        slot_times=["00:00", "23:59"],
        end_date=timezone.localdate() + timedelta(days=1),
    )
    n = schedule_withdraw(schedule=s, reason="Sai số liệu", actor="duyet.tinh")
    statuses = sorted(s.airings.values_list("status", flat=True))
    assert n == 3 and statuses == ["cancelled", "cancelled", "cancelled", "planned"]
    ev = DistributionEvent.objects.get(kind="withdrawal")
    assert ev.data["cancelled_airings"] == 3 and ev.actor == "duyet.tinh"


def test_admin_makes_a_token_shown_once_and_revokes_it(staff_client, demo):
    admin = Client()
    assert admin.login(username="admin", password="loa-admin")
    page = admin.post("/admin/broadcast/tokens/", {"station": "dx-fm", "label": "PC"})
    assert page.status_code == 200
    raw = re.search(
        r'<code id="new-token">(loa_[^<]+)</code>', page.content.decode()
    ).group(1)
    token = StationToken.objects.get()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    listing = admin.get("/admin/broadcast/tokens/").content.decode()
    assert token.prefix in listing and raw not in listing
    assert (
        admin.post("/admin/broadcast/tokens/", {"revoke": token.pk}).status_code == 302
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/station").status_code
        == 401
    )
    # Editors cannot manage tokens.
    assert staff_client("bientap.tinh").get("/admin/broadcast/tokens/").status_code in (
        302,
        403,
    )
