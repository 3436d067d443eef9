"""Writes of payments: start a payment, apply a gateway's callback exactly once, issue receipts.

Exactly once, whatever the gateway does:

1. the callback's signature is verified before anything is read;
2. inside ``transaction.atomic`` the intent is locked (``select_for_update``): two deliveries of
   the same callback, even at the same instant, are applied one after the other, and the second
   finds the intent already ``succeeded`` and is refused;
3. the ledger's unique ``(source, branch, kind)`` on the payment entry (source
   ``payment:<gateway reference>``) is the last line of defence: a second posting rolls the whole
   transaction back.

A refusal raises :class:`~tadamun.payments.gateway.InvalidCallback` with its reason; nothing is
written, and the view answers 4xx.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tadamun.errors import InvalidInput, Problem
from tadamun.funds import get_fund
from tadamun.ledger.services import DuplicatePosting, ledger_post_payment
from tadamun.numbering.services import number_next
from tadamun.payments.gateway import InvalidCallback, get_gateway
from tadamun.payments.models import PaymentIntent, PaymentStatus, Receipt
from tadamun.registry.models import Employer

if TYPE_CHECKING:
    from tadamun.accounts.models import User

logger = logging.getLogger(__name__)

#: How long the payer has to complete the payment; a callback arriving later is refused.
INTENT_LIFETIME = dt.timedelta(minutes=30)
MAX_AMOUNT = 10**12


def _problem(field: str, texts: dict[str, str], code: str) -> InvalidInput:
    return InvalidInput([Problem(field=field, code=code, texts=texts)])


def payment_start(
    *,
    employer: Employer,
    amount: int,
    user: User | None,
    idempotency_key: str,
    return_url: str,
    callback_url: str,
    gateway: str = "sandbox",
) -> tuple[PaymentIntent, str]:
    """Start paying ``amount`` (minor units) for ``employer``: the intent and the URL of the
    gateway's payment page. The same ``idempotency_key`` (a double click) returns the same
    intent; a key already used for another employer or amount is refused."""
    currency = get_fund(employer.fund).currency_code
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise _problem(
            "amount",
            {
                "fr": "Montant : doit être supérieur à zéro",
                "ar": "المبلغ: يجب أن يكون أكبر من صفر",
                "en": "Amount: must be more than zero",
            },
            "bad_amount",
        )
    key = (idempotency_key or "").strip()
    if not 8 <= len(key) <= 64:
        raise _problem(
            "idempotency_key",
            {
                "fr": "Formulaire : jeton de paiement invalide, rechargez la page",
                "ar": "الاستمارة: رمز الدفع غير صالح، أعد تحميل الصفحة",
                "en": "Form: invalid payment token, reload the page",
            },
            "bad_key",
        )
    with transaction.atomic():
        existing = PaymentIntent.objects.select_for_update().filter(idempotency_key=key).first()
        if existing is not None:
            if existing.employer_id != employer.pk or existing.amount != amount:
                raise _problem(
                    "idempotency_key",
                    {
                        "fr": "Formulaire : ce jeton de paiement a déjà servi, rechargez la page",
                        "ar": "الاستمارة: سبق استعمال رمز الدفع هذا، أعد تحميل الصفحة",
                        "en": "Form: this payment token was already used, reload the page",
                    },
                    "key_reused",
                )
            return existing, existing.redirect_url
        intent = PaymentIntent.objects.create(
            employer=employer,
            amount=amount,
            currency=currency,
            idempotency_key=key,
            gateway=gateway,
            gateway_reference=f"TDM-{uuid.uuid4().hex[:20].upper()}",
            created_by=user,
            expires_at=timezone.now() + INTENT_LIFETIME,
        )
        url = get_gateway(gateway).start(
            intent=intent, return_url=return_url, callback_url=callback_url
        )
        intent.redirect_url = url
        intent.status = PaymentStatus.PENDING
        intent.save(update_fields=["redirect_url", "status", "updated_at"])
    logger.info("payment %s started: %s %s", intent.gateway_reference, amount, currency)
    return intent, url


def payment_apply_callback(
    *, gateway_name: str, headers: Mapping[str, str], body: bytes
) -> PaymentIntent:
    """Verify a gateway's callback and apply it exactly once (see the module docstring)."""
    try:
        event = get_gateway(gateway_name).parse_callback(headers=headers, body=body)
        with transaction.atomic():
            intent = (
                PaymentIntent.objects.select_for_update()
                .select_related("employer")
                .filter(gateway=gateway_name, gateway_reference=event.reference)
                .first()
            )
            if intent is None:
                raise InvalidCallback("unknown_reference", reference=event.reference)
            if event.amount != intent.amount or event.currency != intent.currency:
                raise InvalidCallback(
                    "amount_mismatch",
                    reference=intent.gateway_reference,
                    got=f"{event.amount} {event.currency}",
                    expected=f"{intent.amount} {intent.currency}",
                )
            if intent.status not in (PaymentStatus.CREATED, PaymentStatus.PENDING):
                raise InvalidCallback(
                    "already_applied", reference=intent.gateway_reference, status=intent.status
                )
            now = timezone.now()
            if now > intent.expires_at:
                raise InvalidCallback("expired", reference=intent.gateway_reference)
            intent.card_last4 = event.card_last4
            intent.completed_at = now
            if event.outcome == "declined":
                intent.status = PaymentStatus.DECLINED
                intent.decline_reason = event.decline_reason or "declined"
                intent.save()
            else:
                try:
                    intent.ledger_entry = ledger_post_payment(
                        employer=intent.employer,
                        source=f"payment:{intent.gateway_reference}",
                        amount=intent.amount,
                        currency=intent.currency,
                        memo=f"{intent.gateway} {event.event_id}",
                        created_by=intent.created_by,
                    )
                except DuplicatePosting:
                    raise InvalidCallback(
                        "already_applied",
                        reference=intent.gateway_reference,
                        status=PaymentStatus.SUCCEEDED,
                    ) from None
                intent.status = PaymentStatus.SUCCEEDED
                intent.save()
                _receipt_issue(intent=intent, now=now)
    except InvalidCallback as exc:
        logger.warning("payment callback refused (%s): %s", gateway_name, exc)
        raise
    logger.info("payment %s %s", intent.gateway_reference, intent.status)
    return intent


def _receipt_issue(*, intent: PaymentIntent, now: dt.datetime) -> Receipt:
    """The receipt of a succeeded intent, numbered in sequence per fund and year."""
    fund = intent.employer.fund
    year = timezone.localtime(now).year
    sequence = number_next(series=f"payment-receipt:{fund}", year=year)
    return Receipt.objects.create(
        fund=fund,
        year=year,
        sequence=sequence,
        number=f"PAY-{year}-{sequence:06d}",
        intent=intent,
        employer=intent.employer,
        amount=intent.amount,
        currency=intent.currency,
        issued_at=now,
    )


def payment_expire_stale(*, now: dt.datetime | None = None) -> int:
    """Mark intents still waiting after their lifetime as expired; returns how many."""
    moment = now or timezone.now()
    return PaymentIntent.objects.filter(
        status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING], expires_at__lt=moment
    ).update(status=PaymentStatus.EXPIRED, updated_at=moment)
