"""Django settings, read from the environment. Secure unless told otherwise.

Embedded mode (no ``DATABASE_URL``): a SQLite file under ``var/``, e-mail to the console, a secret
key generated once into ``var/secret_key``. Production: ``DATABASE_URL`` (PostgreSQL),
``TADAMUN_SECRET_KEY``, ``TADAMUN_ALLOWED_HOSTS`` and an SMTP server. Every variable is listed in
README.md ("Running the platform").
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from tadamun.funds import DEFAULT_FUND, UnknownFund, get_fund


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _flag(name: str, default: bool) -> bool:
    raw = _env(name)
    if not raw:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: write 1/true/yes/on or 0/false/no/off")


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def _list(name: str, default: list[str]) -> list[str]:
    raw = _env(name)
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(_env("TADAMUN_VAR_DIR") or PROJECT_DIR / "var")

DEBUG = _flag("TADAMUN_DEBUG", False)

# --- the fund ------------------------------------------------------------------------------------

TADAMUN_FUND = _env("TADAMUN_FUND") or DEFAULT_FUND
try:
    FUND = get_fund(TADAMUN_FUND)
except UnknownFund as exc:
    raise ImproperlyConfigured(f"TADAMUN_FUND: {exc}") from None

# --- database ------------------------------------------------------------------------------------

DATABASE_URL = _env("DATABASE_URL")
EMBEDDED = not DATABASE_URL
if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES: dict[str, dict[str, Any]] = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "tadamun.sqlite3",
        }
    }
else:
    DATABASES = {
        "default": dict(
            dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
        )
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when the transaction starts, so two writers wait instead of failing
    # half-way with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- secrets -------------------------------------------------------------------------------------


def _secret_key() -> str:
    key = _env("TADAMUN_SECRET_KEY")
    if key:
        return key
    if not (DEBUG or EMBEDDED):
        raise ImproperlyConfigured(
            "TADAMUN_SECRET_KEY is required when TADAMUN_DEBUG is off and DATABASE_URL is set "
            "(production). Generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'"
        )
    # Embedded or debug mode: one key per machine, generated once, never committed (var/ is
    # ignored by git).
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
#: Former secret keys, comma-separated, while rotating: signatures and sealed values
#: (``tadamun/sealed.py``: TOTP seeds) made with them are still accepted.
SECRET_KEY_FALLBACKS = [
    k.strip() for k in _env("TADAMUN_SECRET_KEY_FALLBACKS").split(",") if k.strip()
]


def _sandbox_gateway_secret() -> str:
    """The HMAC key of the built-in sandbox gateway (``TADAMUN_SANDBOX_GATEWAY_SECRET``), else
    generated once into ``var/sandbox_gateway_secret``: the sandbox signs and verifies in the same
    deployment, and moves no real money."""
    key = _env("TADAMUN_SANDBOX_GATEWAY_SECRET")
    if key:
        return key
    path = VAR_DIR / "sandbox_gateway_secret"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


TADAMUN_SANDBOX_GATEWAY_SECRET = _sandbox_gateway_secret()
#: How the sandbox delivers its callbacks: "thread" (an HTTP POST from a background thread after
#: the redirect) or "outbox" (kept in memory for a test to deliver through the test client).
TADAMUN_SANDBOX_DELIVERY = _env("TADAMUN_SANDBOX_DELIVERY") or "thread"
TADAMUN_SANDBOX_DELAY_SECONDS = _int("TADAMUN_SANDBOX_DELAY_SECONDS", 1)
#: Extra copies of every callback (0: each is sent once), to show duplicates being ignored.
TADAMUN_SANDBOX_DUPLICATES = _int("TADAMUN_SANDBOX_DUPLICATES", 0)

# --- background jobs (tadamun/jobs.py) and declaration files (tadamun/filings/) -----------------

#: redis://… or amqp://…: production Celery (workers: ``celery -A tadamun.jobs worker``). Empty:
#: jobs run in-process in a background thread after the commit (``TADAMUN_JOBS=inline``: in the
#: committing thread).
TADAMUN_BROKER_URL = _env("TADAMUN_BROKER_URL")
if TADAMUN_BROKER_URL and urlsplit(TADAMUN_BROKER_URL).scheme not in (
    "redis",
    "rediss",
    "amqp",
    "amqps",
):
    raise ImproperlyConfigured("TADAMUN_BROKER_URL: write redis://… or amqp://…")
TADAMUN_JOBS = _env("TADAMUN_JOBS") or "thread"
#: Redis only: seconds after which a message a dead worker took is delivered again.
TADAMUN_BROKER_VISIBILITY_TIMEOUT = _int("TADAMUN_BROKER_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_URL = TADAMUN_BROKER_URL or "memory://"
#: A prefix for every key the jobs put in Redis, so that several deployments (or test runs) can
#: share one Redis server without taking each other's messages.
TADAMUN_BROKER_KEY_PREFIX = _env("TADAMUN_BROKER_KEY_PREFIX")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": TADAMUN_BROKER_VISIBILITY_TIMEOUT
}
if TADAMUN_BROKER_KEY_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = TADAMUN_BROKER_KEY_PREFIX
#: Largest declaration file accepted (bytes, as received), and for a zip its uncompressed size.
TADAMUN_FILING_MAX_BYTES = _int("TADAMUN_FILING_MAX_BYTES", 200 * 1024 * 1024)
TADAMUN_FILING_MAX_UNZIPPED_BYTES = _int("TADAMUN_FILING_MAX_UNZIPPED_BYTES", 1024 * 1024 * 1024)

# --- supporting documents (tadamun/documents/) and notifications -------------------------------

#: Where uploaded documents are kept: outside the web root, never served statically.
TADAMUN_DOCUMENT_DIR = Path(_env("TADAMUN_DOCUMENT_DIR") or VAR_DIR / "documents")
TADAMUN_DOCUMENT_MAX_BYTES = _int("TADAMUN_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
#: Largest image accepted (width × height), checked before decoding: no decompression bomb.
TADAMUN_DOCUMENT_MAX_PIXELS = _int("TADAMUN_DOCUMENT_MAX_PIXELS", 50_000_000)
#: The scanning hook (a dotted path); ``tadamun.documents.scanning.clamd_scanner`` for ClamAV.
TADAMUN_DOCUMENT_SCANNER = (
    _env("TADAMUN_DOCUMENT_SCANNER") or "tadamun.documents.scanning.eicar_scanner"
)
TADAMUN_CLAMD_ADDRESS = _env("TADAMUN_CLAMD_ADDRESS") or "127.0.0.1:3310"
#: The site's public address, for the links in e-mails (e.g. ``https://portail.example.dz``).
TADAMUN_SITE_URL = _env("TADAMUN_SITE_URL")

#: Redis for the API rate-limit counters shared by every web process (else a redis:// broker,
#: else the database).
TADAMUN_REDIS_URL = _env("TADAMUN_REDIS_URL")
#: Partners' rights look-ups allowed per key and per client address (beyond: 429, flagged).
TADAMUN_RIGHTS_RATE = _env("TADAMUN_RIGHTS_RATE") or "30/m"
TADAMUN_RIGHTS_IP_RATE = _env("TADAMUN_RIGHTS_IP_RATE") or "300/m"
#: Seconds a live partner key is remembered per web process (tadamun.api.keycache): a revoked
#: key or suspended partner is refused by every process within this delay. 0: no cache.
TADAMUN_API_KEY_CACHE_SECONDS = float(_env("TADAMUN_API_KEY_CACHE_SECONDS") or "5")
#: The rights check's two statements are prepared once per PostgreSQL connection
#: (tadamun.hotsql); 0 behind a transaction-mode pooler that cannot keep prepared statements.
TADAMUN_PREPARED_STATEMENTS = _flag("TADAMUN_PREPARED_STATEMENTS", True)

ALLOWED_HOSTS = _list("TADAMUN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = _list("TADAMUN_CSRF_TRUSTED_ORIGINS", [])

# --- applications --------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "tadamun.funds",
    "tadamun.registry",
    "tadamun.numbering",
    "tadamun.accounts",
    "tadamun.ledger",
    "tadamun.payments",
    "tadamun.declarations",
    "tadamun.documents",
    "tadamun.notifications",
    "tadamun.dossiers",
    "tadamun.filings",
    "tadamun.affiliation",
    "tadamun.voluntary",
    "tadamun.insured",
    "tadamun.benefits",
    "tadamun.certificates",
    "tadamun.housekeeping",
    "tadamun.api",
    "tadamun.portal",
    # django-ninja: its API docs page (Swagger UI) from our own static files, under our CSP.
    "ninja",
    "tadamun.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

#: The partners' rights check (/api/v1/rights/, a key, never a cookie) is served with only these
#: (tadamun/wsgi.py): the rest of MIDDLEWARE is for pages and sessions.
TADAMUN_RIGHTS_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tadamun.urls"
# The declaration form posts 4 fields per employee: 2,000 employees are 8,000 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 25_000
WSGI_APPLICATION = "tadamun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tadamun.portal.context_processors.fund",
            ],
        },
    }
]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- passwords and sessions ------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
# Password-reset links are good for one hour (and once: the token changes with the password).
PASSWORD_RESET_TIMEOUT = 3600

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _int("TADAMUN_SESSION_SECONDS", 2 * 3600)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- transport security: on unless debugging -----------------------------------------------------

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else _int("TADAMUN_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = _flag("TADAMUN_HSTS_PRELOAD", False)
# TLS is usually ended by a reverse proxy; these two say so explicitly.
SECURE_SSL_REDIRECT = _flag("TADAMUN_SSL_REDIRECT", False)
if _flag("TADAMUN_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp): our own scripts, styles and images only — no inline
# script or style, no eval, no framing, forms post only to us.
_CSP_DIRECTIVES: dict[str, list[str] | bool] = {
    "default-src": [NONE],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF],
    "font-src": [SELF],
    "connect-src": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
    "base-uri": [NONE],
    "object-src": [NONE],
}
if not DEBUG:
    _CSP_DIRECTIVES["upgrade-insecure-requests"] = True
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

# --- languages and time --------------------------------------------------------------------------

_LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية", "en": "English"}
LANGUAGE_CODE = FUND.default_language
LANGUAGES = [(code, _LANGUAGE_NAMES[code]) for code in FUND.languages]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = FUND.timezone
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- e-mail --------------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = _env("TADAMUN_EMAIL_FROM") or "Tadamun <no-reply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _email_settings() -> dict[str, Any]:
    """``TADAMUN_EMAIL_URL`` (``smtp://user:password@host:587?tls=1``, ``smtps://…``) or
    ``TADAMUN_EMAIL_HOST`` and friends; the console otherwise."""
    url = _env("TADAMUN_EMAIL_URL")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps", "console"):
            raise ImproperlyConfigured(
                f"TADAMUN_EMAIL_URL: scheme {parts.scheme!r} is not smtp, smtps or console"
            )
        if parts.scheme == "console":
            return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
        query = parse_qs(parts.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in ("1", "true", "yes"),
            "EMAIL_TIMEOUT": 10,
        }
    host = _env("TADAMUN_EMAIL_HOST")
    if host:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": host,
            "EMAIL_PORT": _int("TADAMUN_EMAIL_PORT", 25),
            "EMAIL_HOST_USER": _env("TADAMUN_EMAIL_USER"),
            "EMAIL_HOST_PASSWORD": _env("TADAMUN_EMAIL_PASSWORD"),
            "EMAIL_USE_TLS": _flag("TADAMUN_EMAIL_TLS", False),
            "EMAIL_USE_SSL": _flag("TADAMUN_EMAIL_SSL", False),
            "EMAIL_TIMEOUT": 10,
        }
    return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


_email = _email_settings()
EMAIL_BACKEND: str = _email["EMAIL_BACKEND"]
EMAIL_HOST: str = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT: int = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER: str = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD: str = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS: bool = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL: bool = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT: int = _email.get("EMAIL_TIMEOUT", 10)

# --- logging -------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("TADAMUN_LOG_LEVEL") or "INFO"},
}
