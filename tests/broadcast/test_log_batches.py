"""Confirmations enter the hash chain as batches: one chain event per station and
request, holding the Merkle root of that batch's confirmations. verify_log walks
the chain, then recomputes every batch's root from the confirmation rows, so a
changed, deleted, added or moved confirmation is found all the same.

The scenarios are plain functions so the PostgreSQL integration suite runs the same
ones (tests/integration/test_log_batches_postgres.py)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from broadcast.log import merkle_root, verify_chain
from broadcast.models import (
    Confirmation,
    DistributionEvent,
    PlannedAiring,
    Schedule,
    Station,
)
from broadcast.services import ConfirmationInput, confirmations_record
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


def make_airings(per_station: int, stations: int = 2) -> list[PlannedAiring]:
    """`per_station` airings, an hour ago, at each of `stations` commune stations."""
    province = Unit.objects.create(code="lb-p", name="Tỉnh", level="province")
    district = Unit.objects.create(
        code="lb-d", name="Huyện", level="district", parent=province
    )
    made = []
    for i in range(stations):
        unit = Unit.objects.create(
            code=f"lb-c{i}", name=f"Xã {i}", level="commune", parent=district
        )
        made.append(
            Station.objects.create(
                code=f"lb-c{i}-loa",
                name=f"Loa {i}",
                unit=unit,
                kind="commune_loudspeaker",
            )
        )
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    sched = Schedule.objects.create(
        item=None,
        item_title="Bản tin quyền con người",
        target_kind="stations",
        start_date=timezone.localdate(start),
        end_date=timezone.localdate(start),
        slot_times=["00:00"],
    )
    PlannedAiring.objects.bulk_create(
        PlannedAiring(
            schedule=sched, station=s, planned_at=start + timedelta(seconds=k)
        )
        for s in made
        for k in range(per_station)
    )
    return list(PlannedAiring.objects.filter(schedule=sched).order_by("pk"))


def confirm(airings, status="aired", **kw):
    return confirmations_record(
        items=[
            ConfirmationInput(
                uuid=str(uuid.uuid4()),
                airing=a.pk,
                status=status,
                reason="power" if status == "missed" else "",
                **kw,
            )
            for a in airings
        ],
        station_ids=None,
        source="api",
    )


def scenario_one_chain_event_per_station_and_batch():
    airings = make_airings(5, stations=2)
    before = DistributionEvent.objects.count()
    results = confirm(airings)
    assert [r.result for r in results] == ["created"] * 10
    events = list(DistributionEvent.objects.order_by("pk")[before:])
    assert [e.kind for e in events] == ["confirmations", "confirmations"]
    assert {e.station_code for e in events} == {"lb-c0-loa", "lb-c1-loa"}
    for e in events:
        batch = list(Confirmation.objects.filter(batch=e.data["batch"]))
        assert len(batch) == e.data["count"] == 5
        assert {c.airing.station.code for c in batch} == {e.station_code}
        assert len(e.data["root"]) == 64
    report = verify_chain()
    assert report.ok, report.reason
    assert report.confirmations == 10


def scenario_a_single_confirmation_reads_as_the_airing_it_confirms():
    (airing,) = make_airings(1, stations=1)
    confirm([airing])
    event = DistributionEvent.objects.get(kind="airing_confirmed")
    assert event.airing_id == airing.pk and event.station_code == "lb-c0-loa"
    assert event.item_title == "Bản tin quyền con người"
    assert event.planned_at == airing.planned_at and event.actual_at is not None
    conf = Confirmation.objects.get()
    assert event.data["batch"] == str(conf.batch) and event.data["count"] == 1
    assert verify_chain().ok


def _tampered(sql: str, params) -> str:
    with connection.cursor() as cur:
        cur.execute(sql, params)
    report = verify_chain()
    assert not report.ok, "tampering went unnoticed"
    return report.reason


def scenario_changed_confirmation_is_found():
    confirm(make_airings(3))
    victim = Confirmation.objects.order_by("pk")[1]
    reason = _tampered(
        "UPDATE broadcast_confirmation SET status = 'missed', reason = 'power' "
        "WHERE id = %s",
        [victim.pk],
    )
    assert str(victim.batch) in reason


def scenario_changed_time_is_found():
    confirm(make_airings(3))
    victim = Confirmation.objects.order_by("pk")[0]
    _tampered(
        "UPDATE broadcast_confirmation SET aired_at = %s WHERE id = %s",
        [victim.aired_at - timedelta(minutes=5), victim.pk],
    )


def scenario_deleted_confirmation_is_found():
    confirm(make_airings(3))
    victim = Confirmation.objects.order_by("pk")[2]
    reason = _tampered("DELETE FROM broadcast_confirmation WHERE id = %s", [victim.pk])
    assert str(victim.batch) in reason


def scenario_added_confirmation_is_found():
    airings = make_airings(3)
    confirm(airings[:2])
    batch = Confirmation.objects.first().batch
    spare = airings[2]
    # Slipped into an existing batch, and on its own without a batch.
    for batch_value in (str(batch), None):
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO broadcast_confirmation (uuid, airing_id, status, "
                "aired_at, reason, note, source, received_at, late, batch) "
                "VALUES (%s, %s, 'aired', %s, '', '', 'api', %s, %s, %s)",
                [
                    uuid.uuid4().hex
                    if connection.vendor == "sqlite"
                    else str(uuid.uuid4()),
                    spare.pk,
                    spare.planned_at,
                    timezone.now(),
                    False,
                    None
                    if batch_value is None
                    else (
                        uuid.UUID(batch_value).hex
                        if connection.vendor == "sqlite"
                        else batch_value
                    ),
                ],
            )
        report = verify_chain()
        assert not report.ok
        with connection.cursor() as cur:
            cur.execute(
                "DELETE FROM broadcast_confirmation WHERE airing_id = %s", [spare.pk]
            )
        assert verify_chain().ok


def scenario_confirmation_moved_to_another_batch_is_found():
    airings = make_airings(2, stations=1)
    confirm(airings[:1])
    confirm(airings[1:])
    first, second = Confirmation.objects.order_by("pk")
    _tampered(
        "UPDATE broadcast_confirmation SET batch = %s WHERE id = %s",
        [
            first.batch.hex if connection.vendor == "sqlite" else str(first.batch),
            second.pk,
        ],
    )


SCENARIOS = [
    scenario_one_chain_event_per_station_and_batch,
    scenario_a_single_confirmation_reads_as_the_airing_it_confirms,
    scenario_changed_confirmation_is_found,
    scenario_changed_time_is_found,
    scenario_deleted_confirmation_is_found,
    scenario_added_confirmation_is_found,
    scenario_confirmation_moved_to_another_batch_is_found,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__[9:])
def test_batches_on_sqlite(scenario):
    scenario()


def _node(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_merkle_root_is_the_rfc_6962_tree_hash():
    """Leaves hashed with a 0x00 prefix and nodes with 0x01 (RFC 6962 §2.1), so a
    leaf can never pass for a node; an odd leaf is carried up unpaired."""
    a, b, c = b"a", b"b", b"c"
    la, lb, lc = (_node(b"\x00" + x) for x in (a, b, c))
    assert merkle_root([a]) == la.hex()
    assert merkle_root([a, b]) == _node(b"\x01" + la + lb).hex()
    assert (
        merkle_root([a, b, c]) == _node(b"\x01" + _node(b"\x01" + la + lb) + lc).hex()
    )
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert merkle_root([b, a]) != merkle_root([a, b])


def test_a_correction_of_a_batched_airing_points_at_its_batch_event():
    from broadcast.services import airing_correct

    airings = make_airings(3, stations=1)
    confirm(airings)
    batch_event = DistributionEvent.objects.get(kind="confirmations")
    fix = airing_correct(
        airing=airings[1], status="missed", reason="power", actor="duyet", why="Sai"
    )
    assert fix.corrects_id == batch_event.pk and fix.airing_id == airings[1].pk
    again = airing_correct(airing=airings[1], status="aired", actor="duyet", why="Sai")
    assert again.corrects_id == fix.pk
    assert verify_chain().ok


def test_the_log_screen_says_what_a_batch_holds(demo):
    from django.test import Client
    from django.utils import translation

    confirm(make_airings(3, stations=1))
    admin = Client()
    assert admin.login(username="admin", password="loa-admin")
    page = admin.get("/station/log/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    with translation.override("vi"):
        assert "3 lượt phát (3 đã phát, 0 không phát được)" in page
    page = admin.get("/station/log/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 airings (3 aired, 0 not aired)" in page


def test_verify_log_command_counts_the_confirmations_and_names_a_tampered_batch():
    import io

    from django.core.management import CommandError, call_command

    confirm(make_airings(4, stations=1))
    out = io.StringIO()
    call_command("verify_log", stdout=out)
    assert "4 confirmations match their log events" in out.getvalue()
    victim = Confirmation.objects.first()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE broadcast_confirmation SET note = 'sửa' WHERE id = %s", [victim.pk]
        )
    with pytest.raises(CommandError, match=f"batch {victim.batch}"):
        call_command("verify_log", stdout=io.StringIO())


def test_deferred_events_enter_the_chain_with_the_next_append_in_order():
    """What a batch defers when the log's lock is busy (PostgreSQL; the contention
    itself is tested in tests/integration/test_log_deferred_postgres.py)."""
    from broadcast.log import _defer, log_event
    from broadcast.models import PendingLogEvent

    airings = make_airings(2, stations=1)
    _defer([dict(kind="withdrawal", actor="a", source="web", item_title="Một")])
    _defer([dict(kind="withdrawal", actor="a", source="web", item_title="Hai")])
    assert PendingLogEvent.objects.count() == 2
    assert verify_chain().ok
    log_event(kind="package_built", source="task")
    kinds = list(DistributionEvent.objects.values_list("kind", "item_title"))
    assert kinds[-3:] == [
        ("withdrawal", "Một"),
        ("withdrawal", "Hai"),
        ("package_built", ""),
    ]
    assert not PendingLogEvent.objects.exists()
    assert verify_chain().ok
    assert airings


def test_a_batch_claimed_twice_is_found():
    """A pending event naming a batch the chain already holds is not a second
    copy of the same confirmations: verify_log says so."""
    from broadcast.log import _defer
    from broadcast.models import PendingLogEvent

    confirm(make_airings(2, stations=1))
    event = DistributionEvent.objects.get(kind="confirmations")
    _defer([dict(kind="confirmations", station_code="x", data=dict(event.data))])
    report = verify_chain()
    assert not report.ok and str(event.data["batch"]) in report.reason
    PendingLogEvent.objects.all().delete()
    assert verify_chain().ok
