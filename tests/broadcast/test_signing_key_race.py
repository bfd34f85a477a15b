"""The package signing key is made on first use. Many workers starting at once (a
gunicorn with several workers, all answering /api/v1/keys) must all end up with
the one key on disk, and none may read it half-written (found by the
confirmation benchmark's warm-up: "Unable to load PEM file ... MalformedFraming")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings.test")
django.setup()
from django.conf import settings
settings.LOA_SIGNING_KEY_FILE = sys.argv[1]
from broadcast.signing import public_key_raw_b64
start = float(sys.argv[2])
while time.time() < start:
    pass
print(public_key_raw_b64())
"""


def test_workers_starting_at_once_share_one_complete_key(tmp_path):
    import time

    key = tmp_path / "keys" / "signing.pem"
    start = time.time() + 6
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(key), str(start)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(12)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    errors = [err for (_out, err), p in zip(outs, procs, strict=True) if p.returncode]
    assert not errors, errors[0][-600:]
    keys = {out.strip() for out, _err in outs}
    assert len(keys) == 1 and len(next(iter(keys))) == 44
    assert [p.name for p in key.parent.iterdir()] == ["signing.pem"]
