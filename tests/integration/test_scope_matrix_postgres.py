"""The role × screen × district matrix (tests/security/test_scope_matrix.py) again,
on PostgreSQL: the scope policy's queries (subqueries on codes, collection trees)
must give the same answers there."""

import pytest
from django.db import connection

from tests.security.test_scope_matrix import (  # noqa: F401 (fixtures and tests)
    test_a_district_editor_sees_their_own_district_on_every_media_screen,
    test_no_screen_shows_another_districts_draft_title_or_log_event,
    test_province_staff_see_every_district_on_the_same_screens,
    test_station_principals_see_their_own_airings,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
