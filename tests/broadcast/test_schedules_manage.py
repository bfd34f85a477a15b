"""Schedules as things people manage: never doubled (a database constraint and a
clear choice on overlap), stable ICS UIDs, listed, edited and cancelled, with the
affected packages rebuilt as soon as the change commits."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from broadcast.models import Package, PlannedAiring, Schedule, Station
from broadcast.packages import _schedule_ics
from broadcast.services import (
    ConfirmationInput,
    OnOverlap,
    ScheduleOverlap,
    ServiceError,
    confirmations_record,
    schedule_create,
    schedule_update,
    schedule_withdraw,
)

pytestmark = pytest.mark.django_db


def _client(username: str, password: str = "loa-demo") -> Client:
    c = Client()
    assert c.login(username=username, password=password), username
    return c


def _form(item, **extra):
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {
        "item": item.pk,
        "target_kind": "stations",
        "target_stations": [Station.objects.get(code="dx-tan-phu-loa").pk],
        "start_date": tomorrow.isoformat(),
        "end_date": (tomorrow + timedelta(days=1)).isoformat(),
        "slot_times": "06:00, 17:00",
        **extra,
    }


def _plan(item, codes, *, slots=("06:00",), days=2, **kw):
    tomorrow = timezone.localdate() + timedelta(days=1)
    return schedule_create(
        item=item,
        start_date=tomorrow,
        end_date=tomorrow + timedelta(days=days - 1),
        target_kind="stations",
        target_stations=list(Station.objects.filter(code__in=codes)),
        slot_times=list(slots),
        **kw,
    )


def test_a_double_submitted_schedule_form_offers_a_choice_and_never_doubles(
    radio_item,
):
    item = radio_item()
    c = _client("bientap.tinh")
    first = c.post("/admin/broadcast/schedule/new/", _form(item))
    assert first.status_code == 302
    assert PlannedAiring.objects.count() == 4
    again = c.post("/admin/broadcast/schedule/new/", _form(item))
    assert again.status_code == 200
    html = again.content.decode()
    assert 'name="on_overlap" value="add_missing"' in html
    assert PlannedAiring.objects.count() == 4
    assert Schedule.objects.count() == 1


def test_adding_only_the_missing_slots_plans_just_the_new_ones(radio_item):
    item = radio_item()
    c = _client("bientap.tinh")
    c.post("/admin/broadcast/schedule/new/", _form(item))
    wider = _form(item, slot_times="06:00, 17:00, 20:00", on_overlap="add_missing")
    assert c.post("/admin/broadcast/schedule/new/", wider).status_code == 302
    times = sorted(
        timezone.localtime(a.planned_at).strftime("%d %H:%M")
        for a in PlannedAiring.objects.all()
    )
    assert len(times) == len(set(times)) == 6


def test_the_overlap_is_a_service_error_with_both_counts(radio_item):
    item = radio_item()
    _plan(item, ["dx-tan-phu-loa"])
    with pytest.raises(ScheduleOverlap) as refused:
        _plan(item, ["dx-tan-phu-loa", "dx-tien-thanh-loa"])
    assert (refused.value.existing, refused.value.missing) == (2, 2)
    _plan(
        item, ["dx-tan-phu-loa", "dx-tien-thanh-loa"], on_overlap=OnOverlap.ADD_MISSING
    )
    assert PlannedAiring.objects.count() == 4
    with pytest.raises(ServiceError) as nothing:
        _plan(item, ["dx-tan-phu-loa"], on_overlap=OnOverlap.ADD_MISSING)
    assert nothing.value.code == "nothing_new"


def test_the_database_refuses_a_second_airing_of_an_item_at_one_station_and_time(
    radio_item,
):
    item = radio_item()
    schedule = _plan(item, ["dx-tan-phu-loa"], days=1)
    airing = schedule.airings.get()
    other = Schedule.objects.create(
        item=item,
        item_title=item.title,
        start_date=schedule.start_date,
        end_date=schedule.end_date,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PlannedAiring.objects.create(
            schedule=other,
            station=airing.station,
            item=item,
            planned_at=airing.planned_at,
        )
    # A cancelled airing no longer holds the slot.
    schedule_withdraw(schedule=schedule, reason="Sai lịch", actor="t")
    PlannedAiring.objects.create(
        schedule=other, station=airing.station, item=item, planned_at=airing.planned_at
    )


def test_ics_uids_are_unique_and_stable_across_package_rebuilds(demo):
    station = SimpleNamespace(code="dx-fm")
    files = [
        SimpleNamespace(
            station=station,
            item_id=7,
            title="Tin",
            rendition=SimpleNamespace(duration=60),
            slots=["2026-12-03T06:00:00+07:00", "2026-12-03T17:00:00+07:00"],
        )
    ]
    stamp = timezone.now()
    uids = [
        [
            line
            for line in _schedule_ics(files, str(uuid.uuid4()), stamp).splitlines()
            if line.startswith("UID:")
        ]
        for _ in range(2)
    ]
    assert uids[0] == uids[1]
    assert len(set(uids[0])) == 2


def test_editing_changes_only_the_future_and_keeps_confirmed_airings(
    radio_item, schedule_today
):
    item = radio_item()
    schedule = schedule_today(item, ["dx-tan-phu-loa"], days=3)
    past = schedule.airings.order_by("planned_at").first()
    confirmations_record(
        items=[
            ConfirmationInput(uuid=str(uuid.uuid4()), airing=past.pk, status="aired")
        ],
        station_ids=None,
        source="web",
    )
    added, removed = schedule_update(
        schedule=schedule,
        start_date=schedule.start_date,
        end_date=schedule.end_date,
        target_kind="stations",
        target_stations=list(Station.objects.filter(code="dx-tan-phu-loa")),
        slot_times=["05:30"],
    )
    future = schedule.airings.filter(planned_at__gte=timezone.now())
    assert removed == 2 and added == future.count() >= 2
    past.refresh_from_db()
    assert past.status == "aired"
    assert {timezone.localtime(a.planned_at).strftime("%H:%M") for a in future} == {
        "05:30"
    }


def test_cancelling_needs_a_reason_and_withdraws_only_future_airings(
    radio_item, schedule_today
):
    item = radio_item()
    schedule = schedule_today(item, ["dx-tan-phu-loa"], days=3)
    c = _client("bientap.tinh")
    url = f"/admin/broadcast/schedule/{schedule.pk}/cancel/"
    assert c.post(url, {"reason": ""}).status_code == 200
    assert not Schedule.objects.get().withdrawn_at
    assert c.post(url, {"reason": "Nội dung đã thay đổi"}).status_code == 302
    statuses = sorted(schedule.airings.values_list("status", flat=True))
    assert statuses == ["cancelled", "cancelled", "planned"]  # the past one stays
    assert Schedule.objects.get().withdrawn_reason == "Nội dung đã thay đổi"


def test_the_listing_is_scoped_filtered_and_counts_what_became_of_airings(
    radio_item, schedule_today
):
    dx_item = radio_item(title="Tin Đồng Xoài")
    ct_item = radio_item(title="Tin Chơn Thành")
    dx = schedule_today(dx_item, ["dx-tan-phu-loa"], days=2)
    schedule_today(ct_item, ["ct-minh-hung-loa"], days=2)
    past = dx.airings.order_by("planned_at").first()
    confirmations_record(
        items=[
            ConfirmationInput(
                uuid=str(uuid.uuid4()), airing=past.pk, status="missed", reason="power"
            )
        ],
        station_ids=None,
        source="web",
    )
    district = _client("bientap.dongxoai").get("/admin/broadcast/schedules/")
    html = district.content.decode()
    assert "Tin Đồng Xoài" in html and "Tin Chơn Thành" not in html
    assert f'id="schedule-{dx.pk}"' in html
    row = html.split(f'id="schedule-{dx.pk}"')[1].split("</tr>")[0]
    assert '<td class="n-planned">2</td>' in row
    assert '<td class="n-missed">1</td>' in row
    province = _client("bientap.tinh")
    both = province.get("/admin/broadcast/schedules/").content.decode()
    assert "Tin Đồng Xoài" in both and "Tin Chơn Thành" in both
    only = province.get("/admin/broadcast/schedules/?q=Chơn").content.decode()
    assert "Tin Đồng Xoài" not in only and "Tin Chơn Thành" in only
    kind = province.get("/admin/broadcast/schedules/?kind=ebulletin").content.decode()
    assert "Tin Chơn Thành" not in kind
    # A district editor may not open another district's schedule.
    other = Schedule.objects.get(item_title="Tin Chơn Thành")
    edit = _client("bientap.dongxoai").get(
        f"/admin/broadcast/schedule/{other.pk}/edit/"
    )
    assert edit.status_code == 404


def test_a_schedule_change_rebuilds_the_affected_packages_on_commit(
    radio_item, django_capture_on_commit_callbacks
):
    item = radio_item()
    with django_capture_on_commit_callbacks(execute=True):
        _plan(item, ["dx-tan-phu-loa"])
    built = set(Package.objects.values_list("station__code", flat=True))
    # The commune's own package, and its district station's that carries it.
    assert built == {"dx-tan-phu-loa", "dx-fm"}


def _keep_rule(schedule, **kw):
    """schedule_update's arguments that leave when and where as they are."""
    return dict(
        schedule=schedule,
        start_date=schedule.start_date,
        end_date=schedule.end_date,
        target_kind=schedule.target_kind,
        target_stations=list(schedule.target_stations.all()),
        slot_times=schedule.slot_times,
        times_in_period=schedule.times_in_period,
        **kw,
    )


def test_editing_a_schedule_changes_its_priority_and_rebuilds_the_future_packages(
    radio_item, schedule_today, django_capture_on_commit_callbacks
):
    item = radio_item()
    schedule = schedule_today(item, ["dx-tan-phu-loa"], days=3)
    past = schedule.airings.order_by("planned_at").first()
    confirmations_record(
        items=[
            ConfirmationInput(uuid=str(uuid.uuid4()), airing=past.pk, status="aired")
        ],
        station_ids=None,
        source="web",
    )
    before = list(schedule.airings.order_by("pk").values())
    with django_capture_on_commit_callbacks(execute=True):
        added, removed = schedule_update(**_keep_rule(schedule, priority="emergency"))
    assert (added, removed) == (0, 0)
    assert Schedule.objects.get().priority == "emergency"
    # The airings themselves, past and future, are untouched; the packages of
    # the stations still to air it are rebuilt to carry the new priority.
    assert list(schedule.airings.order_by("pk").values()) == before
    built = set(Package.objects.values_list("station__code", flat=True))
    assert built == {"dx-tan-phu-loa", "dx-fm"}
    with django_capture_on_commit_callbacks(execute=True):
        schedule_update(**_keep_rule(Schedule.objects.get()))
    assert Schedule.objects.get().priority == "emergency"  # None keeps it


def test_a_schedule_edited_to_n_times_in_the_period_becomes_normal(radio_item):
    item = radio_item()
    schedule = _plan(item, ["dx-tan-phu-loa"], priority="priority")
    assert schedule.priority == "priority"
    schedule_update(
        **{
            **_keep_rule(schedule, priority="emergency"),
            "slot_times": [],
            "times_in_period": 2,
        }
    )
    assert Schedule.objects.get().priority == "normal"


def test_an_unknown_priority_is_refused_and_nothing_changes(radio_item):
    item = radio_item()
    schedule = _plan(item, ["dx-tan-phu-loa"])
    airings = list(schedule.airings.values_list("pk", "planned_at"))
    with pytest.raises(ServiceError) as exc:
        schedule_update(
            **{**_keep_rule(schedule, priority="urgent!"), "slot_times": ["05:00"]}
        )
    assert exc.value.code == "bad_priority"
    schedule.refresh_from_db()
    assert schedule.priority == "normal" and schedule.slot_times == ["06:00"]
    assert list(schedule.airings.values_list("pk", "planned_at")) == airings


def test_the_edit_screen_shows_and_changes_the_priority(radio_item):
    item = radio_item()
    schedule = _plan(item, ["dx-tan-phu-loa"], priority="priority")
    c = _client("bientap.tinh")
    url = f"/admin/broadcast/schedule/{schedule.pk}/edit/"
    html = c.get(url).content.decode()
    assert '<option value="priority" selected>' in html
    form = _form(item, priority="emergency", slot_times="06:00")
    del form["item"]
    form["start_date"] = schedule.start_date.isoformat()
    form["end_date"] = schedule.end_date.isoformat()
    assert c.post(url, form).status_code == 302
    assert Schedule.objects.get().priority == "emergency"
    assert c.post(url, {**form, "priority": "nonsense"}).status_code == 200
    assert Schedule.objects.get().priority == "emergency"
