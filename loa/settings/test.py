"""Tests: fast password hashing, media in a throwaway folder, tasks run by real workers
where a test asks for one (see tests/conftest.py)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import env_bool

SECRET_KEY = "loa-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Exported, so a worker process started by the integration tests shares the folder;
# each pytest-xdist worker (`make test` runs two) gets a folder of its own in it.
_TMP = Path(
    os.environ.setdefault("LOA_TEST_VAR", tempfile.mkdtemp(prefix="loa-test-"))
) / os.environ.get("PYTEST_XDIST_WORKER", "")
MEDIA_ROOT = _TMP / "media"
LOA_PRIVATE_ROOT = _TMP / "private"
LOA_PACKAGE_ROOT = LOA_PRIVATE_ROOT / "packages"
STATIC_ROOT = _TMP / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
LOA_SIGNING_KEY_FILE = _TMP / "keys" / "package-signing.pem"
# Unit tests run tasks inline; integration tests start a real worker and override this.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "loa.storage.LoaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # Lets the test runner's flush TRUNCATE the append-only log, in test_…
    # databases only (see broadcast migration 0004).
    DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] = "-c loa.allow_log_truncate=on"  # noqa: F405
