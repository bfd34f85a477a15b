"""Local development and `make run`: one machine, SQLite, filesystem broker."""

import os

from .base import *  # noqa: F401,F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
# Local-only key; production refuses to start without its own.
SECRET_KEY = os.environ.get("SECRET_KEY") or "loa-dev-only-not-secret"
ALLOWED_HOSTS = ["*"]
# `load_demo` runs here without --i-know-this-is-not-production.
LOA_DEMO_ALLOWED = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The embedded default keeps everything under var/; make sure it exists.
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Loa's own 404 page under `make run`; LOA_DEBUG_404=1 shows Django's debug page.
if DEBUG and not env_bool("LOA_DEBUG_404"):
    MIDDLEWARE = [*MIDDLEWARE, "exhibitions.errors.FriendlyNotFoundMiddleware"]  # noqa: F405
