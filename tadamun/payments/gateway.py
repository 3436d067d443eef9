"""The gateway interface: what Tadamun needs from a card payment gateway.

A gateway hosts the payment page (we never see a card number) and tells us the outcome with a
signed callback. Adding a real gateway means one class with these two methods, registered in
:data:`GATEWAYS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from tadamun.payments.models import PaymentIntent


@dataclass(frozen=True)
class CallbackEvent:
    """What a verified callback says."""

    event_id: str
    reference: str  # our PaymentIntent.gateway_reference
    outcome: Literal["succeeded", "declined"]
    amount: int  # minor units
    currency: str
    card_last4: str = ""
    decline_reason: str = ""


#: Why a callback is refused: code -> (HTTP status, message in fr/ar/en).
REFUSALS: dict[str, tuple[int, dict[str, str]]] = {
    "unknown_gateway": (
        404,
        {
            "fr": "passerelle de paiement inconnue",
            "ar": "بوابة دفع غير معروفة",
            "en": "unknown payment gateway",
        },
    ),
    "missing_signature": (
        401,
        {
            "fr": "l'en-tête de signature est absent",
            "ar": "ترويسة التوقيع مفقودة",
            "en": "the signature header is missing",
        },
    ),
    "malformed_signature": (
        401,
        {
            "fr": "l'en-tête de signature est mal formé (attendu t=…,v1=…)",
            "ar": "ترويسة التوقيع غير سليمة (المتوقع t=…,v1=…)",
            "en": "the signature header is malformed (expected t=…,v1=…)",
        },
    ),
    "bad_signature": (
        401,
        {
            "fr": "la signature ne correspond pas au contenu (contenu modifié ou clé inconnue)",
            "ar": "التوقيع لا يطابق المحتوى (محتوى معدَّل أو مفتاح غير معروف)",
            "en": "the signature does not match the body (altered body or unknown key)",
        },
    ),
    "stale_signature": (
        401,
        {
            "fr": "la signature est trop ancienne ou datée du futur (rejeu ?)",
            "ar": "التوقيع قديم جدًا أو مؤرخ في المستقبل (إعادة إرسال؟)",
            "en": "the signature is too old or dated in the future (a replay?)",
        },
    ),
    "malformed_body": (
        400,
        {
            "fr": "le contenu n'est pas un événement JSON valide : {detail}",
            "ar": "المحتوى ليس حدث JSON صالحًا: {detail}",
            "en": "the body is not a valid JSON event: {detail}",
        },
    ),
    "unknown_reference": (
        404,
        {
            "fr": "aucun paiement ne porte la référence {reference}",
            "ar": "لا توجد عملية دفع بالمرجع {reference}",
            "en": "no payment has the reference {reference}",
        },
    ),
    "amount_mismatch": (
        409,
        {
            "fr": "le montant {got} ne correspond pas au paiement {reference} ({expected})",
            "ar": "المبلغ {got} لا يطابق عملية الدفع {reference} ({expected})",
            "en": "amount {got} does not match payment {reference} ({expected})",
        },
    ),
    "already_applied": (
        409,
        {
            "fr": "le paiement {reference} a déjà été traité ({status}) : rien n'est refait",
            "ar": "عملية الدفع {reference} عولجت مسبقًا ({status}): لم يُكرَّر شيء",
            "en": "payment {reference} was already processed ({status}): nothing done again",
        },
    ),
    "expired": (
        410,
        {
            "fr": "le paiement {reference} a expiré avant l'arrivée de la confirmation",
            "ar": "انتهت صلاحية عملية الدفع {reference} قبل وصول التأكيد",
            "en": "payment {reference} expired before the confirmation arrived",
        },
    ),
}


class InvalidCallback(Exception):
    """A callback refused; nothing was written. ``code`` is a key of :data:`REFUSALS`."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = {key: str(value) for key, value in params.items()}
        self.status, texts = REFUSALS[code]
        self.texts = {lang: text.format(**self.params) for lang, text in texts.items()}
        super().__init__(f"{code}: {self.texts['en']}")

    def message(self, language: str = "en") -> str:
        return self.texts.get(language.split("-")[0], self.texts["en"])


class Gateway(Protocol):
    name: str

    def start(self, *, intent: PaymentIntent, return_url: str, callback_url: str) -> str:
        """The URL of the hosted payment page to send the payer to."""
        ...

    def parse_callback(self, *, headers: Mapping[str, str], body: bytes) -> CallbackEvent:
        """Verify the callback's signature and read it; :class:`InvalidCallback` otherwise."""
        ...


def get_gateway(name: str) -> Gateway:
    from tadamun.payments.sandbox import SandboxGateway

    gateways: dict[str, Gateway] = {"sandbox": SandboxGateway()}
    try:
        return gateways[name]
    except KeyError:
        raise InvalidCallback("unknown_gateway") from None
