"""The batched confirmation log on PostgreSQL: rows written with COPY, the same
Merkle roots, and every tampering case found (the scenarios of
tests/broadcast/test_log_batches.py, run here against the real server)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.broadcast.test_log_batches import SCENARIOS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__[9:])
def test_batches_on_postgresql(scenario):
    assert connection.vendor == "postgresql"
    scenario()
