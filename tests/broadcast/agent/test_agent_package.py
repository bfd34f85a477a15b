"""The agent's own code, without Django: imports, Python 3.9 syntax, the zipapp,
and its reading of manifests (unknown fields tolerated, optional ones absent)."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import broadcast.agent
from broadcast.agent.package import Refused, _choose, verify_and_unpack, withdrawn_ids
from broadcast.agent.service import plan

AGENT = Path(broadcast.agent.__file__).parent
ROOT = AGENT.parents[1]
SERVER_SIDE = (
    "django",
    "wagtail",
    "ninja",
    "celery",
    "loa",
    "cms",
    "media_pipeline",
    "demo",
)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_agent_imports_only_the_standard_library_and_cryptography():
    allowed = set(sys.stdlib_module_names) | {"cryptography", "__future__", "broadcast"}
    for path in AGENT.glob("*.py"):
        assert _imports(path) <= allowed, path.name
    code = (
        "import sys, broadcast.agent.cli, broadcast.agent.service, "
        "broadcast.agent.package, broadcast.agent.player;"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {SERVER_SIDE!r}];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_agent_source_parses_as_python_3_9():
    for path in AGENT.glob("*.py"):
        ast.parse(path.read_text(), feature_version=(3, 9))


def test_agent_runs_under_python_3_9_when_installed():
    py39 = shutil.which("python3.9")
    if py39 is None:
        pytest.skip("python3.9 is not installed")
    done = subprocess.run(
        [py39, "-m", "broadcast.agent", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            "PYENV_VERSION": "3.9.18",
            "PATH": "/usr/bin:/bin:" + str(Path(py39).parent),
        },
    )
    if "pyenv" in done.stderr and done.returncode:
        pytest.skip("python3.9 shim without an interpreter")
    assert done.returncode == 0, done.stderr
    assert "enroll" in done.stdout


def _slot(hhmm: str, flexible: bool = False) -> str:
    return f"2026-12-02T{hhmm}:00+07:00" + ("~" if flexible else "")


def test_plan_orders_a_slot_by_priority_and_leaves_flexible_slots_to_the_commune():
    manifest = {
        "items": [
            {"station": "s", "content_id": 1, "planned_slots": [_slot("06:00")]},
            {
                "station": "s",
                "content_id": 2,
                "priority": "priority",
                "planned_slots": [_slot("06:00")],
                "some_future_field": {"x": 1},
            },
            {
                "station": "s",
                "content_id": 3,
                "priority": "emergency",
                "planned_slots": [_slot("06:00")],
            },
            {"station": "s", "content_id": 4, "planned_slots": [_slot("00:00", True)]},
            {"station": "other", "content_id": 5, "planned_slots": [_slot("05:00")]},
        ],
        "log_checkpoint": {"anything": "new"},
    }
    slots = plan(manifest, "s", withdrawn=set())
    assert [s.item["content_id"] for s in slots] == [3, 2, 1]
    assert slots[0].at == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert plan(manifest, "s", withdrawn={2}) != slots
    assert [s.item["content_id"] for s in plan(manifest, "s", withdrawn={2})] == [3, 1]
    assert plan({}, "s", withdrawn=set()) == []


def test_withdrawn_ids_keep_an_item_still_scheduled_by_another_schedule():
    manifest = {
        "items": [{"content_id": 7}],
        "withdrawals": [{"content_id": 7}, {"content_id": 8, "cause": "expired"}],
    }
    assert withdrawn_ids(manifest) == {8}


def test_choose_prefers_todays_newest_own_package_and_skips_superseded():
    listing = [
        {
            "id": "a",
            "station": "s",
            "period_from": "2026-12-01",
            "period_to": "2026-12-07",
            "built_at": "1",
        },
        {
            "id": "b",
            "station": "s",
            "period_from": "2026-12-01",
            "period_to": "2026-12-07",
            "built_at": "2",
        },
        {
            "id": "c",
            "station": "s",
            "period_from": "2026-12-01",
            "period_to": "2026-12-07",
            "built_at": "3",
            "superseded": True,
        },
        {
            "id": "d",
            "station": "x",
            "period_from": "2026-12-01",
            "period_to": "2026-12-07",
        },
        {
            "id": "e",
            "station": "s",
            "period_from": "2026-11-01",
            "period_to": "2026-11-07",
        },
        "junk",
    ]
    chosen = _choose(listing, "s", datetime(2026, 12, 2).date())
    assert [p["id"] for p in chosen] == ["b", "a", "e"]


def test_a_zip_with_a_file_not_in_the_checksums_is_refused(tmp_path):
    import base64
    import hashlib
    import zipfile

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pub = base64.b64encode(
        key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    ).decode()
    manifest = json.dumps({"package_id": "p", "items": []}).encode()
    sums = f"{hashlib.sha256(manifest).hexdigest()}  manifest.json\n"
    z = tmp_path / "p.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("manifest.json", manifest)
        zf.writestr("manifest.json.sig", base64.b64encode(key.sign(manifest)))
        zf.writestr("SHA256SUMS", sums)
        zf.writestr("s/media/evil.mp3", b"not listed")
    with pytest.raises(Refused) as exc:
        verify_and_unpack(z, tmp_path / "staging", pub)
    assert exc.value.code == "unlisted_file"
    assert not (tmp_path / "staging").exists()
    other = Ed25519PrivateKey.generate().public_key()
    other_b64 = base64.b64encode(
        other.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()
    with pytest.raises(Refused) as exc:
        verify_and_unpack(z, tmp_path / "staging2", other_b64)
    assert exc.value.code == "bad_signature"
