"""Django settings for Wraparound, read from the environment.

The embedded default (SQLite + DuckDB files under ``var/``) needs no configuration so that
``make demo`` works on a fresh machine. Production (``WRAPAROUND_ENV=production``) refuses to
start with settings that would be unsafe for personal data about children and families.
"""

from __future__ import annotations

import os
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

ENVIRONMENT = os.environ.get("WRAPAROUND_ENV", "development")
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
    "wraparound.core",
    "wraparound.records",
    "wraparound.matching",
    "wraparound.sharing",
    "wraparound.directory",
    "wraparound.needs",
    "wraparound.casework",
    "wraparound.training",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wraparound.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
            "OPTIONS": {"timeout": 30},
        }
    }
DUCKDB_PATH = VAR_DIR / "wraparound.duckdb"
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

AXES_FAILURE_LIMIT = int(os.environ.get("WRAPAROUND_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "wraparound.core.views.auth.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(os.environ.get("WRAPAROUND_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "wraparound.core.views.errors.csrf_failure"

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

SERVICE_NAME = os.environ.get("WRAPAROUND_SERVICE_NAME", "Wraparound")
PARTNERSHIP_NAME = os.environ.get(
    "WRAPAROUND_PARTNERSHIP_NAME", "Hartshire Children and Families Partnership"
)


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
    if SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "WRAPAROUND_SECRET_KEY is unset, the development default, or shorter than 50 "
            "characters: set a long random WRAPAROUND_SECRET_KEY in production."
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


check_production_settings()
