"""Settings read from the environment, checked in a fresh interpreter for each environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_SHOW = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "fund": settings.TADAMUN_FUND, "tz": settings.TIME_ZONE, "lang": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES], "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db": str(settings.DATABASES["default"]["NAME"]),
    "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS, "frame": settings.X_FRAME_OPTIONS,
    "hasher": settings.PASSWORD_HASHERS[0], "email": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST, "email_port": settings.EMAIL_PORT,
    "email_tls": settings.EMAIL_USE_TLS, "referrer": settings.SECURE_REFERRER_POLICY,
    "csp": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"],
    "key_file": (settings.VAR_DIR / "secret_key").exists(),
    "fallbacks": settings.SECRET_KEY_FALLBACKS,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
}))
"""


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TADAMUN_")}
    clean.pop("DATABASE_URL", None)
    clean.update({"DJANGO_SETTINGS_MODULE": "tadamun.settings", "TADAMUN_VAR_DIR": str(tmp_path)})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", _SHOW], env=clean, capture_output=True, text=True, timeout=60
    )


def _show(tmp_path: Path, **env: str) -> dict[str, object]:
    result = _run(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_embedded_default(tmp_path: Path) -> None:
    shown = _show(tmp_path)
    assert shown["fund"] == "dz-cnas"
    assert shown["tz"] == "Africa/Algiers"
    assert shown["lang"] == "fr"
    assert shown["languages"] == ["fr", "ar", "en"]
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["db"] == str(tmp_path / "tadamun.sqlite3")
    assert shown["key_file"] is True  # generated once into var/
    assert shown["debug"] is False
    assert shown["session_secure"] is True and shown["csrf_secure"] is True
    assert shown["hsts"] == 365 * 24 * 3600
    assert shown["frame"] == "DENY"
    assert shown["referrer"] == "same-origin"
    assert shown["hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert shown["csp"] == ["'self'"]
    assert shown["email"] == "django.core.mail.backends.console.EmailBackend"
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    _show(tmp_path)
    assert (tmp_path / "secret_key").read_text() == key  # kept, not regenerated


@pytest.mark.parametrize(
    ("fund", "tz"),
    [("ma-cnss", "Africa/Casablanca"), ("tn-cnss", "Africa/Tunis"), ("dz-cnas", "Africa/Algiers")],
)
def test_fund_picks_the_time_zone(tmp_path: Path, fund: str, tz: str) -> None:
    shown = _show(tmp_path, TADAMUN_FUND=fund)
    assert (shown["fund"], shown["tz"]) == (fund, tz)


def test_unknown_fund_is_a_clear_configuration_error(tmp_path: Path) -> None:
    result = _run(tmp_path, TADAMUN_FUND="eg-nosi")
    assert result.returncode != 0
    assert "ImproperlyConfigured: TADAMUN_FUND: unknown fund 'eg-nosi'; known funds: " in (
        result.stderr
    )
    assert "dz-cnas, ma-cnss, tn-cnss" in result.stderr


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    url = "postgres://u@127.0.0.1:5432/x"
    result = _run(tmp_path, DATABASE_URL=url)
    assert result.returncode != 0
    assert "TADAMUN_SECRET_KEY is required" in result.stderr
    shown = _show(tmp_path, DATABASE_URL=url, TADAMUN_SECRET_KEY="k" * 50)
    assert shown["engine"] == "django.db.backends.postgresql"
    assert shown["key_file"] is False


def test_debug_relaxes_transport_security(tmp_path: Path) -> None:
    shown = _show(tmp_path, TADAMUN_DEBUG="1")
    assert shown["debug"] is True
    assert shown["session_secure"] is False and shown["hsts"] == 0


def test_smtp_from_url(tmp_path: Path) -> None:
    shown = _show(tmp_path, TADAMUN_EMAIL_URL="smtp://user:p%40ss@mail.example.org:587?tls=1")
    assert shown["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (shown["email_host"], shown["email_port"], shown["email_tls"]) == (
        "mail.example.org",
        587,
        True,
    )


def test_bad_flag_is_named(tmp_path: Path) -> None:
    result = _run(tmp_path, TADAMUN_DEBUG="maybe")
    assert result.returncode != 0
    assert "TADAMUN_DEBUG='maybe'" in result.stderr


def test_secret_key_fallbacks_and_broker_prefix(tmp_path: Path) -> None:
    assert _show(tmp_path)["fallbacks"] == []
    assert _show(tmp_path)["broker_options"] == {"visibility_timeout": 3600}
    shown = _show(
        tmp_path,
        TADAMUN_SECRET_KEY_FALLBACKS=" old-one , older-one ,",
        TADAMUN_BROKER_KEY_PREFIX="fund-a:",
        TADAMUN_BROKER_VISIBILITY_TIMEOUT="60",
    )
    assert shown["fallbacks"] == ["old-one", "older-one"]
    assert shown["broker_options"] == {"visibility_timeout": 60, "global_keyprefix": "fund-a:"}
