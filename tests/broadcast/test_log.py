"""The distribution log: append-only in model code and admin, corrections as new
events, a hash chain whose first broken link verify_log reports, and history that
outlives the content it mentions."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from broadcast.log import log_event, verify_chain
from broadcast.models import DistributionEvent, PlannedAiring
from broadcast.services import ConfirmationInput, confirmations_record

pytestmark = pytest.mark.django_db


def _events(n=4):
    return [
        log_event(
            kind="package_built", source="task", station_code=f"s{i}", data={"i": i}
        )
        for i in range(n)
    ]


def test_events_refuse_edit_and_delete_in_model_code():
    e = _events(1)[0]
    e.actor = "someone"
    with pytest.raises(PermissionError):
        e.save()
    with pytest.raises(PermissionError):
        e.delete()


def test_verify_log_reports_the_first_tampered_event():
    events = _events(5)
    out = io.StringIO()
    call_command("verify_log", stdout=out)
    assert "OK: 5 events" in out.getvalue()
    # Tamper underneath the model, as someone with database access would.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE broadcast_distributionevent SET station_code = 'x' WHERE id IN (%s, %s)",
            [events[2].pk, events[3].pk],
        )
    report = verify_chain()
    assert report.broken_at == events[2].pk
    with pytest.raises(CommandError, match=f"#{events[2].pk}.*2 events before it"):
        call_command("verify_log", stdout=io.StringIO())


def test_deleted_row_breaks_the_next_link():
    events = _events(4)
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM broadcast_distributionevent WHERE id = %s", [events[1].pk]
        )
    report = verify_chain()
    assert report.broken_at == events[2].pk and "link" in report.reason


def test_correction_is_a_new_event_pointing_at_the_old_one():
    old = _events(1)[0]
    fix = log_event(
        kind="correction", actor="duyet.tinh", corrects=old, data={"note": "sai giờ"}
    )
    assert fix.corrects_id == old.pk and old.corrections.get() == fix
    assert verify_chain().broken_at is None


def test_history_survives_deleting_the_item(radio_item, schedule_today):
    item = radio_item(title="Bản tin sẽ bị xoá")
    schedule_today(item, ["dx-tan-phu-loa"], days=1)
    airing = PlannedAiring.objects.get()
    confirmations_record(
        items=[
            ConfirmationInput(uuid=str(uuid.uuid4()), airing=airing.pk, status="aired")
        ],
        station_ids=None,
        source="api",
    )
    item.delete()
    ev = DistributionEvent.objects.get(kind="airing_confirmed")
    assert ev.item_title == "Bản tin sẽ bị xoá" and ev.station_code == "dx-tan-phu-loa"
    assert ev.planned_at == airing.planned_at and ev.actual_at is not None
    airing.refresh_from_db()
    assert (
        airing.schedule.item_title == "Bản tin sẽ bị xoá"
        and airing.schedule.item is None
    )
    assert verify_chain().broken_at is None


def test_admin_shows_the_log_read_only_even_to_superusers(demo):
    from django.test import Client

    event = _events(1)[0]
    admin = Client()
    assert admin.login(username="admin", password="loa-admin")
    base = "/admin/snippets/broadcast/distributionevent/"
    assert admin.get(base).status_code == 200
    assert admin.get(f"{base}inspect/{event.pk}/").status_code == 200
    for url in (f"{base}edit/{event.pk}/", f"{base}delete/{event.pk}/", f"{base}add/"):
        assert admin.get(url).status_code in (302, 403), url
        admin.post(url, {"actor": "x", "kind": "correction"})
    assert DistributionEvent.objects.count() == 1
    assert DistributionEvent.objects.get().actor == event.actor
    assert verify_chain().broken_at is None


def test_correcting_an_airing_adds_an_event_and_edits_nothing(
    radio_item, schedule_today
):
    from broadcast.services import ServiceError, airing_correct

    schedule_today(radio_item(), ["dx-tan-phu-loa"], days=1)
    airing = PlannedAiring.objects.get()
    with pytest.raises(ServiceError) as refused:
        airing_correct(
            airing=airing, status="missed", reason="power", actor="duyet", why="Sai"
        )
    assert refused.value.code == "nothing_to_correct"
    confirmations_record(
        items=[
            ConfirmationInput(uuid=str(uuid.uuid4()), airing=airing.pk, status="aired")
        ],
        station_ids=None,
        source="web",
    )
    original = DistributionEvent.objects.get(kind="airing_confirmed")
    with pytest.raises(ServiceError):
        airing_correct(airing=airing, status="missed", actor="duyet", why="x")
    fix = airing_correct(
        airing=airing, status="missed", reason="power", actor="duyet", why="Sai"
    )
    assert fix.kind == "correction" and fix.corrects_id == original.pk
    assert fix.data["previous_status"] == "aired"
    airing.refresh_from_db()
    assert airing.status == "missed"
    conf = airing.confirmations.get()
    assert conf.status == "aired"  # the confirmation stays as it was received
    again = airing_correct(airing=airing, status="aired", actor="duyet", why="Sai")
    assert again.corrects_id == fix.pk
    assert verify_chain().broken_at is None
