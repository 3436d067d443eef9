"""TOTP seeds are sealed at rest: the column holds no usable seed, the platform still signs people
in, the secret key can be rotated, and the migration seals the seeds stored before it."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pyotp
import pytest
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun import sealed
from tadamun.accounts.models import User
from tests.support.people import make_user, sign_in

CONTEXT = "accounts.User.totp_secret"
migration = importlib.import_module("tadamun.accounts.migrations.0005_totp_secret_sealed")


def _stored(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [user.pk])
        return str(cursor.fetchone()[0])


def test_round_trip_and_binding_to_the_column() -> None:
    value = sealed.seal("JBSWY3DPEHPK3PXP", context=CONTEXT)
    assert value.startswith(sealed.PREFIX) and "JBSWY3DPEHPK3PXP" not in value
    assert sealed.unseal(value, context=CONTEXT) == "JBSWY3DPEHPK3PXP"
    # Randomised: the same seed sealed twice differs, so equal columns reveal nothing.
    assert sealed.seal("JBSWY3DPEHPK3PXP", context=CONTEXT) != value
    with pytest.raises(sealed.SealError, match="no configured secret key"):
        sealed.unseal(value, context="accounts.User.other_column")


@pytest.mark.parametrize("damaged", ["JBSWY3DPEHPK3PXP", "sealed1:%%%", "sealed1:", "sealed1:AAAA"])
def test_damaged_values_are_refused(damaged: str) -> None:
    with pytest.raises(sealed.SealError):
        sealed.unseal(damaged, context=CONTEXT)


@pytest.mark.django_db
def test_the_column_holds_no_seed_and_sign_in_still_works(client: Client) -> None:
    user = make_user("sealed@example.org")
    stored = _stored(user)
    assert stored.startswith(sealed.PREFIX)
    assert user.totp_secret not in stored
    assert User.objects.get(pk=user.pk).totp_secret == user.totp_secret
    sign_in(client, User.objects.get(pk=user.pk))


@pytest.mark.django_db
def test_rotating_the_secret_key(settings: SettingsWrapper) -> None:
    settings.SECRET_KEY = "old-key-" + "x" * 40
    user = make_user("rotate@example.org")
    seed = user.totp_secret
    settings.SECRET_KEY = "new-key-" + "y" * 40
    with pytest.raises(sealed.SealError):
        User.objects.get(pk=user.pk)
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 40]
    again = User.objects.get(pk=user.pk)
    assert again.totp_secret == seed
    again.save()  # sealed again with the new key: the old one can then be dropped
    settings.SECRET_KEY_FALLBACKS = []
    assert User.objects.get(pk=user.pk).totp_secret == seed


@pytest.mark.django_db
def test_migration_seals_clear_seeds_and_reverses() -> None:
    user = make_user("legacy@example.org")
    seed = user.totp_secret
    without = make_user("nofactor@example.org", totp=False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET totp_secret = %s WHERE id = %s", [seed, user.pk])
    # The migration only uses the editor's connection (SQLite refuses a schema editor inside the
    # test's transaction).
    editor = SimpleNamespace(connection=connection)
    migration.seal_clear_seeds(None, editor)
    migration.seal_clear_seeds(None, editor)  # already sealed: left as it is
    assert _stored(user).startswith(sealed.PREFIX)
    assert User.objects.get(pk=user.pk).totp_secret == seed
    assert _stored(without) == ""
    migration.open_sealed_seeds(None, editor)
    assert _stored(user) == seed
    assert pyotp.TOTP(_stored(user)).now() == pyotp.TOTP(seed).now()
