"""What a notification may carry: never a password, a token or a full identifier.

Pure checks on the names and values of a template context and on the rendered text. A full
identifier is a run of digits that the fund's own validator accepts as an insured number, an
employer number, a legal identifier or a national identity number (with its key, where it has
one); callers pass :func:`tadamun.accounts.services.mask_identifier` of it instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.functional import Promise

from tadamun.funds import FundProfile
from tadamun.registry.identifiers import IdentifierScheme

#: Context names that say "secret" whatever their value.
_SECRET_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|otp|totp|recovery|api_?key|private|credential|pin\b",
    re.IGNORECASE,
)
#: A long run of URL-safe characters mixing letters and digits: the shape of a token.
_TOKEN_VALUE = re.compile(r"[A-Za-z0-9_\-]{24,}")
_DIGIT_RUN = re.compile(r"\d{7,}")

_PLAIN = (str, int, Decimal, dt.date, dt.datetime, bool, Promise, type(None))


class UnsafeContent(ValueError):
    """A notification would carry a secret or a full identifier: a programming error in the
    caller, refused before anything is stored or sent. ``what`` names the context key."""

    def __init__(self, what: str, why: str) -> None:
        self.what = what
        self.why = why
        super().__init__(f"notification refused: {what}: {why}")


def _looks_like_token(run: str) -> bool:
    return any(c.isdigit() for c in run) and any(c.isalpha() for c in run)


def _schemes(fund: FundProfile) -> list[IdentifierScheme]:
    return [fund.insured_number, fund.employer_number, fund.legal_identifier, fund.national_id]


def _is_full_identifier(digits: str, schemes: Iterable[IdentifierScheme]) -> bool:
    for scheme in schemes:
        if len(digits) != scheme.length:
            continue
        if scheme.key == "none":
            return True
        try:
            scheme.validate(digits)
        except ValueError:
            continue
        return True
    return False


def check_text(what: str, text: str, fund: FundProfile) -> None:
    """Refuse ``text`` holding a full identifier of ``fund``."""
    schemes = _schemes(fund)
    for run in _DIGIT_RUN.findall(text):
        if _is_full_identifier(run, schemes):
            raise UnsafeContent(what, "holds a full identifier: pass mask_identifier(...) of it")


def check_context(context: Mapping[str, object], fund: FundProfile) -> None:
    """Refuse a context whose names or values carry a secret or a full identifier, or whose
    values are not plain (str, numbers, dates, lazy texts, lists of those): a model instance
    would let a template reach fields nobody checked."""
    for name, value in context.items():
        if _SECRET_NAME.search(name):
            raise UnsafeContent(name, "a password, token or secret has no place in a message")
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, float) or not isinstance(item, _PLAIN):
                raise UnsafeContent(
                    name, f"{type(item).__name__} is not a plain value (str, int, Decimal, date)"
                )
            text = str(item)
            if (
                _TOKEN_VALUE.search(text)
                and re.search(r"\d", text)
                and re.search(r"[A-Za-z]", text)
            ):
                raise UnsafeContent(name, "looks like a token")
            check_text(name, text, fund)
