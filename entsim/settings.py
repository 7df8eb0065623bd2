"""entsim settings, driven by environment variables, with safe production defaults.

Embedded default: SQLite under var/ and Celery on kombu's filesystem transport under var/
(nothing to install but Python). Full stack: DATABASE_URL and CELERY_BROKER_URL.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ENTSIM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on", "oui")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY est obligatoire hors mode DEBUG (variable d'environnement SECRET_KEY)."
        )
    SECRET_KEY = "entsim-dev-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "widget_tweaks",
    "dsfr",
    "axes",
    "csp",
    "entsim.apps.EntsimConfig",
    "sts.apps.StsConfig",
    "edt.apps.EdtConfig",
    "siecle.apps.SiecleConfig",
    "aaf.apps.AafConfig",
    "ent.apps.EntConfig",
    "training.apps.TrainingConfig",
    "helpdesk.apps.HelpdeskConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "entsim.security.RequestSizeLimitMiddleware",
    "entsim.security.NonceCSPMiddleware",  # django-csp, nonce made up front
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "entsim.middleware.WorldAccessMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "entsim.urls"
WSGI_APPLICATION = "entsim.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "entsim.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'entsim.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker write concurrently: wait for the lock instead of failing at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests use a file, not shared-cache memory: a real worker thread then waits for locks
    # (busy timeout) instead of failing with "database table is locked".
    # One file per test process, so that two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-entsim-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "entsim.security.LoginRateLimitBackend",  # django-axes: refuses locked-out logins
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"  # never served: exchange files are downloaded through checked views
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Without a collected manifest (tests, DEBUG), static files are served from the apps' folders.
WHITENOISE_USE_FINDERS = not env_bool("STATICFILES_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATICFILES_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: size-capped (the largest real file a trainee uploads is an EDT or ELEGROUPE file).
ENTSIM_UPLOAD_MAX_BYTES = int(os.environ.get("ENTSIM_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# A request body beyond the cap (+1 MB of form) is refused with 413 before it is read
# (entsim.security.RequestSizeLimitMiddleware); the form and exchange_deposit check again.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # the non-file part of a request
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # beyond, an uploaded file is spooled to disk
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000  # the largest form ticks one box per pupil of a page
DATA_UPLOAD_MAX_NUMBER_FILES = 5  # every import form takes one file

# Security. HTTPS is assumed in production; ENTSIM_HTTPS=0 for a local stack over plain HTTP.
HTTPS = env_bool("ENTSIM_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Training rooms share computers: a session lasts a training day, not Django's two weeks.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script reads the cookie
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts and styles from this site only, plus the
# per-request nonce (`request.csp_nonce`, which django-dsfr puts on its script tags). No inline
# script, no eval: htmx is configured accordingly in templates/base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login rate limiting (django-axes, attempts kept in the database so that every web process
# shares them): 5 failures for one user name from one address lock that pair for 15 minutes.
# Per pair, not per address: a training room shares one address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "entsim.security.lockout_response"
AXES_COOLOFF_MESSAGE = "Trop de tentatives de connexion. Réessayez dans 15 minutes."
AXES_PERMALOCK_MESSAGE = "Trop de tentatives de connexion. Contactez votre formateur."
AXES_VERBOSE = False  # no banner on every start

# Celery. Default: kombu's filesystem transport under var/ (no Redis needed).
# Shared between the web processes and the workers: the progress of long night jobs, written
# outside their transaction (a job's row only changes when it commits). Redis when it is the
# broker, a folder under var/ otherwise.
# Keys name rows by id: ENTSIM_CACHE_PREFIX keeps apart databases that reuse ids on one Redis
# (each test run sets its own).
_cache_url = os.environ.get("CELERY_BROKER_URL", "")
CACHES = {
    "default": {
        **(
            {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
            if _cache_url.startswith("redis")
            else {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(VAR_DIR / "cache"),
            }
        ),
        "KEY_PREFIX": os.environ.get("ENTSIM_CACHE_PREFIX", ""),
    }
}

CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The transport lists this folder on every poll: it must exist before web or worker start.
    CELERY_QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # A task not acknowledged (its worker was killed) is delivered again after this long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("ENTSIM_BROKER_VISIBILITY_TIMEOUT", "3600"))
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "advance-running-worlds": {
        "task": "entsim.tasks.running_worlds_advance",
        "schedule": float(os.environ.get("ENTSIM_BEAT_SECONDS", "30")),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
DSFR_MARK_OPTIONAL_FIELDS = True
