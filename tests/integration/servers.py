"""Are the servers the integration tests need reachable? Checked at collection time
(from tests/conftest.py), before any fixture tries to connect."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def missing_servers() -> list[str]:
    from django.conf import settings

    missing = []
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL (DATABASE_URL is not a postgres:// URL)")
    elif not _reachable(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)):
        missing.append(f"PostgreSQL at {db.get('HOST')}:{db.get('PORT') or 5432}")
    broker = urlparse(settings.CELERY_BROKER_URL)
    if broker.scheme != "redis":
        missing.append("Redis (CELERY_BROKER_URL is not a redis:// URL)")
    elif not _reachable(broker.hostname or "127.0.0.1", broker.port or 6379):
        missing.append(f"Redis at {broker.hostname}:{broker.port or 6379}")
    return missing


def skip_or_fail_without_servers(items) -> None:
    """Skip integration tests, naming the missing server; under CI=true, stop the run."""
    ours = [i for i in items if f"{os.sep}integration{os.sep}" in str(i.fspath)]
    if not ours:
        return
    missing = missing_servers()
    if not missing:
        return
    msg = "integration tests need: " + ", ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.exit(f"CI=true and {msg}", returncode=3)
    print(f"\nSKIPPING integration tests: {msg}")
    for item in ours:
        item.add_marker(pytest.mark.skip(reason=msg))
