"""On PostgreSQL the distribution log refuses UPDATE and DELETE in the database
itself, even from raw SQL."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from broadcast.log import log_event, verify_chain
from broadcast.models import DistributionEvent

# Not transactional: a flush would empty the tables the migrations filled (root
# page, groups) for the tests after this one; savepoints are enough here.
pytestmark = pytest.mark.django_db


def test_postgresql_trigger_refuses_update_and_delete_of_log_events():
    assert connection.vendor == "postgresql"
    event = log_event(kind="withdrawal", actor="duyet.tinh", item_title="Bản tin")
    log_event(kind="correction", actor="duyet.tinh", corrects=event)
    for sql in (
        "UPDATE broadcast_distributionevent SET actor = 'x' WHERE id = %s",
        "DELETE FROM broadcast_distributionevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(sql, [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DistributionEvent.objects.filter(pk=event.pk).update(actor="x")
    assert DistributionEvent.objects.get(pk=event.pk).actor == "duyet.tinh"
    assert verify_chain().broken_at is None
