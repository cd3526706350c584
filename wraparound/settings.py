"""Django settings for Wraparound, read from the environment.

The embedded default (SQLite + DuckDB files under ``var/``) needs no configuration so that
``make demo`` works on a fresh machine. Production (``WRAPAROUND_ENV=production``) refuses to
start with settings that would be unsafe for personal data about children and families.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from collections import Counter
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
REPO_ROOT = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("WRAPAROUND_VAR_DIR", REPO_ROOT / "var"))
try:
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
except OSError as error:
    raise ImproperlyConfigured(
        f"WRAPAROUND_VAR_DIR={VAR_DIR} cannot hold Wraparound's files "
        f"({error.strerror}); point it at a writable folder."
    ) from error

ENVIRONMENTS = ("development", "production")
# Case and spaces are forgiven ("Production "), anything else is refused: a typo such as "prod"
# must never quietly run a production server in development mode.
ENVIRONMENT = os.environ.get("WRAPAROUND_ENV", "development").strip().lower() or "development"
if ENVIRONMENT not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"WRAPAROUND_ENV={os.environ.get('WRAPAROUND_ENV')!r} is not a known environment: "
        f"use one of {', '.join(ENVIRONMENTS)}."
    )
PRODUCTION = ENVIRONMENT == "production"

INSECURE_DEFAULT_SECRET_KEY = "insecure-wraparound-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("WRAPAROUND_SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = os.environ.get("WRAPAROUND_DEBUG", "false").lower() in {"1", "true", "yes"}

_hosts = os.environ.get("WRAPAROUND_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()]
if not PRODUCTION:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "wraparound.core",
    "wraparound.records",
    "wraparound.matching",
    "wraparound.sharing",
    "wraparound.directory",
    "wraparound.needs",
    "wraparound.casework",
    "wraparound.outcomes",
    "wraparound.training",
    "django_fsm_log",  # one row per referral state transition (django-fsm-2)
    "wraparound.notifications",
    "wraparound.referrals",
    "wraparound.evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wraparound.core.middleware.RequestIdMiddleware",
    "wraparound.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wraparound.core.middleware.SessionIdleRefreshMiddleware",
    "wraparound.core.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wraparound.urls"
WSGI_APPLICATION = "wraparound.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # Catalogue codes as labels on every page without a {% load %} (wraparound.core.labels).
            "builtins": [
                "wraparound.core.templatetags.labels",
                "wraparound.core.templatetags.access",
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "wraparound.core.context_processors.service",
                "wraparound.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "wraparound.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Whether SQLite is the embedded default or named by DATABASE_URL=sqlite:///...:
    # IMMEDIATE: every transaction takes the write lock when it begins, so two writers
    # queue behind each other (for up to `timeout` seconds) instead of one failing with
    # "database is locked" when both try to upgrade a read lock. WAL lets pages read
    # while a write is in progress, and commits without rewriting a rollback journal.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DUCKDB_PATH = VAR_DIR / "wraparound.duckdb"

# Long work (large imports, linkage, needs runs) is queued in the database and run by
# `wraparound worker` (django-tasks with its database backend: no extra server to run).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Confirmed uploads larger than this are imported by the worker, with progress on the page.
IMPORT_IN_BACKGROUND_FROM_BYTES = int(
    float(os.environ.get("WRAPAROUND_IMPORT_BACKGROUND_MB", "5")) * 1024 * 1024
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- Authentication: Argon2 hashing, throttling, sessions -------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:signed-out"

LOGIN_FAILURE_LIMIT = int(os.environ.get("WRAPAROUND_LOGIN_FAILURE_LIMIT", "5"))
# Password spraying (a few guesses at each of many accounts from one address) is caught by a
# second count: failures from one address across every username.
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("WRAPAROUND_LOGIN_IP_FAILURE_LIMIT", "20"))
AXES_FAILURE_LIMIT = "wraparound.core.lockout.failure_limit"
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "wraparound.core.views.auth.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(os.environ.get("WRAPAROUND_SESSION_MINUTES", "30")) * 60
# An idle timeout, not an absolute one: `SessionIdleRefreshMiddleware` re-saves a signed-in
# session (pushing its expiry on) when it was last saved this many seconds ago or more.
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "wraparound.core.views.errors.csrf_failure"

# --- Audit log: the chain head is anchored outside the database in a signed checkpoint file ----
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("WRAPAROUND_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoint.json")
)
# The HMAC key signing that file. Keep it out of the database (an attacker who can rewrite the
# log must not also be able to re-sign the checkpoint); defaults to one derived from SECRET_KEY.
AUDIT_CHECKPOINT_KEY = (
    os.environ.get("WRAPAROUND_AUDIT_KEY")
    or hmac.new(SECRET_KEY.encode(), b"wraparound-audit-checkpoint", hashlib.sha256).hexdigest()
)

# --- Secure headers ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = os.environ.get("WRAPAROUND_SSL_REDIRECT", "true").lower() == "true"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Static files: GOV.UK Frontend built by `make assets`, served by WhiteNoise ----------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WRAPAROUND_LOG_LEVEL", "WARNING")},
}

# --- Serving: gunicorn workers, request limits ---------------------------------------------------
BIND = os.environ.get("WRAPAROUND_BIND", "127.0.0.1:8000")
WEB_WORKERS = int(os.environ.get("WRAPAROUND_WEB_WORKERS", "2"))
# Seconds a request may take before gunicorn replaces its worker; long work goes to the job queue.
WEB_TIMEOUT = int(os.environ.get("WRAPAROUND_WEB_TIMEOUT", "60"))
MB = 1024 * 1024
# The largest agency extract imported (CLI and web); bigger files are refused before they are read.
IMPORT_MAX_BYTES = int(float(os.environ.get("WRAPAROUND_IMPORT_MAX_MB", "512")) * MB)
# The largest request body the web server reads (an upload included): refused from its
# Content-Length before a byte of the body is read. Defaults to the import limit plus a margin.
REQUEST_MAX_BYTES = int(
    float(os.environ.get("WRAPAROUND_REQUEST_MAX_MB", str(IMPORT_MAX_BYTES / MB + 1))) * MB
)
# Extracts with more columns than this are refused from their header line (a real extract has
# tens; a million-column file would take minutes to map).
IMPORT_MAX_COLUMNS = int(os.environ.get("WRAPAROUND_IMPORT_MAX_COLUMNS", "500"))
# Form fields (not files) are held in memory: keep that small. Uploads over 2.5 MB go to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Capabilities' settings ---------------------------------------------------------------------
# Where `wraparound link` saves and reuses its trained, versioned linkage model.
MODEL_DIR = Path(os.environ.get("WRAPAROUND_MODEL_DIR", VAR_DIR / "models"))
_suppression = os.environ.get("WRAPAROUND_SUPPRESSION_THRESHOLD", "5")
if not _suppression.strip().isdigit() or int(_suppression) < 1:
    raise ImproperlyConfigured(
        f"WRAPAROUND_SUPPRESSION_THRESHOLD must be a whole number of 1 or more, not {_suppression!r}."
    )
SUPPRESSION_THRESHOLD = int(_suppression)
REACH_MAX_KM = float(os.environ.get("WRAPAROUND_REACH_MAX_KM", "8"))

# --- Working days: England and Wales bank holidays as data (wraparound.core.working_days) -------
# Empty: the list shipped in core/catalogues. Or a YAML file of the same shape, or GOV.UK's
# bank-holidays.json, so a newly announced bank holiday is a file edit, not a release.
BANK_HOLIDAYS_FILE = os.environ.get("WRAPAROUND_BANK_HOLIDAYS_FILE", "")

# --- Email (notifications): printed to the console unless an SMTP server is configured --------
EMAIL_BACKEND = os.environ.get(
    "WRAPAROUND_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("WRAPAROUND_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("WRAPAROUND_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("WRAPAROUND_FROM_EMAIL", "wraparound@localhost")
# Links in emails: the address people open the service at.
SITE_URL = os.environ.get("WRAPAROUND_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Referrals: how long the receiving agency has to decide, in working days ------------------
REFERRAL_DECISION_DAYS = int(os.environ.get("WRAPAROUND_REFERRAL_DECISION_DAYS", "5"))
REFERRAL_URGENT_DECISION_DAYS = int(os.environ.get("WRAPAROUND_REFERRAL_URGENT_DECISION_DAYS", "1"))
REFERRAL_EXPIRY_DAYS = int(os.environ.get("WRAPAROUND_REFERRAL_EXPIRY_DAYS", "3"))

SERVICE_NAME = os.environ.get("WRAPAROUND_SERVICE_NAME", "Wraparound")
PARTNERSHIP_NAME = os.environ.get(
    "WRAPAROUND_PARTNERSHIP_NAME", "Hartshire Children and Families Partnership"
)


MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_DISTINCT = 10
MIN_SECRET_KEY_BITS = 192  # estimated from the spread of characters; a random hex key has 240+


def secret_key_weakness(key: str) -> str:
    """Why a secret key is too weak for production, or "" if it is fine.

    Length alone is not enough: 64 copies of one letter, or a short phrase repeated, is long
    but guessable. So a key also needs many distinct characters, an even spread of them
    (Shannon entropy per character, as a random key has), and must not be one piece repeated.
    """
    if key == INSECURE_DEFAULT_SECRET_KEY:
        return "is unset or the development default"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < MIN_SECRET_KEY_DISTINCT:
        return f"has fewer than {MIN_SECRET_KEY_DISTINCT} different characters"
    counts = Counter(key).values()
    entropy = -sum(n / len(key) * math.log2(n / len(key)) for n in counts)
    if entropy * len(key) < MIN_SECRET_KEY_BITS:
        return f"is not random enough (about {entropy * len(key):.0f} bits)"
    if key in (key + key)[1:-1]:
        return "is a shorter piece repeated"
    return ""


def check_production_settings() -> None:
    """Refuse to run production with settings that would expose children's data.

    Each error names the setting so an operator can fix it without reading code.
    """
    if not PRODUCTION:
        return
    if DEBUG:
        raise ImproperlyConfigured(
            "WRAPAROUND_DEBUG is on in production: set WRAPAROUND_DEBUG=false."
        )
    weakness = secret_key_weakness(SECRET_KEY)
    if weakness:
        raise ImproperlyConfigured(
            f"WRAPAROUND_SECRET_KEY {weakness}: set a long random WRAPAROUND_SECRET_KEY in "
            "production, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    audit_key = os.environ.get("WRAPAROUND_AUDIT_KEY")
    if audit_key is not None and secret_key_weakness(audit_key):
        raise ImproperlyConfigured(
            f"WRAPAROUND_AUDIT_KEY {secret_key_weakness(audit_key)}: set a long random key, or "
            "unset it to derive one from WRAPAROUND_SECRET_KEY."
        )
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        raise ImproperlyConfigured(
            "DATABASE_URL is unset or SQLite in production: set DATABASE_URL to a PostgreSQL "
            "database (postgres://user@host:5432/name)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "WRAPAROUND_ALLOWED_HOSTS is empty in production: list the host names served."
        )
    if any(host == "*" or host.startswith("*") for host in ALLOWED_HOSTS):
        raise ImproperlyConfigured(
            "WRAPAROUND_ALLOWED_HOSTS contains '*' in production: list the host names served, "
            "so a forged Host header cannot steer password-reset links or cache keys."
        )


check_production_settings()
