"""Production: PostgreSQL, Redis (or RabbitMQ), many workers, shared media storage.

Every value comes from the environment; nothing here is a secret.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env_bool

# Refuse to start rather than run a server that leaks tracebacks, signs sessions
# with a guessable key or mails links to 127.0.0.1.
if env_bool("DEBUG", False):
    raise ImproperlyConfigured("DEBUG must be off in production: unset DEBUG.")
DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment for production."
    )
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters long in production."
    )
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "")
if not WAGTAILADMIN_BASE_URL:
    raise ImproperlyConfigured(
        "WAGTAILADMIN_BASE_URL must be set in production "
        "(e.g. https://loa.example.gov.vn)."
    )
# The web server refuses to start while a demo account still has its demo password
# (loa.wsgi, demo.guard.demo_password_accounts).
LOA_REFUSE_DEMO_PASSWORDS = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
STORAGES = {
    "default": {"BACKEND": "loa.storage.LoaStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Redis when there is one (CACHE_URL, else the broker's Redis); otherwise the
# file cache from base.py, which every process on the machine shares.
_CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("CELERY_BROKER_URL", "")
if _CACHE_URL.startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
        }
    }
SILENCED_SYSTEM_CHECKS = [
    # Wagtail's preview shows the page in a same-origin iframe: SAMEORIGIN is needed.
    "security.W019",
    # Joining the browsers' HSTS preload list is the site owner's decision
    # (SECURE_HSTS_PRELOAD=1 once the domain is ready).
    "security.W021",
]
# Long media jobs survive a worker's death: the broker redelivers unacknowledged work.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
