"""The airing tally on PostgreSQL, where statement-level triggers with transition
tables keep it: the unit suite's checks again (every kind of write, periods that
cut months, every filter), one bulk statement, and two transactions confirming
airings of the same tally rows at once."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from broadcast.models import PlannedAiring, Station
from broadcast.services import ConfirmationInput, confirmations_record, schedule_create
from tests.broadcast.conftest import radio_item, schedule_today  # noqa: F401
from tests.broadcast.test_report_tally import (  # noqa: F401 (the same tests)
    _same_as_counted,
    test_every_report_filter_is_carried_by_the_tally,
    test_the_report_from_the_tally_is_exact_for_periods_that_cut_months,
    test_the_tally_equals_a_direct_count_after_every_kind_of_write,
)


@pytest.fixture(autouse=True)
def _on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")


def _plan_many(item, *, days=20):
    today = timezone.localdate()
    return schedule_create(
        item=item,
        start_date=today - timedelta(days=days),
        end_date=today - timedelta(days=1),
        target_kind="stations",
        target_stations=list(Station.objects.filter(unit__level="commune")[:25]),
        slot_times=["05:00", "06:00", "11:00", "17:00", "19:00"],
    )


@pytest.mark.django_db
def test_one_bulk_statement_of_thousands_of_airings_is_tallied_exactly(radio_item):  # noqa: F811
    _plan_many(radio_item())
    assert PlannedAiring.objects.count() >= 2000
    # One UPDATE statement over every airing, as a bulk correction would be.
    PlannedAiring.objects.filter(planned_at__lt=timezone.now()).update(
        status="missed", missed_reason="equipment"
    )
    _same_as_counted()


@pytest.mark.django_db(transaction=True)
def test_two_transactions_confirming_the_same_tally_rows_at_once_stay_exact(
    radio_item,  # noqa: F811
):
    _plan_many(radio_item(), days=3)
    ids = list(
        PlannedAiring.objects.filter(planned_at__lt=timezone.now())
        .order_by("pk")
        .values_list("pk", "planned_at")
    )
    halves = [ids[0::2], ids[1::2]]
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[str] = []

    def confirm(part):
        try:
            start.wait()
            for k in range(0, len(part), 50):
                results.extend(
                    r.result
                    for r in confirmations_record(
                        items=[
                            ConfirmationInput(
                                uuid=str(uuid.uuid4()),
                                airing=pk,
                                status="aired",
                                aired_at=at,
                            )
                            for pk, at in part[k : k + 50]
                        ],
                        station_ids=None,
                        source="api",
                    )
                )
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(h,)) for h in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == ["created"] * len(ids)
    assert PlannedAiring.objects.filter(status="aired").count() == len(ids)
    _same_as_counted()


@pytest.mark.django_db
def test_the_triggers_cleanup_of_spent_tally_rows_can_use_its_index():
    """Every write to airings ends with `DELETE ... WHERE n <= 0`. The partial
    index must imply that predicate, or each 500-airing confirmation batch reads
    the whole tally (a year of it, at scale) to find nothing."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN DELETE FROM broadcast_airingtally WHERE n <= 0")
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "Seq Scan" not in plan, plan
