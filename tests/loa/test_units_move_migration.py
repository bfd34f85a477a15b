"""The unit tree's move out of broadcast, applied to a database made with the schema
from before the move (tests/loa/units_move_check.py), on SQLite here and on PostgreSQL
in tests/integration/test_units_move_postgres.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "units": ["bp", "dx"],
    "station_unit": "dx",
    "station_unit_parent": "bp",
    "children_of_bp": ["dx"],
    "perm": True,
    "old_content_type_left": False,
    "table": "broadcast_unit",
}


def run_move_check(database_url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "loa.settings.test",
    }
    out = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "loa" / "units_move_check.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_units_keep_their_rows_links_and_permissions_across_the_move(tmp_path):
    assert run_move_check(f"sqlite:///{tmp_path / 'before-move.sqlite3'}") == EXPECTED
