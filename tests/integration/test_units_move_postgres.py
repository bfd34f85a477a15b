"""The unit tree's move out of broadcast applied to a PostgreSQL database made with the
schema from before the move (see tests/loa/units_move_check.py)."""

import os

import psycopg
import pytest
from django.db import connection

from tests.loa.test_units_move_migration import EXPECTED, run_move_check

pytestmark = pytest.mark.django_db


def test_units_move_on_a_postgres_database_made_before_it():
    if connection.vendor != "postgresql":
        pytest.fail("needs DATABASE_URL pointing at PostgreSQL")
    s = connection.settings_dict
    name = f"loa_units_move_{os.getpid()}"
    admin = psycopg.connect(
        host=s["HOST"],
        port=s["PORT"] or 5432,
        user=s["USER"],
        dbname=s["NAME"],
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{name}"
        assert run_move_check(url) == EXPECTED
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
