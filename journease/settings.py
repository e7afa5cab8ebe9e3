"""Journease settings: one module, every deployment fact read from the environment.

The README has the table of variables. With nothing set, the app runs on a SQLite file and an
embedded (filesystem) Celery broker, so one command serves it on a fresh machine; production sets
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (broker and cache).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from journease.beat import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JOURNEASE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# With DEBUG off and no SECRET_KEY, the key stays empty: Django then refuses anything that signs
# (sessions, tokens) with "The SECRET_KEY setting must not be empty", while management commands
# that need no key (migrate, makemigrations --check) still run.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

PORT = int(os.environ.get("PORT", "8000"))
SITE_URL = os.environ.get("SITE_URL", f"http://localhost:{PORT}").rstrip("/")
CLINIC_NAME = os.environ.get("CLINIC_NAME", "Journease")
# The number a participant calls after a dosing day (the written discharge instructions).
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "")
CLINIC_TIME_ZONE = os.environ.get("CLINIC_TIME_ZONE", "America/Denver")

# The project's apps, bottom to top: each imports only those before it (import-linter's layers).
INSTALLED_APPS = [
    "outbox",
    "participants",
    "sessions_app",
    "dosing",
    "cohorts",
    "followup",
    "demo",
    "operations",
    "journease.admin.JourneaseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "csp",
]

MIDDLEWARE = [
    "operations.metrics.RequestMetricsBeforeMiddleware",  # request latency for /metrics: first,
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "participants.language.LinkLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, answered from the person's cached facts (participants.user_facts).
    "participants.security.SecondFactorMiddleware",
    "participants.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "participants.security.IdleTimeoutMiddleware",
    "participants.security.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A deadlock that no service retried becomes "please try again" (503), never a 500.
    "journease.middleware.TryAgainMiddleware",
    "operations.metrics.RequestMetricsAfterMiddleware",  # and after all that shape the answer.
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "journease.urls"
WSGI_APPLICATION = "journease.wsgi.application"
ASGI_APPLICATION = "journease.asgi.application"

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
                "participants.context_processors.clinic",
            ],
            # The clinic's own words (names, directions) in the reader's language.
            "libraries": {"reader_language": "journease.reader_language"},
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite is the zero-setup default: WAL and immediate transactions let the web process, the
# worker and beat write to one file without "database is locked".
_SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Form choice lists iterate their querysets: on a server-side cursor each costs three round
    # trips (DECLARE, FETCH, CLOSE) for a handful of rows. Nothing here streams large results.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)
BACKUP_DIR = Path(os.environ.get("JOURNEASE_BACKUP_DIR") or VAR_DIR / "backups")  # manage.py backup

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and the cache ---------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, with one Redis client per pool instead of one per call.
            "BACKEND": "journease.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "journease",
        }
    }
    # Sessions are read from Redis and written through to the database (which stays the record:
    # a cache flush signs nobody out). Without Redis the database cache would cost what it saves.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # What every page asks about its person (roles, permissions, devices, name), kept per user
    # (participants.user_facts); without Redis it is read from the database on each request.
    USER_FACTS_CACHE = True
else:
    USER_FACTS_CACHE = False
    # Shared by every process (web, worker, beat), unlike LocMemCache: rate limits need that.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "journease_cache",
        }
    }

# --- Celery -------------------------------------------------------------------------------------
# Without REDIS_URL the broker is kombu's filesystem transport: a real worker and beat, no server.
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = CLINIC_TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE  # journease/beat.py: every periodic task, in one place

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "participants.User"
AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins and refuses a locked-out one before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in person by a query compiled once; Django's own
    # after it keeps sessions signed in before (see participants.auth_backend).
    "participants.auth_backend.UserBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "participants:login"
# Signing in leads to a safe ``next`` or to the person's own page (participants.landing); this is
# only the fallback for an account that holds no role.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
EMAIL_VERIFICATION_TIMEOUT_DAYS = 3
MINIMUM_PARTICIPANT_AGE = 18

# Idle sessions end; a warning shows shortly before (static/js/idle.js).
IDLE_TIMEOUT_STAFF_MINUTES = 15
IDLE_TIMEOUT_PARTICIPANT_MINUTES = 30
SESSION_COOKIE_AGE = 60 * 60 * 12

# Attempts per client address per hour before sign-up, password reset and new-link requests pause.
RATE_LIMITS = {
    "signup": (5, 3600),
    "password_reset": (5, 3600),
    "resend_verification": (5, 3600),
}

# Staff second factor (django-otp): the name authenticator apps show.
OTP_TOTP_ISSUER = CLINIC_NAME

# Lockout after repeated failed sign-ins (django-axes), counted per address and account together.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out sign-in may be tried again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field holds the e-mail address
AXES_LOCKOUT_TEMPLATE = "participants/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "participants.request_info.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

PHONENUMBER_DEFAULT_REGION = "US"

# --- Internationalization and time ---------------------------------------------------------------
LANGUAGE_CODE = "en"
# Each language is named in its own words: whoever cannot read the page can still find theirs.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = CLINIC_TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------------------------
# Development prints mail to the console (the terminal of `make run`); production sets SMTP.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{CLINIC_NAME} <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Messages (the outbox) ---------------------------------------------------------------------
# Text messages: a backend class; the console one prints them. A provider is one more subclass.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox.sms.ConsoleSmsBackend")
# The provider's inbound webhook (/sms/inbound/) must send "Authorization: Bearer <token>".
SMS_INBOUND_TOKEN = os.environ.get("SMS_INBOUND_TOKEN", "")
NOTIFICATION_BATCH_SIZE = int(os.environ.get("NOTIFICATION_BATCH_SIZE", "200"))
# A row left in "sending" this long (a worker died mid-send) is claimed again.
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = 600
NOTIFICATION_MAX_ATTEMPTS = 6

# --- Security -----------------------------------------------------------------------------------
# Everything below is on whenever DEBUG is off; each can be turned off by its variable.
_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _SECURE)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _SECURE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _SECURE else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _SECURE)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _SECURE)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    # Only behind a proxy that sets (and strips clients' own) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The language switch's cookie: a visitor's choice, kept a year (an account keeps its own).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws a few icons as data: SVG images in its stylesheet.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}

# --- Monitoring (README, Operations: Monitoring) ---------------------------------------------
# Addresses or networks (comma-separated) that may read /metrics, as the app reads a client's
# address (participants.request_info.client_ip: behind a proxy, the address it forwarded).
METRICS_ALLOWED_IPS = [
    item.strip()
    for item in os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",")
    if item.strip()
]
# "Authorization: Bearer <METRICS_TOKEN>" may read it from anywhere; unset, no token is accepted.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Prometheus on the same machine scrapes gunicorn over plain HTTP on the loopback; every other
# page still redirects to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]

# --- Logging ------------------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "celery": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- Sign-in delay per account, across addresses (participants/services/signin_throttle.py) ----
# django-axes above counts per account and address; this counts per account from any address.
# After this many failures for one account within an hour, each further attempt waits the base
# delay after the latest failure, doubling with every failure, never longer than the cap.
SIGNIN_DELAY_AFTER_FAILURES = 10
SIGNIN_DELAY_BASE_SECONDS = 30
SIGNIN_DELAY_MAX_SECONDS = 15 * 60
