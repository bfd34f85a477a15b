"""A confirmation batch never waits for the log's append lock: when another
appender holds it, the batch's chain event is deferred (kept, with its root, in
the pending table) and the next append or the minutely seal puts it in the chain.
verify_log holds the deferred batch's confirmations against its pending root."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

from broadcast.log import _CHAIN_LOCK, seal_pending, verify_chain
from broadcast.models import DistributionEvent, PendingLogEvent
from tests.broadcast.test_log_batches import confirm, make_airings


def _hold_chain_lock() -> psycopg.Connection:
    s = connection.settings_dict
    other = psycopg.connect(
        dbname=s["NAME"], user=s["USER"], host=s["HOST"], port=s["PORT"] or 5432
    )
    other.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    return other


@pytest.mark.django_db(transaction=True)
def test_a_batch_does_not_wait_for_the_log_lock_and_is_sealed_after():
    assert connection.vendor == "postgresql"
    airings = make_airings(3, stations=1)
    holder = _hold_chain_lock()
    try:
        started = time.monotonic()
        results = confirm(airings)
        assert time.monotonic() - started < 5, "waited for the log's lock"
        assert [r.result for r in results] == ["created"] * 3
        assert not DistributionEvent.objects.filter(kind="confirmations").exists()
        assert PendingLogEvent.objects.count() == 1
        report = verify_chain()
        assert report.ok, report.reason
        assert report.pending == 1 and report.confirmations == 3
    finally:
        holder.rollback()
        holder.close()
    assert seal_pending() == 1
    assert DistributionEvent.objects.filter(kind="confirmations").count() == 1
    assert not PendingLogEvent.objects.exists()
    report = verify_chain()
    assert report.ok and report.pending == 0 and report.confirmations == 3


@pytest.mark.django_db(transaction=True)
def test_a_deferred_batch_deleted_before_it_is_sealed_is_found():
    airings = make_airings(2, stations=1)
    holder = _hold_chain_lock()
    try:
        confirm(airings)
    finally:
        holder.rollback()
        holder.close()
    batch = PendingLogEvent.objects.get().event["data"]["batch"]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM broadcast_pendinglogevent")
    report = verify_chain()
    assert not report.ok and batch in report.reason
