"""The built-in SANDBOX gateway: behaves like a real card gateway, moves no real money.

* :meth:`SandboxGateway.start` returns the URL of its hosted payment page
  (``/<lang>/sandbox-gateway/pay/<token>/``). The token is signed with the sandbox's own secret
  and carries the reference, amount, currency and the merchant's return and callback URLs, so the
  sandbox keeps no state and reads none of our tables — like a gateway on another server.
* The payer types a **test card** on that page (:data:`TEST_CARDS`); the card number is never
  stored nor logged, only its last four digits travel in the callback.
* The outcome goes to the merchant as a signed **asynchronous callback**: a JSON body, signed
  with HMAC-SHA256 over ``"<unix time>." + body`` with ``TADAMUN_SANDBOX_GATEWAY_SECRET``, in the
  header ``X-Sandbox-Signature: t=<unix time>,v1=<hex>``, POSTed to the callback URL after the
  payer is redirected back. Delivery (``TADAMUN_SANDBOX_DELIVERY``): ``thread`` — an in-process
  background thread started on commit, waits ``TADAMUN_SANDBOX_DELAY_SECONDS`` then POSTs over
  HTTP, retrying on a network error or 5xx like a real gateway; ``outbox`` — kept in
  :data:`OUTBOX` for a test to POST through the test client. ``TADAMUN_SANDBOX_DUPLICATES``
  sends extra copies of every callback, all at once (duplicates, concurrently).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from tadamun.payments.gateway import CallbackEvent, InvalidCallback

if TYPE_CHECKING:
    from tadamun.payments.models import PaymentIntent

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Sandbox-Signature"
#: A signature older (or further in the future) than this is refused as a replay.
TOLERANCE_SECONDS = 300
#: How long the hosted page accepts a card after the payer was sent there.
PAGE_MAX_AGE = 3600
_SALT = "tadamun.sandbox-gateway.page"

Outcome = Literal["succeeded", "declined", "timeout", "late", "duplicate"]

#: Test cards and what they do. Any other number is declined (no real card ever succeeds).
TEST_CARDS: dict[str, tuple[Outcome, str]] = {
    "4242424242424242": ("succeeded", ""),
    "4000000000000002": ("declined", "card_declined"),
    "4000000000009995": ("declined", "insufficient_funds"),
    "4000000000000119": ("timeout", ""),  # the bank never answers: no callback at all
    "4000000000000259": ("late", ""),  # succeeds, callback sent after the payment expired
    "4000000000000077": ("duplicate", ""),  # succeeds, callback sent three times at once
}
#: Extra delay of a "late" callback (beyond the intent's lifetime).
LATE_SECONDS = 31 * 60


def _secret() -> bytes:
    secret: str = settings.TADAMUN_SANDBOX_GATEWAY_SECRET
    return secret.encode()


def sign(body: bytes, *, timestamp: int | None = None) -> str:
    """The signature header value for ``body`` (what the sandbox sends)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(_secret(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@dataclass(frozen=True)
class PageOrder:
    """What the hosted page knows, from its signed token."""

    reference: str
    amount: int
    currency: str
    merchant: str
    return_url: str
    callback_url: str


def order_from_token(token: str) -> PageOrder | None:
    try:
        data = signing.loads(token, key=settings.TADAMUN_SANDBOX_GATEWAY_SECRET, salt=_SALT,
                             max_age=PAGE_MAX_AGE)  # fmt: skip
        return PageOrder(**data)
    except (signing.BadSignature, TypeError):
        return None


@dataclass(frozen=True)
class Delivery:
    url: str
    headers: dict[str, str]
    body: bytes
    delay: float


#: Callbacks waiting for a test to deliver them (``TADAMUN_SANDBOX_DELIVERY=outbox``).
OUTBOX: list[Delivery] = []
_OUTBOX_LOCK = threading.Lock()


def callback_for(
    order: PageOrder, *, outcome: Literal["succeeded", "declined"], last4: str, reason: str = ""
) -> tuple[dict[str, str], bytes]:
    """The signed callback the sandbox sends for ``order`` (headers, body)."""
    event: dict[str, Any] = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": f"payment.{outcome}",
        "reference": order.reference,
        "amount": order.amount,
        "currency": order.currency,
        "card_last4": last4,
        "decline_reason": reason,
    }
    body = json.dumps(event, separators=(",", ":")).encode()
    return {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)}, body


def _post(delivery: Delivery) -> None:
    time.sleep(delivery.delay)
    for attempt in range(3):
        request = urllib.request.Request(
            delivery.url, data=delivery.body, headers=delivery.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                logger.info("sandbox callback delivered: HTTP %s", response.status)
                return
        except urllib.error.HTTPError as exc:
            logger.info("sandbox callback answered HTTP %s", exc.code)
            if exc.code < 500:
                return  # the merchant refused it on purpose: a real gateway stops too
        except OSError as exc:
            logger.warning("sandbox callback not delivered (attempt %s): %s", attempt + 1, exc)
        time.sleep(2**attempt)


def schedule(deliveries: list[Delivery]) -> None:
    """Send ``deliveries`` once the current transaction commits (see the module docstring)."""

    def send() -> None:
        if settings.TADAMUN_SANDBOX_DELIVERY == "outbox":
            with _OUTBOX_LOCK:
                OUTBOX.extend(deliveries)
            return
        for delivery in deliveries:
            threading.Thread(target=_post, args=(delivery,), daemon=True).start()

    transaction.on_commit(send)


def take_outbox() -> list[Delivery]:
    with _OUTBOX_LOCK:
        taken = list(OUTBOX)
        OUTBOX.clear()
    return taken


class SandboxGateway:
    """See the module docstring."""

    name = "sandbox"

    def start(self, *, intent: PaymentIntent, return_url: str, callback_url: str) -> str:
        order = {
            "reference": intent.gateway_reference,
            "amount": intent.amount,
            "currency": intent.currency,
            "merchant": intent.employer.fund,
            "return_url": return_url,
            "callback_url": callback_url,
        }
        token = signing.dumps(order, key=settings.TADAMUN_SANDBOX_GATEWAY_SECRET, salt=_SALT)
        return reverse("sandbox_gateway:pay", kwargs={"token": token})

    def parse_callback(self, *, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        lowered = {key.lower(): value for key, value in headers.items()}
        header = lowered.get(SIGNATURE_HEADER.lower(), "")
        if not header:
            raise InvalidCallback("missing_signature")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if not parts.get("t", "").isdigit() or not parts.get("v1"):
            raise InvalidCallback("malformed_signature")
        t = int(parts["t"])
        expected = hmac.new(_secret(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts["v1"]):
            raise InvalidCallback("bad_signature")
        if abs(time.time() - t) > TOLERANCE_SECONDS:
            raise InvalidCallback("stale_signature")
        return _event(body)


def _event(body: bytes) -> CallbackEvent:
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidCallback("malformed_body", detail=f"not JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise InvalidCallback("malformed_body", detail="not UTF-8 text") from None
    if not isinstance(data, dict):
        raise InvalidCallback("malformed_body", detail="not a JSON object")
    fields: dict[str, type] = {
        "id": str,
        "type": str,
        "reference": str,
        "amount": int,
        "currency": str,
        "card_last4": str,
        "decline_reason": str,
    }
    for name, kind in fields.items():
        value = data.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidCallback(
                "malformed_body", detail=f"{name} is missing or not a {kind.__name__}"
            )
    outcomes = {"payment.succeeded": "succeeded", "payment.declined": "declined"}
    if data["type"] not in outcomes:
        raise InvalidCallback("malformed_body", detail=f"type {data['type'][:40]!r} is unknown")
    last4 = data["card_last4"]
    if last4 and not (len(last4) == 4 and last4.isdigit()):
        raise InvalidCallback("malformed_body", detail="card_last4 must be four digits")
    return CallbackEvent(
        event_id=data["id"][:80],
        reference=data["reference"][:64],
        outcome="succeeded" if data["type"] == "payment.succeeded" else "declined",
        amount=data["amount"],
        currency=data["currency"][:3],
        card_last4=last4,
        decline_reason=data["decline_reason"][:64],
    )
