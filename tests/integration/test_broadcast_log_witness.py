"""On PostgreSQL: TRUNCATE of the log is refused by a trigger, and a table owner who
disables the triggers to cut, empty or rewrite the log is caught by verify_log
holding the chain against the signed checkpoints."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from broadcast.log import checkpoint_sign, log_event, verify_chain
from broadcast.models import DistributionEvent, LogCheckpoint
from tests import log_tamper

# Not transactional (see test_broadcast_log.py): savepoints are enough.
pytestmark = pytest.mark.django_db


def _events(n: int, start: int = 0):
    for i in range(start, start + n):
        log_event(kind="package_built", source="task", station_code=f"s{i}")


@pytest.mark.parametrize(
    "table", ["broadcast_distributionevent", "broadcast_logcheckpoint"]
)
def test_truncate_is_refused_outside_the_test_runners_flush(table):
    assert connection.vendor == "postgresql"
    _events(2)
    checkpoint_sign()
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cur:
            # What every connection but the test runner's has.
            cur.execute("SET LOCAL loa.allow_log_truncate = 'off'")
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"TRUNCATE {table} CASCADE")
    assert DistributionEvent.objects.count() == 2
    assert LogCheckpoint.objects.count() == 1


def test_checkpoints_refuse_update_and_delete():
    _events(1)
    cp = checkpoint_sign()
    for sql in (
        "UPDATE broadcast_logcheckpoint SET events = 0 WHERE id = %s",
        "DELETE FROM broadcast_logcheckpoint WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(sql, [cp.pk])


@pytest.mark.parametrize("tamper", list(log_tamper.TAMPERS))
def test_owner_disabling_the_trigger_to_tamper_is_caught(tamper):
    _events(6)
    checkpoint_sign()
    _events(2, start=6)
    assert verify_chain().ok
    log_tamper.TAMPERS[tamper]()  # ALTER TABLE … DISABLE TRIGGER, change, ENABLE
    assert not verify_chain().ok
    with pytest.raises(CommandError):
        call_command("verify_log", stdout=io.StringIO())
