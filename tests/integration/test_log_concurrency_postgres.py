"""Many appenders at once on PostgreSQL: the chain never forks, every confirmation
is recorded once however the re-sends race, and verify_log holds."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from broadcast.log import checkpoint_sign, log_event, verify_chain
from broadcast.models import Confirmation, DistributionEvent
from broadcast.services import ConfirmationInput, confirmations_record
from tests.broadcast.test_log_batches import make_airings


def _run_all(targets):
    start = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def wrap(fn):
        try:
            start.wait()
            fn()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_appenders_never_fork_the_chain():
    assert connection.vendor == "postgresql"

    def appender(k):
        def run():
            for i in range(15):
                log_event(kind="package_built", source="task", data={"k": k, "i": i})
            checkpoint_sign()

        return run

    _run_all([appender(k) for k in range(6)])
    assert DistributionEvent.objects.count() == 90
    # Each event's predecessor is a different event: a fork would give two events
    # the same previous hash.
    prevs = list(DistributionEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == len(prevs)
    report = verify_chain()
    assert report.ok, report.reason
    assert report.checkpoints >= 1


@pytest.mark.django_db(transaction=True)
def test_racing_batches_and_resends_record_each_confirmation_once():
    assert connection.vendor == "postgresql"
    airings = make_airings(40, stations=3)
    batches = [
        [
            ConfirmationInput(uuid=str(uuid.uuid4()), airing=a.pk, status="aired")
            for a in airings[i : i + 20]
        ]
        for i in range(0, len(airings), 20)
    ]
    answers: list[str] = []

    def sender(batch):
        def run():
            answers.extend(
                r.result
                for r in confirmations_record(
                    items=batch, station_ids=None, source="api"
                )
            )

        return run

    # Every batch sent twice at the same moment, as a phone re-sends after a
    # lost answer while the first request is still being served.
    _run_all([sender(b) for b in batches for _copy in (1, 2)])
    assert sorted(answers) == sorted(
        ["created"] * len(airings) + ["duplicate"] * len(airings)
    )
    assert Confirmation.objects.count() == len(airings)
    report = verify_chain()
    assert report.ok, report.reason
    assert report.confirmations == len(airings)
