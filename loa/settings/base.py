"""Settings shared by every environment.

Everything that differs between one laptop and a provincial deployment comes from the
environment, so the same code runs embedded (SQLite, filesystem broker) and distributed
(PostgreSQL, Redis, many workers, shared media storage).
"""

import importlib.util
import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LOA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "loa.units",
    "cms",
    "media_pipeline",
    "broadcast",
    "exhibitions",
    "demo",
    "wagtail.contrib.forms",
    # These five, less Wagtail's content API (v3), which Loa does not serve and
    # which would cost every process 29 MB (loa/wagtail_apps.py says why).
    "loa.wagtail_apps.RedirectsConfig",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "loa.wagtail_apps.SnippetsConfig",
    "loa.wagtail_apps.DocumentsConfig",
    "loa.wagtail_apps.ImagesConfig",
    "wagtail.search",
    "wagtail.admin",
    "loa.wagtail_apps.LocalesConfig",
    "wagtail",
    "wagtailmedia",
    "axes",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "exhibitions.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Innermost: it needs the user and the language, and serves anonymous visitors
    # whole cached public pages.
    "exhibitions.middleware.PublicPageCacheMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "loa.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "loa.wsgi.application"

_DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'loa.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        # PostgreSQL connections are kept between requests (seconds, 0 closes them
        # after each): a new connection per request costs a server process, which
        # was a fifth of a station API call. Checked before reuse, so a restarted
        # server costs one failed check, not an error.
        conn_max_age=int(
            os.environ.get(
                "DB_CONN_MAX_AGE", "60" if _DATABASE_URL.startswith("postgres") else "0"
            )
        ),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to the same file: wait for the lock
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Also marks accounts given a demo password, for production's start-up check.
    {"NAME": "demo.guard.DemoPasswordValidator"},
]

# Sign-in throttling (django-axes): after LOA_LOGIN_FAILURE_LIMIT wrong passwords
# for one username, or from one address, sign-in is refused for the cool-off time.
AUTHENTICATION_BACKENDS = [
    "cms.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOA_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(
    minutes=int(os.environ.get("LOA_LOGIN_COOLOFF_MINUTES", 15))
)
AXES_LOCKOUT_PARAMETERS = env_list("LOA_LOGIN_LOCKOUT_BY", "username,ip_address")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cms.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cms.security.client_ip"
# Proxies in front of Django that append to X-Forwarded-For (nginx: 1). 0 trusts
# no header, so a client cannot pick the address it is throttled under.
LOA_TRUSTED_PROXY_COUNT = int(os.environ.get("LOA_TRUSTED_PROXY_COUNT", 0))
# Station tokens: this many bad tokens from one address in the window, then 429.
# Speech previews in the admin: at most LIMIT requests per editor in WINDOW
# minutes (each is a synthesis in a worker); their audio is removed after HOURS.
LOA_SPEECH_PREVIEW_LIMIT = int(os.environ.get("LOA_SPEECH_PREVIEW_LIMIT", 10))
LOA_SPEECH_PREVIEW_WINDOW_MINUTES = int(
    os.environ.get("LOA_SPEECH_PREVIEW_WINDOW_MINUTES", 10)
)
LOA_SPEECH_PREVIEW_HOURS = int(os.environ.get("LOA_SPEECH_PREVIEW_HOURS", 6))
LOA_TOKEN_FAILURE_LIMIT = int(os.environ.get("LOA_TOKEN_FAILURE_LIMIT", 10))
LOA_TOKEN_FAILURE_WINDOW_SECONDS = int(
    os.environ.get("LOA_TOKEN_FAILURE_WINDOW_SECONDS", 600)
)
# Production sets this: the web server will not start while a demo password works.
LOA_REFUSE_DEMO_PASSWORDS = False
# Only the dev settings allow `load_demo` (published passwords) without a flag.
LOA_DEMO_ALLOWED = False

# Vietnamese first; English for visiting staff and partners.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Loa's own catalogue first; then the Vietnamese admin that Wagtail does not ship.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_admin"]
USE_I18N = True
# Stored in UTC, shown in the province's time.
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Originals, documents and packages (loa.storage.is_private): outside MEDIA_ROOT,
# never served by the front server directly, only through views that check.
LOA_PRIVATE_ROOT = Path(os.environ.get("LOA_PRIVATE_ROOT", VAR_DIR / "private"))
LOA_PRIVATE_URL = "/private/"
# "x-accel-redirect": the checking view hands the file to nginx's internal location.
LOA_PRIVATE_OFFLOAD = os.environ.get("LOA_PRIVATE_OFFLOAD", "")
LOA_PRIVATE_OFFLOAD_PREFIX = os.environ.get(
    "LOA_PRIVATE_OFFLOAD_PREFIX", "/internal-private/"
)
STORAGES = {
    "default": {"BACKEND": "loa.storage.LoaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads over this size stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
)
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
# Every upload path refuses larger files (media_pipeline.uploads), and pictures
# whose decoding would take more memory than LOA_IMAGE_DECODE_MB.
LOA_MAX_UPLOAD_MB = int(os.environ.get("LOA_MAX_UPLOAD_MB", 2048))
# Extra speech voices (media_pipeline.speech), as JSON: a list of {"key", "label",
# "backend": "command", "spec"}; the espeak-ng voices are always there.
LOA_SPEECH_VOICES = json.loads(os.environ.get("LOA_SPEECH_VOICES", "[]"))
LOA_IMAGE_DECODE_MB = int(os.environ.get("LOA_IMAGE_DECODE_MB", 256))

# Staff outside the admin (commune staff, operators) sign in here.
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/station/"

# The web server and the worker share this cache, so a page published by a Celery
# task clears the public page cache the web process serves from. Production uses Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

# Wagtail
WAGTAIL_SITE_NAME = "Loa"
WAGTAIL_I18N_ENABLED = False
# Required in production (links in notification emails); the laptop default is local.
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "media_pipeline.LoaImage"
WAGTAILIMAGES_MAX_IMAGE_PIXELS = int(
    os.environ.get("LOA_MAX_IMAGE_PIXELS", 200_000_000)
)
WAGTAILIMAGES_EXTENSIONS = [
    "avif",
    "gif",
    "jpg",
    "jpeg",
    "png",
    "webp",
    "heic",
    "tiff",
    "tif",
]
WAGTAILMEDIA = {
    "MEDIA_MODEL": "media_pipeline.LoaMedia",
    "AUDIO_EXTENSIONS": [
        "aac",
        "aiff",
        "flac",
        "m4a",
        "mp3",
        "ogg",
        "opus",
        "wav",
        "amr",
        "wma",
    ],
    "VIDEO_EXTENSIONS": [
        "avi",
        "mkv",
        "mov",
        "mp4",
        "mpeg",
        "mpg",
        "ts",
        "m2ts",
        "webm",
        "3gp",
        "wmv",
        "mts",
    ],
    # Sniffs uploads (content, not extension) before accepting them.
    "MEDIA_FORM_BASE": "media_pipeline.forms.LoaMediaForm",
}
WAGTAILIMAGES_IMAGE_FORM_BASE = "media_pipeline.forms.LoaImageForm"
WAGTAILSEARCH_BACKENDS = {
    # Wagtail's database backend, with Vietnamese diacritics folded (cms/search.py).
    "default": {"BACKEND": "cms.search"},
}
# Documents live under the private root: Wagtail's serve view checks the reader
# (collection privacy, broadcast.scope_admin's draft rule) and hands the file over
# as private files are (cms.private_files.sendfile, X-Accel-Redirect in production).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
SENDFILE_BACKEND = "cms.private_files"
WAGTAILDOCS_EXTENSIONS = ["pdf", "srt", "vtt", "txt", "csv", "xlsx", "docx", "odt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False

# Celery. Default broker is kombu's filesystem transport under var/: no server needed.
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcast (remote control) messages; kombu's default is ./control.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redelivery of unacknowledged (acks_late) messages after a worker dies.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "media_pipeline.tasks.*": {"queue": "media"},
    "broadcast.tasks.build_package": {"queue": "media"},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled": {
        "task": "cms.tasks.publish_scheduled",
        "schedule": timedelta(minutes=1),
    },
    "sweep-stuck-jobs": {
        "task": "media_pipeline.tasks.sweep_stuck_jobs",
        "schedule": timedelta(minutes=5),
    },
    "build-packages": {
        "task": "broadcast.tasks.build_due_packages",
        "schedule": timedelta(minutes=15),
    },
    # Renditions of media whose use changed without a publication (a page
    # deleted, an original swapped) are moved public or private.
    "place-renditions": {
        "task": "cms.tasks.place_all_renditions",
        "schedule": timedelta(hours=24),
    },
    "purge-speech-previews": {
        "task": "cms.tasks.speech_previews_purge",
        "schedule": timedelta(hours=1),
    },
    "seal-log": {
        "task": "broadcast.tasks.seal_log",
        "schedule": timedelta(minutes=1),
    },
    "sign-log-checkpoint": {
        "task": "broadcast.tasks.sign_log_checkpoint",
        "schedule": timedelta(hours=1),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Loa
LOA_PROFILE_OVERRIDES: dict = {}
LOA_MAX_DURATION_SECONDS = int(os.environ.get("LOA_MAX_DURATION_SECONDS", 3 * 3600))
# Media jobs: heartbeat every N s; silent for LOA_JOB_STALE_SECONDS = worker dead.
LOA_JOB_HEARTBEAT_SECONDS = int(os.environ.get("LOA_JOB_HEARTBEAT_SECONDS", 10))
LOA_JOB_STALE_SECONDS = int(os.environ.get("LOA_JOB_STALE_SECONDS", 60))
LOA_JOB_MAX_ATTEMPTS = 3
# A file that kills every worker that renders it is given up after this many.
LOA_JOB_MAX_LOST_WORKERS = 3
LOA_PACKAGE_ROOT = Path(
    os.environ.get("LOA_PACKAGE_ROOT", LOA_PRIVATE_ROOT / "packages")
)
LOA_SIGNING_KEY_FILE = Path(
    os.environ.get("LOA_SIGNING_KEY_FILE", VAR_DIR / "keys" / "package-signing.pem")
)
# "" streams through Django; "x-accel-redirect" (nginx) or "x-sendfile" (Apache).
LOA_DOWNLOAD_OFFLOAD = os.environ.get("LOA_DOWNLOAD_OFFLOAD", "")
LOA_DOWNLOAD_OFFLOAD_PREFIX = os.environ.get(
    "LOA_DOWNLOAD_OFFLOAD_PREFIX", "/protected/"
)
# Urgent announcements: a second person's approval (off: in a flood there is no
# time), and how long a station may be silent before it is listed for a phone call.
LOA_URGENT_SECOND_APPROVAL = env_bool("LOA_URGENT_SECOND_APPROVAL", False)
LOA_URGENT_NO_CONTACT_MINUTES = int(os.environ.get("LOA_URGENT_NO_CONTACT_MINUTES", 5))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail logs every page action and background task at INFO: too chatty.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; lockouts stay at WARNING.
        "axes": {"level": "WARNING"},
    },
}

# A signed-in session lasts a working day, not a month.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 12 * 3600))
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Offline and Vietnamese (issue 15). Provincial networks are often closed to the
# internet: nothing a page loads may come from outside the server.
# The station API docs' Swagger UI from local static files: ninja's own template and
# files, found without importing ninja (broadcast.api.OfflineSwagger says why it is
# not an installed app).
_NINJA_DIR = Path(importlib.util.find_spec("ninja").origin).parent
TEMPLATES[0]["DIRS"].append(_NINJA_DIR / "templates")
STATICFILES_DIRS.append(_NINJA_DIR / "static")
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # the admin shows local avatars, not Gravatar's
# English dates day first (en-GB), not in the US order.
FORMAT_MODULE_PATH = ["loa.formats"]
# Vietnamese 403 pages for a failed CSRF check too (Django's own is English).
CSRF_FAILURE_VIEW = "exhibitions.errors.csrf_failure"
