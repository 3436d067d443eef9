"""Care-card numbers: 16 digits, the last a Luhn key (Tadamun's convention; the funds publish
no card-number format). Pure Python, so that a partner's software can check a number before
asking."""

from __future__ import annotations

import re

from stdnum import luhn

CARD_LENGTH = 16
_SEPARATORS = re.compile(r"[\s.\-/]")


def normalise(value: object) -> str:
    return _SEPARATORS.sub("", "" if value is None else str(value))


def is_card_number(text: str) -> bool:
    """True for 16 ASCII digits whose Luhn key is right."""
    return len(text) == CARD_LENGTH and text.isascii() and text.isdigit() and luhn.is_valid(text)


def card_number(serial: int, *, prefix: str = "627") -> str:
    """The card number of ``serial``: ``prefix`` + zero-padded serial + Luhn key."""
    body = f"{prefix}{serial:0{CARD_LENGTH - 1 - len(prefix)}d}"
    if len(body) != CARD_LENGTH - 1:
        raise ValueError(f"serial {serial} does not fit a card number")
    return body + luhn.calc_check_digit(body)
