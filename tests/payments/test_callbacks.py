"""The callback endpoint refuses every bad callback with a reason and writes nothing, and
applies a good one exactly once — also when two copies arrive at the same instant (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tadamun.ledger.models import Entry
from tadamun.ledger.services import ledger_post_dues
from tadamun.payments import sandbox, services
from tadamun.payments.models import PaymentIntent, Receipt
from tadamun.registry.models import Employer
from tests.registry.factories import agency_for, employer_for

URL = "/payments/callback/sandbox/"


def _intent(employer: Employer, amount: int = 50_000, key: str = "key-0000000001") -> PaymentIntent:
    intent, _ = services.payment_start(
        employer=employer, amount=amount, user=None, idempotency_key=key,
        return_url="http://testserver/back/", callback_url="http://testserver" + URL,
    )  # fmt: skip
    return intent


def _event(intent: PaymentIntent, **changes: Any) -> dict[str, Any]:
    event = {
        "id": "evt_1",
        "type": "payment.succeeded",
        "reference": intent.gateway_reference,
        "amount": intent.amount,
        "currency": intent.currency,
        "card_last4": "4242",
        "decline_reason": "",
    }
    event.update(changes)
    return event


def _post(client: Client, body: bytes, signature: str | None) -> tuple[int, dict[str, str]]:
    headers = {sandbox.SIGNATURE_HEADER: signature} if signature is not None else {}
    response = client.post(URL, data=body, content_type="application/json", headers=headers)
    return response.status_code, response.json()


def _signed(event: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    return body, sandbox.sign(body)


def _nothing_written(intent: PaymentIntent) -> None:
    intent.refresh_from_db()
    assert intent.status == "pending" and intent.card_last4 == ""
    assert not Entry.objects.filter(kind="payment").exists()
    assert not Receipt.objects.exists()


@pytest.mark.django_db
def test_a_good_callback_is_applied(client: Client, employer: Employer) -> None:
    intent = _intent(employer)
    assert _post(client, *_signed(_event(intent))) == (
        200,
        {"reference": intent.gateway_reference, "status": "succeeded"},
    )
    assert Entry.objects.get(kind="payment").amount == -50_000


def _forged(body: bytes) -> str:
    t = int(time.time())
    mac = hmac.new(b"not the secret", f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "status", "code", "message"),
    [
        ("forged", 401, "bad_signature", "the signature does not match the body"),
        ("tampered_amount", 401, "bad_signature", "the signature does not match the body"),
        ("no_signature", 401, "missing_signature", "the signature header is missing"),
        ("garbled_signature", 401, "malformed_signature", "the signature header is malformed"),
        ("stale", 401, "stale_signature", "the signature is too old"),
        ("signed_wrong_amount", 409, "amount_mismatch", "amount 1 DZD does not match payment"),
        ("signed_wrong_currency", 409, "amount_mismatch", "amount 50000 MAD does not match"),
        ("unknown_reference", 404, "unknown_reference", "no payment has the reference TDM-NOPE"),
        ("malformed_json", 400, "malformed_body", "the body is not a valid JSON event: not JSON"),
        ("not_utf8", 400, "malformed_body", "the body is not a valid JSON event"),
        ("json_list", 400, "malformed_body", "not a JSON object"),
        ("missing_field", 400, "malformed_body", "amount is missing or not a int"),
        ("bool_amount", 400, "malformed_body", "amount is missing or not a int"),
        ("unknown_type", 400, "malformed_body", "type 'payment.refunded' is unknown"),
        ("bad_last4", 400, "malformed_body", "card_last4 must be four digits"),
    ],
)
def test_a_bad_callback_is_refused_with_its_reason_and_nothing_is_written(
    client: Client, employer: Employer, case: str, status: int, code: str, message: str
) -> None:
    intent = _intent(employer)
    event = _event(intent)
    body, signature = _signed(event)
    sig: str | None = signature
    if case == "forged":
        sig = _forged(body)
    elif case == "tampered_amount":
        body = json.dumps(_event(intent, amount=1)).encode()  # signature of the real body
    elif case == "no_signature":
        sig = None
    elif case == "garbled_signature":
        sig = "sha256=abc"
    elif case == "stale":
        sig = sandbox.sign(body, timestamp=int(time.time()) - 3600)
    elif case == "signed_wrong_amount":
        body, sig = _signed(_event(intent, amount=1))
    elif case == "signed_wrong_currency":
        body, sig = _signed(_event(intent, currency="MAD"))
    elif case == "unknown_reference":
        body, sig = _signed(_event(intent, reference="TDM-NOPE"))
    elif case == "malformed_json":
        body = b'{"id": "evt_1", "amount": '
        sig = sandbox.sign(body)
    elif case == "not_utf8":
        body = b"\xff\xfe{}"
        sig = sandbox.sign(body)
    elif case == "json_list":
        body, sig = b"[1, 2]", sandbox.sign(b"[1, 2]")
    elif case == "missing_field":
        event.pop("amount")
        body, sig = _signed(event)
    elif case == "bool_amount":
        body, sig = _signed(_event(intent, amount=True))
    elif case == "unknown_type":
        body, sig = _signed(_event(intent, type="payment.refunded"))
    elif case == "bad_last4":
        body, sig = _signed(_event(intent, card_last4="4242424242424242"))
    answer = _post(client, body, sig)
    assert answer[0] == status
    assert answer[1]["error"] == code
    assert message in answer[1]["message"]
    _nothing_written(intent)


@pytest.mark.django_db
def test_unknown_gateway_and_wrong_method(client: Client) -> None:
    response = client.post(
        "/payments/callback/paypal/", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["error"] == "unknown_gateway"
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_a_replayed_callback_is_refused_after_it_was_applied(
    client: Client, employer: Employer
) -> None:
    intent = _intent(employer)
    body, sig = _signed(_event(intent))
    assert _post(client, body, sig)[0] == 200
    status, answer = _post(client, body, sig)
    assert status == 409 and answer["error"] == "already_applied"
    assert "already processed (succeeded)" in answer["message"]
    # A declined event for the same payment afterwards changes nothing either.
    assert _post(client, *_signed(_event(intent, type="payment.declined")))[0] == 409
    intent.refresh_from_db()
    assert intent.status == "succeeded"
    assert Entry.objects.filter(kind="payment").count() == 1 == Receipt.objects.count()


def _deliver_concurrently(body: bytes, sig: str, copies: int) -> list[int]:
    """POST ``copies`` copies of one callback from as many threads, released at the same
    instant; each thread has its own client and database connection."""
    barrier = threading.Barrier(copies)
    answers: list[int] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            barrier.wait()
            status = _post(Client(), body, sig)[0]
            with lock:
                answers.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(answers)


@pytest.mark.django_db(transaction=True)
def test_the_same_callback_delivered_concurrently_is_applied_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises writers on one file lock, so two deliveries "
            "can never race inside the database (and its append-only trigger blocks the flush "
            "that transactional tests end with)"
        )
    employer = employer_for(agency_for("dz-cnas"))
    ledger_post_dues(employer=employer, source="declaration:1", period_label="2026-01",
                     due_date=dt.date(2026, 2, 28), currency="DZD",
                     amounts={"retirement": 100_000})  # fmt: skip
    for round_ in range(3):
        intent = _intent(employer, key=f"concurrent-key-{round_:03d}")
        body, sig = _signed(_event(intent, id=f"evt_{round_}"))
        assert _deliver_concurrently(body, sig, 4) == [200, 409, 409, 409]
        source = f"payment:{intent.gateway_reference}"
        assert Entry.objects.filter(kind="payment", source=source).count() == 1
        assert Receipt.objects.filter(intent=intent).count() == 1
    assert sorted(Receipt.objects.values_list("sequence", flat=True)) == [1, 2, 3]
