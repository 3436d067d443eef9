"""notify / notify_address: inbox row now, e-mail over real SMTP after commit, in the recipient's
language; never a password, a token or a full identifier."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.accounts.services import mask_identifier
from tadamun.funds import get_fund
from tadamun.jobs import join_threads
from tadamun.notifications.models import Notification
from tadamun.notifications.services import (
    UnsafeContent,
    notification_email,
    notify,
    notify_address,
)
from tests.support.mail import Mailbox

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATE = "dossiers/notifications/status_changed.txt"


def _context(**overrides: object) -> dict[str, object]:
    context: dict[str, object] = {
        "reference": "D2026-000042",
        "kind": "Réclamation",
        "status": "Approuvée",
        "reason": "",
        "expected": "Rien",
    }
    context.update(overrides)
    return context


def test_in_french_inbox_and_smtp_after_commit(amina: User, mailbox: Mailbox) -> None:
    with transaction.atomic():
        note = notify(user=amina, template=TEMPLATE, context=_context(), link="/en/dossiers/7/")
        assert mailbox.messages == []  # nothing leaves before the commit
    assert note.language == "fr"
    assert note.subject == "Votre demande D2026-000042 : Approuvée"
    assert "Bonjour" in note.body
    assert note.link == "/fr/dossiers/7/"
    [message] = mailbox.messages
    assert mailbox.recipients == [["amina@example.dz"]]
    assert message["Subject"] == note.subject
    assert "Bonjour" in Mailbox.body(message)
    assert "/fr/dossiers/7/" in Mailbox.body(message)
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_in_the_default_background_thread(
    amina: User, mailbox: Mailbox, settings: SettingsWrapper
) -> None:
    settings.TADAMUN_JOBS = "thread"
    note = notify(user=amina, template=TEMPLATE, context=_context())
    join_threads()
    assert len(mailbox.messages) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None
    notification_email(notification_id=note.pk)  # a job run twice sends once
    assert len(mailbox.messages) == 1


def test_in_arabic(karim: User, mailbox: Mailbox, settings: SettingsWrapper) -> None:
    settings.TADAMUN_SITE_URL = "https://portail.example.dz"
    note = notify(user=karim, template=TEMPLATE, context=_context(status="مقبول"), link="/fr/x/")
    assert note.language == "ar"
    assert "طلبك" in note.subject
    [message] = mailbox.messages
    body = Mailbox.body(message)
    assert "مرحبًا" in body
    assert "https://portail.example.dz/ar/x/" in body


def test_a_rolled_back_action_sends_nothing(amina: User, mailbox: Mailbox) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(user=amina, template=TEMPLATE, context=_context())
        raise RuntimeError("the caller's action failed")
    assert Notification.objects.count() == 0
    assert mailbox.messages == []


def test_a_mail_server_down_keeps_the_inbox(amina: User, settings: SettingsWrapper) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    note = notify(user=amina, template=TEMPLATE, context=_context())
    note.refresh_from_db()
    assert note.emailed_at is None
    assert Notification.objects.filter(user=amina).count() == 1


def test_notify_address_in_arabic(mailbox: Mailbox) -> None:
    notify_address(email="new@example.dz", language="ar", template=TEMPLATE, context=_context())
    [message] = mailbox.messages
    assert mailbox.recipients == [["new@example.dz"]]
    assert "طلبك" in message["Subject"]
    assert Notification.objects.count() == 0


NSS = get_fund("dz-cnas").insured_number.issue(1234)  # type: ignore[misc]
EMPLOYER = get_fund("dz-cnas").employer_number.issue(12_345_678)  # type: ignore[misc]

UNSAFE = [
    ("password name", {"password": "x"}),
    ("temporary password", {"temporary_password": "Abc"}),
    ("token name", {"activation_token": "abc"}),
    ("otp code", {"otp": "123456"}),
    ("token value", {"reason": "use hT7kq2Zr9XbW4vLp0sYc3mNd8fGa"}),
    ("full insured number", {"reason": f"duplicate of {NSS}"}),
    ("full employer number", {"reference": EMPLOYER}),
    ("number as int", {"reference": int(EMPLOYER)}),
    ("model instance", {"kind": object()}),
    ("float money", {"kind": 12.5}),
]


@pytest.mark.parametrize(("case", "extra"), UNSAFE, ids=[u[0] for u in UNSAFE])
def test_unsafe_contexts_are_refused_before_anything(
    amina: User, mailbox: Mailbox, case: str, extra: dict[str, object]
) -> None:
    with pytest.raises(UnsafeContent):
        notify(user=amina, template=TEMPLATE, context=_context(**extra))
    with pytest.raises(UnsafeContent):
        notify_address(
            email="x@example.dz", language="fr", template=TEMPLATE, context=_context(**extra)
        )
    assert Notification.objects.count() == 0
    assert mailbox.messages == []


def test_masked_identifiers_and_plain_values_pass(amina: User, mailbox: Mailbox) -> None:
    note = notify(
        user=amina,
        template=TEMPLATE,
        context=_context(
            reference=mask_identifier(NSS),
            reason=f"Montant {Decimal('1234.50')} au {dt.date(2026, 1, 31)}",
        ),
    )
    assert NSS not in note.body and NSS[-3:] in note.body


def test_a_javascript_link_is_refused(amina: User) -> None:
    with pytest.raises(UnsafeContent):
        notify(user=amina, template=TEMPLATE, context=_context(), link="javascript:alert(1)")
    with pytest.raises(UnsafeContent):
        notify(user=amina, template=TEMPLATE, context=_context(), link="//evil.example/")
