"""The bank account a pension is paid into: an IBAN, or the country's RIB.

The IBAN check (ISO 13616, MOD 97-10) is the same everywhere. Morocco's 24-digit RIB ends with a
two-digit key, 97 − (the first 22 digits × 100 mod 97), checked here. Tunisia's 20-digit RIB is
checked through its IBAN (TN59 + RIB). Algeria's 20-digit RIB is checked for its shape only: its
key algorithm is not published (status U, like the NSS key — see registry/identifiers.py).
"""

from __future__ import annotations

import re

from tadamun.errors import InvalidInput, Problem

_RIB_LENGTH = {"DZ": 20, "MA": 24, "TN": 20}


def _problem(field: str, code: str, fr: str, ar: str, en: str) -> InvalidInput:
    return InvalidInput([Problem(field=field, code=code, texts={"fr": fr, "ar": ar, "en": en})])


def _iban_valid(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def _ma_rib_valid(rib: str) -> bool:
    return 97 - (int(rib[:22]) * 100 % 97) == int(rib[22:])


def _rib_valid(country: str, rib: str) -> bool:
    if country == "MA":
        return _ma_rib_valid(rib)
    if country == "TN":
        return _iban_valid(f"TN59{rib}")
    return True  # Algeria: shape only (see the module's docstring)


def clean_account(value: object, *, country: str, field: str = "bank_account") -> str:
    """The account as an IBAN or RIB without spaces, or InvalidInput naming ``field``."""
    text = re.sub(r"[\s-]", "", value if isinstance(value, str) else "").upper()
    if not text:
        raise _problem(field, "required", "est obligatoire", "حقل إلزامي", "is required")
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", text):
        if not _iban_valid(text):
            raise _problem(
                field,
                "bad_key",
                "la clé de l'IBAN ne correspond pas aux autres caractères",
                "مفتاح رقم الحساب الدولي (IBAN) لا يتوافق مع باقي الأرقام",
                "the IBAN's check digits do not match the rest",
            )
        return text
    length = _RIB_LENGTH.get(country)
    if length is None or not text.isdigit() or len(text) != length:
        fr, ar, en = (
            (
                f"IBAN ou RIB de {length} chiffres",
                f"IBAN أو RIB من {length} رقمًا",
                f"IBAN or {length}-digit RIB",
            )
            if length
            else ("IBAN", "IBAN", "IBAN")
        )
        raise _problem(
            field,
            "bad_format",
            f"n'a pas le format attendu ({fr})",
            f"لا يطابق الصيغة المطلوبة ({ar})",
            f"does not have the expected format ({en})",
        )
    if not _rib_valid(country, text):
        raise _problem(
            field,
            "bad_key",
            "la clé du RIB ne correspond pas aux autres chiffres",
            "مفتاح الحساب البنكي (RIB) لا يتوافق مع باقي الأرقام",
            "the RIB's key does not match the other digits",
        )
    return text


def mask_account(account: str) -> str:
    return "•" * max(len(account) - 4, 0) + account[-4:]
