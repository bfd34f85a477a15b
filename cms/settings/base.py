"""Settings shared by every environment.

Everything that differs between one laptop and a provincial deployment comes from the
environment, so the same code runs embedded (SQLite, filesystem broker) and distributed
(PostgreSQL, Redis, many workers, shared media storage).
"""

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
    "cms",
    "media_pipeline",
    "broadcast",
    "exhibitions",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "wagtailmedia",
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
]

ROOT_URLCONF = "cms.urls"

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

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'loa.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads over this size stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
)
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
LOA_MAX_UPLOAD_BYTES = int(os.environ.get("LOA_MAX_UPLOAD_BYTES", 4 * 1024**3))

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
WAGTAILDOCS_SERVE_METHOD = "serve_view"
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
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Loa
LOA_PROFILE_OVERRIDES: dict = {}
LOA_MAX_DURATION_SECONDS = int(os.environ.get("LOA_MAX_DURATION_SECONDS", 3 * 3600))
# Media jobs: heartbeat every N s; silent for LOA_JOB_STALE_SECONDS = worker dead.
LOA_JOB_HEARTBEAT_SECONDS = int(os.environ.get("LOA_JOB_HEARTBEAT_SECONDS", 10))
LOA_JOB_STALE_SECONDS = int(os.environ.get("LOA_JOB_STALE_SECONDS", 60))
LOA_JOB_MAX_ATTEMPTS = 3
LOA_PACKAGE_ROOT = Path(os.environ.get("LOA_PACKAGE_ROOT", MEDIA_ROOT / "packages"))
LOA_SIGNING_KEY_FILE = Path(
    os.environ.get("LOA_SIGNING_KEY_FILE", VAR_DIR / "keys" / "package-signing.pem")
)
# "" streams through Django; "x-accel-redirect" (nginx) or "x-sendfile" (Apache).
LOA_DOWNLOAD_OFFLOAD = os.environ.get("LOA_DOWNLOAD_OFFLOAD", "")
LOA_DOWNLOAD_OFFLOAD_PREFIX = os.environ.get(
    "LOA_DOWNLOAD_OFFLOAD_PREFIX", "/protected/"
)

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
    },
}

SESSION_COOKIE_AGE = int(timedelta(days=30).total_seconds())
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Offline and Vietnamese (issue 15). Provincial networks are often closed to the
# internet: nothing a page loads may come from outside the server.
INSTALLED_APPS += ["ninja"]  # the API docs' Swagger UI from local static files
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # the admin shows local avatars, not Gravatar's
# English dates day first (en-GB), not in the US order.
FORMAT_MODULE_PATH = ["cms.formats"]
# Vietnamese 403 pages for a failed CSRF check too (Django's own is English).
CSRF_FAILURE_VIEW = "exhibitions.errors.csrf_failure"
