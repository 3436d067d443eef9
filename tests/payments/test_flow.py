"""The whole payment journey through the pages, with the sandbox as the gateway: start, hosted
page, signed callback over HTTP (the test client), receipt, balance."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tadamun.ledger import selectors as ledger_selectors
from tadamun.ledger.models import Entry
from tadamun.ledger.services import ledger_post_dues
from tadamun.payments import sandbox, services
from tadamun.payments.models import PaymentIntent, Receipt
from tadamun.registry.models import Employer
from tests.payments.conftest import deliver, member

pytestmark = pytest.mark.django_db

CARD_OK = "4242 4242 4242 4242"


def _post_dues(employer: Employer) -> None:
    ledger_post_dues(employer=employer, source="declaration:1", period_label="2025-12",
                     due_date=dt.date(2026, 1, 31), currency="DZD",
                     amounts={"retirement": 600_000, "social_insurance": 400_000})  # fmt: skip
    ledger_post_dues(employer=employer, source="declaration:2", period_label="2026-01",
                     due_date=dt.date(2026, 2, 28), currency="DZD",
                     amounts={"retirement": 500_000})  # fmt: skip


def _start(client: Client, employer: Employer, amount: str, key: str = "k" * 32) -> str:
    url = reverse("payments:pay", kwargs={"employer_id": employer.pk})
    response = client.post(url, {"amount": amount, "idempotency_key": key})
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def _card(
    client: Client, page: str, card: str, capture: object, expiry: str = "12/39"
) -> tuple[int, str]:
    assert client.get(page).status_code == 200
    with capture(execute=True):  # type: ignore[operator]
        response = client.post(page, {"card_number": card, "expiry": expiry, "cvc": "123"})
    location = response.get("Location", "")
    return response.status_code, location


def test_pay_in_part_get_a_receipt_and_the_oldest_dues_settled(
    client_a: Client, employer: Employer, django_capture_on_commit_callbacks: object
) -> None:
    _post_dues(employer)
    page = _start(client_a, employer, "7000.00")
    assert page.startswith("/fr/sandbox-gateway/pay/")
    hosted = client_a.get(page).content.decode()
    assert "SANDBOX" in hosted and "7" in hosted

    status, back = _card(client_a, page, CARD_OK, django_capture_on_commit_callbacks)
    assert status == 302
    intent = PaymentIntent.objects.get()
    assert back.endswith(f"?reference={intent.gateway_reference}")
    # The payer is back before the callback: the page says we wait for the bank.
    waiting = client_a.get(urlsplit(back).path + "?" + urlsplit(back).query)
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.content.decode()

    [delivery] = sandbox.take_outbox()
    assert deliver(client_a, delivery) == (
        200,
        {"reference": intent.gateway_reference, "status": "succeeded"},
    )
    intent.refresh_from_db()
    assert intent.status == "succeeded" and intent.card_last4 == "4242"
    receipt = Receipt.objects.get()
    assert receipt.number == f"PAY-{receipt.year}-000001" and receipt.amount == 700_000
    assert ledger_selectors.ledger_balance(employer=employer).minor == 1_500_000 - 700_000
    schedule = ledger_selectors.ledger_due_schedule(employer=employer, on=dt.date(2026, 2, 1))
    assert [(line.period_label, line.branch, line.open) for line in schedule.lines] == [
        ("2025-12", "social_insurance", 300_000),  # retirement 6000 settled first (posted first)
        ("2026-01", "retirement", 500_000),
    ]

    done = client_a.get(urlsplit(back).path + "?" + urlsplit(back).query).content.decode()
    assert receipt.number in done and "refresh" not in done
    shown = client_a.get(
        reverse("payments:receipt", kwargs={"employer_id": employer.pk, "number": receipt.number})
    )
    assert shown.status_code == 200 and receipt.number in shown.content.decode()


def test_a_double_click_starts_one_payment(client_a: Client, employer: Employer) -> None:
    _post_dues(employer)
    first = _start(client_a, employer, "100.00", key="same-key-123456")
    second = _start(client_a, employer, "100.00", key="same-key-123456")
    assert first == second
    assert PaymentIntent.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Montant : saisissez un montant en DZD"),
        ("abc", "Montant : saisissez un montant en DZD"),
        ("-5", "Montant : doit être supérieur à zéro"),
        ("0", "Montant : doit être supérieur à zéro"),
        ("1.234", "Montant : saisissez un montant en DZD"),
    ],
)
def test_a_bad_amount_is_refused_and_nothing_starts(
    client_a: Client, employer: Employer, amount: str, message: str
) -> None:
    url = reverse("payments:pay", kwargs={"employer_id": employer.pk})
    response = client_a.post(url, {"amount": amount, "idempotency_key": "k" * 32})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PaymentIntent.objects.exists()


def test_a_tampered_idempotency_key_is_refused(client_a: Client, employer: Employer) -> None:
    url = reverse("payments:pay", kwargs={"employer_id": employer.pk})
    response = client_a.post(url, {"amount": "10.00", "idempotency_key": "x"})
    assert response.status_code == 400
    assert "jeton de paiement invalide" in response.content.decode()
    assert not PaymentIntent.objects.exists()


def test_a_declined_card_writes_no_payment(
    client_a: Client, employer: Employer, django_capture_on_commit_callbacks: object
) -> None:
    _post_dues(employer)
    page = _start(client_a, employer, "100.00")
    _card(client_a, page, "4000 0000 0000 0002", django_capture_on_commit_callbacks)
    [delivery] = sandbox.take_outbox()
    assert deliver(client_a, delivery)[1]["status"] == "declined"
    intent = PaymentIntent.objects.get()
    assert intent.decline_reason == "card_declined"
    assert not Entry.objects.filter(kind="payment").exists() and not Receipt.objects.exists()
    back = client_a.get(reverse("payments:return", kwargs={"employer_id": employer.pk}),
                        {"reference": intent.gateway_reference})  # fmt: skip
    assert "Refusé" in back.content.decode() or "refus" in back.content.decode().lower()


def test_a_bank_timeout_sends_no_callback_and_the_payment_expires(
    client_a: Client, employer: Employer, django_capture_on_commit_callbacks: object
) -> None:
    page = _start(client_a, employer, "100.00")
    status, _ = _card(client_a, page, "4000000000000119", django_capture_on_commit_callbacks)
    assert status == 200
    assert sandbox.take_outbox() == []
    intent = PaymentIntent.objects.get()
    assert intent.status == "pending"
    assert services.payment_expire_stale(now=intent.expires_at + dt.timedelta(seconds=1)) == 1
    intent.refresh_from_db()
    assert intent.status == "expired"


def test_a_late_callback_is_refused_and_nothing_is_written(
    client_a: Client, employer: Employer, django_capture_on_commit_callbacks: object
) -> None:
    page = _start(client_a, employer, "100.00")
    _card(client_a, page, "4000000000000259", django_capture_on_commit_callbacks)
    [delivery] = sandbox.take_outbox()
    assert delivery.delay >= sandbox.LATE_SECONDS
    PaymentIntent.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    status, answer = deliver(client_a, delivery)
    assert status == 410 and answer["error"] == "expired"
    assert PaymentIntent.objects.get().status == "pending"
    assert not Entry.objects.exists() and not Receipt.objects.exists()


def test_a_callback_delivered_twice_is_applied_once(
    client_a: Client, employer: Employer, django_capture_on_commit_callbacks: object
) -> None:
    _post_dues(employer)
    page = _start(client_a, employer, "100.00")
    _card(client_a, page, "4000 0000 0000 0077", django_capture_on_commit_callbacks)
    deliveries = sandbox.take_outbox()
    assert len(deliveries) == 3
    answers = [deliver(client_a, d) for d in deliveries]
    assert [a[0] for a in answers] == [200, 409, 409]
    assert answers[1][1]["error"] == "already_applied"
    assert Entry.objects.filter(kind="payment").count() == 1
    assert Receipt.objects.count() == 1


def test_receipts_are_numbered_in_sequence(
    client_a: Client, employer: Employer, django_capture_on_commit_callbacks: object
) -> None:
    for n in range(3):
        page = _start(client_a, employer, "10.00", key=f"key-number-{n:04d}")
        _card(client_a, page, CARD_OK, django_capture_on_commit_callbacks)
        for d in sandbox.take_outbox():
            deliver(client_a, d)
    numbers = sorted(Receipt.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2, 3]


def test_the_card_number_is_never_stored_nor_logged(
    client_a: Client,
    employer: Employer,
    django_capture_on_commit_callbacks: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _post_dues(employer)
    page = _start(client_a, employer, "100.00")
    # A bad expiry first: the page is shown again, without the card number in it.
    response = client_a.post(page, {"card_number": CARD_OK, "expiry": "13/20", "cvc": "123"})
    assert response.status_code == 400 and "42424242" not in response.content.decode()
    _card(client_a, page, CARD_OK, django_capture_on_commit_callbacks)
    for d in sandbox.take_outbox():
        assert b"42424242" not in d.body
        deliver(client_a, d)
    assert Receipt.objects.count() == 1

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE "
                    f"CAST({connection.ops.quote_name(column.name)} AS TEXT) LIKE %s",
                    ["%42424242%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    assert found == []
    assert "42424242" not in caplog.text
    assert "4242 4242" not in caplog.text


def test_another_employer_cannot_see_or_pay_this_account(
    client: Client,
    employer: Employer,
    other_employer: Employer,
    django_capture_on_commit_callbacks: object,
) -> None:
    owner = member(employer, "a@atlas.example")
    client.force_login(owner)
    _post_dues(employer)
    page = _start(client, employer, "100.00")
    _card(client, page, CARD_OK, django_capture_on_commit_callbacks)
    for d in sandbox.take_outbox():
        deliver(client, d)
    intent = PaymentIntent.objects.get()
    number = Receipt.objects.get().number

    intruder = Client()
    intruder.force_login(member(other_employer, "b@other.example"))
    a = {"employer_id": employer.pk}
    for url in [
        reverse("ledger:account", kwargs=a),
        reverse("ledger:csv", kwargs=a),
        reverse("payments:pay", kwargs=a),
        reverse("payments:return", kwargs=a) + f"?reference={intent.gateway_reference}",
        reverse("payments:receipt", kwargs={**a, "number": number}),
    ]:
        assert intruder.get(url).status_code == 404, url
    assert intruder.post(reverse("payments:pay", kwargs=a), {"amount": "1.00",
                         "idempotency_key": "z" * 20}).status_code == 404  # fmt: skip
    # Their own pages do not answer for A's reference or receipt either.
    b = {"employer_id": other_employer.pk}
    assert intruder.get(reverse("payments:return", kwargs=b),
                        {"reference": intent.gateway_reference}).status_code == 404  # fmt: skip
    assert (
        intruder.get(reverse("payments:receipt", kwargs={**b, "number": number})).status_code == 404
    )
    assert PaymentIntent.objects.count() == 1


def test_the_account_page_in_three_languages_with_constant_queries(
    client_a: Client,
    employer: Employer,
    django_assert_max_num_queries: object,
) -> None:
    _post_dues(employer)
    url = reverse("ledger:account", kwargs={"employer_id": employer.pk})
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client_a.get(url)
    assert response.status_code == 200
    for n in range(3, 30):
        ledger_post_dues(employer=employer, source=f"declaration:{n}", period_label="2026-02",
                         due_date=dt.date(2026, 3, 31), currency="DZD",
                         amounts={"retirement": 100})  # fmt: skip
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client_a.get(url)
    assert response.status_code == 200
    for lang, word in (("fr", "Compte cotisant"), ("ar", "حساب"), ("en", "Contributor account")):
        page = client_a.get(url.replace("/fr/", f"/{lang}/")).content.decode()
        assert word in page, lang
    csv = b"".join(client_a.get(reverse("ledger:csv", kwargs={"employer_id": employer.pk})))
    assert csv.startswith(b"id,created_at,kind")
