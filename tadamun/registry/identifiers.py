"""Identifiers of the three funds: validate (normalise or refuse, naming the field) and issue.

Pure Python, no Django: a payroll vendor or a file reader can use it alone.

Keys — what is published and what is a convention of this platform
-------------------------------------------------------------------
* **Morocco CNSS insured number** (published, see ``shared/reference/file-formats.md`` §1):
  9 digits ``C1…C9``, ``C1 = 1``; ``u`` = units digit of ``(C2+C4+C6+C8)×2 + C3+C5+C7``;
  ``C9 = 0`` if ``u = 0`` else ``10 − u``. ``000000000`` (not yet registered) and ``999999999``
  (casual worker) are placeholders a declaration file may carry, accepted only on request;
  ``100000000`` is refused. The key detects every change of one digit in C3, C5, C7 and C9 and
  every change in C2, C4, C6, C8 except by ±5 (weight 2, modulo 10).
* **Morocco CNSS affiliate number** (published rule, conflicting position): 7 digits; the key is
  the units rule applied to ``(C2+C4+C6)×2 + C1+C3+C5``. Sources disagree on where the key sits;
  the formula uses C1…C6 only, so **the key is the last digit, C7** here. A fund that finds
  otherwise changes :func:`ma_affiliate_key`'s caller, not the data.
* **Algeria CNAS social security number (NSS)**, **Algeria employer number**, **Tunisia CNSS
  employer and insured numbers**: their key algorithms are not published. Tadamun uses, as **its
  own documented convention**, the two-digit key of ISO 7064 MOD 97-10 (the IBAN key: the number
  followed by its key is ≡ 1 mod 97). It catches every single-digit change and every swap of two
  adjacent digits. A fund that knows its real algorithm replaces the ``*_key`` function; numbers
  already issued by the fund would otherwise be refused, so this must be settled before import.
  Lengths: NSS 12 digits (10 + key, as in the DAS file), Algerian employer number 10 digits
  (8 + key, the DAS file's field), Tunisian numbers 10 digits (8 + key, as in the DS file).
* **Legal identifiers** are python-stdnum's validators: Morocco ICE (``stdnum.ma.ice``), Tunisia
  matricule fiscal (``stdnum.tn.mf``), Algeria NIF (``stdnum.dz.nif``).
* **National identity numbers** are checked for format only (no public key): Morocco CIN (one or
  two letters then up to six digits), Algeria NIN (18 digits), Tunisia CIN (8 digits).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import exceptions as stdnum_exceptions
from stdnum.dz import nif as dz_nif
from stdnum.iso7064 import mod_97_10
from stdnum.ma import ice as ma_ice
from stdnum.tn import mf as tn_mf

from tadamun.errors import InvalidInput, problem
from tadamun.registry.labels import label

__all__ = [
    "SCHEMES",
    "IdentifierError",
    "IdentifierScheme",
    "issue_dz_employer_number",
    "issue_dz_nss",
    "issue_ma_affiliate_number",
    "issue_ma_insured_number",
    "issue_tn_employer_number",
    "issue_tn_insured_number",
    "ma_affiliate_key",
    "ma_insured_key",
    "mod97_key",
    "validate_dz_employer_number",
    "validate_dz_nif",
    "validate_dz_nin",
    "validate_dz_nss",
    "validate_ma_affiliate_number",
    "validate_ma_cin",
    "validate_ma_ice",
    "validate_ma_insured_number",
    "validate_tn_cin",
    "validate_tn_employer_number",
    "validate_tn_insured_number",
    "validate_tn_mf",
]

MA_NOT_REGISTERED = "000000000"
MA_CASUAL = "999999999"

_SEPARATORS = re.compile(r"[\s.\-/]")


class IdentifierError(InvalidInput):
    """An identifier refused; its one problem names the field and the reason in fr/ar/en."""

    def __init__(self, field: str, code: str, **params: object) -> None:
        super().__init__([problem(field, label(field), code, **params)])

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def code(self) -> str:
        return self.problems[0].code


def _digits(value: object, field: str, length: int) -> str:
    """``value`` without separators (spaces, dots, dashes, slashes): ``length`` digits."""
    text = _SEPARATORS.sub("", "" if value is None else str(value))
    if not text:
        raise IdentifierError(field, "required")
    if not text.isascii() or not text.isdigit():
        raise IdentifierError(field, "not_digits")
    if len(text) != length:
        raise IdentifierError(field, "wrong_length", expected=length, got=len(text))
    return text


# --- Morocco CNSS ------------------------------------------------------------------------------


def _units_key(doubled: str, single: str) -> str:
    total = sum(int(d) for d in doubled) * 2 + sum(int(d) for d in single)
    units = total % 10
    return "0" if units == 0 else str(10 - units)


def ma_insured_key(first8: str) -> str:
    """The check digit C9 of a Moroccan insured number from its first eight digits C1…C8."""
    c = "_" + first8  # 1-based positions
    return _units_key(c[2] + c[4] + c[6] + c[8], c[3] + c[5] + c[7])


def validate_ma_insured_number(
    value: object, *, field: str = "ssn", allow_placeholders: bool = False
) -> str:
    """A Moroccan CNSS insured number (9 digits, starting with 1, key C9), normalised."""
    number = _digits(value, field, 9)
    if number in (MA_NOT_REGISTERED, MA_CASUAL):
        if allow_placeholders:
            return number
        raise IdentifierError(field, "reserved", value=number)
    if number[0] != "1":
        raise IdentifierError(field, "bad_prefix", prefix="1")
    if number == "100000000":
        raise IdentifierError(field, "reserved", value=number)
    if ma_insured_key(number[:8]) != number[8]:
        raise IdentifierError(field, "bad_key")
    return number


def issue_ma_insured_number(serial: int) -> str:
    """The insured number of serial ``serial`` (1 … 9,999,999): ``1`` + 7 digits + key."""
    if not 1 <= serial <= 9_999_999:
        raise ValueError(f"serial {serial} out of range 1..9999999")
    first8 = f"1{serial:07d}"
    return first8 + ma_insured_key(first8)


def ma_affiliate_key(first6: str) -> str:
    """The key of a Moroccan affiliate number from its first six digits C1…C6."""
    c = "_" + first6
    return _units_key(c[2] + c[4] + c[6], c[1] + c[3] + c[5])


def validate_ma_affiliate_number(value: object, *, field: str = "affiliate_number") -> str:
    """A Moroccan CNSS affiliate number (7 digits, the last being the key), normalised."""
    number = _digits(value, field, 7)
    if number == "0000000":
        raise IdentifierError(field, "reserved", value=number)
    if ma_affiliate_key(number[:6]) != number[6]:
        raise IdentifierError(field, "bad_key")
    return number


def issue_ma_affiliate_number(serial: int) -> str:
    """The affiliate number of serial ``serial`` (1 … 999,999): 6 digits + key."""
    if not 1 <= serial <= 999_999:
        raise ValueError(f"serial {serial} out of range 1..999999")
    first6 = f"{serial:06d}"
    return first6 + ma_affiliate_key(first6)


def validate_ma_ice(value: object, *, field: str = "legal_identifier") -> str:
    """Morocco's ICE (Identifiant Commun de l'Entreprise, 15 digits), through python-stdnum."""
    return _stdnum(ma_ice.validate, value, field, "ICE, 15 chiffres / 15 digits")


_MA_CIN = re.compile(r"^[A-Z]{1,2}\d{1,6}$")


def validate_ma_cin(value: object, *, field: str = "national_id") -> str:
    """A Moroccan national identity card number (CIN): one or two letters, up to six digits."""
    text = _SEPARATORS.sub("", "" if value is None else str(value)).upper()
    if not text:
        raise IdentifierError(field, "required")
    if not _MA_CIN.match(text):
        raise IdentifierError(field, "bad_format", format="AB123456")
    return text


# --- ISO 7064 MOD 97-10: Tadamun's convention where no key algorithm is published --------------


def mod97_key(body: str) -> str:
    """The two-digit ISO 7064 MOD 97-10 key of ``body`` (``body + key`` ≡ 1 mod 97)."""
    return str(mod_97_10.calc_check_digits(body))


def _validate_mod97(value: object, field: str, body_length: int) -> str:
    number = _digits(value, field, body_length + 2)
    if int(number[:body_length]) == 0:
        raise IdentifierError(field, "reserved", value=number)
    if mod97_key(number[:body_length]) != number[body_length:]:
        raise IdentifierError(field, "bad_key")
    return number


def _issue_mod97(serial: int, body_length: int) -> str:
    top = 10**body_length - 1
    if not 1 <= serial <= top:
        raise ValueError(f"serial {serial} out of range 1..{top}")
    body = f"{serial:0{body_length}d}"
    return body + mod97_key(body)


def validate_dz_nss(value: object, *, field: str = "ssn") -> str:
    """An Algerian social security number (12 digits: 10 + key, Tadamun's MOD 97-10 convention)."""
    return _validate_mod97(value, field, 10)


def issue_dz_nss(serial: int) -> str:
    return _issue_mod97(serial, 10)


def validate_dz_employer_number(value: object, *, field: str = "affiliate_number") -> str:
    """An Algerian CNAS employer number (10 digits: 8 + key, Tadamun's MOD 97-10 convention)."""
    return _validate_mod97(value, field, 8)


def issue_dz_employer_number(serial: int) -> str:
    return _issue_mod97(serial, 8)


def validate_dz_nif(value: object, *, field: str = "legal_identifier") -> str:
    """Algeria's NIF (tax identification number, 15 or 20 digits), through python-stdnum."""
    return _stdnum(dz_nif.validate, value, field, "NIF, 15 ou 20 chiffres / 15 or 20 digits")


def validate_dz_nin(value: object, *, field: str = "national_id") -> str:
    """Algeria's national identification number (NIN, 18 digits on the biometric card)."""
    return _digits(value, field, 18)


def validate_tn_employer_number(value: object, *, field: str = "affiliate_number") -> str:
    """A Tunisian CNSS employer number (10 digits: 8 + key, Tadamun's MOD 97-10 convention)."""
    return _validate_mod97(value, field, 8)


def issue_tn_employer_number(serial: int) -> str:
    return _issue_mod97(serial, 8)


def validate_tn_insured_number(value: object, *, field: str = "ssn") -> str:
    """A Tunisian CNSS insured number (10 digits: 8 + key, Tadamun's MOD 97-10 convention)."""
    return _validate_mod97(value, field, 8)


def issue_tn_insured_number(serial: int) -> str:
    return _issue_mod97(serial, 8)


def validate_tn_mf(value: object, *, field: str = "legal_identifier") -> str:
    """Tunisia's matricule fiscal, through python-stdnum."""
    return _stdnum(tn_mf.validate, value, field, "1234567/M/A/E/000")


def validate_tn_cin(value: object, *, field: str = "national_id") -> str:
    """A Tunisian national identity card number (8 digits)."""
    return _digits(value, field, 8)


# --- python-stdnum -----------------------------------------------------------------------------


def _stdnum(validate: Callable[[str], str], value: object, field: str, fmt: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise IdentifierError(field, "required")
    try:
        return validate(text)
    except stdnum_exceptions.InvalidChecksum:
        raise IdentifierError(field, "bad_key") from None
    except stdnum_exceptions.InvalidLength:
        raise IdentifierError(field, "bad_format", format=fmt) from None
    except stdnum_exceptions.ValidationError:  # InvalidFormat, InvalidComponent
        raise IdentifierError(field, "bad_format", format=fmt) from None


# --- schemes: what a fund profile refers to ----------------------------------------------------


@dataclass(frozen=True)
class IdentifierScheme:
    """One kind of identifier: how to check it, how to issue one, and where its key comes from."""

    id: str
    length: int
    validate: Callable[..., str]
    issue: Callable[[int], str] | None
    max_serial: int
    key: str  # "published", "tadamun-convention", "python-stdnum" or "none"
    example: str


def _scheme(
    id: str,
    length: int,
    validate: Callable[..., str],
    issue: Callable[[int], str] | None,
    max_serial: int,
    key: str,
) -> IdentifierScheme:
    example = issue(1234) if issue is not None else ""
    return IdentifierScheme(id, length, validate, issue, max_serial, key, example)


SCHEMES: dict[str, IdentifierScheme] = {
    s.id: s
    for s in (
        _scheme(
            "ma-cnss-insured",
            9,
            validate_ma_insured_number,
            issue_ma_insured_number,
            9_999_999,
            "published",
        ),
        _scheme(
            "ma-cnss-affiliate",
            7,
            validate_ma_affiliate_number,
            issue_ma_affiliate_number,
            999_999,
            "published",
        ),
        _scheme("ma-ice", 15, validate_ma_ice, None, 0, "python-stdnum"),
        _scheme("ma-cin", 8, validate_ma_cin, None, 0, "none"),
        _scheme("dz-nss", 12, validate_dz_nss, issue_dz_nss, 10**10 - 1, "tadamun-convention"),
        _scheme(
            "dz-cnas-employer",
            10,
            validate_dz_employer_number,
            issue_dz_employer_number,
            10**8 - 1,
            "tadamun-convention",
        ),
        _scheme("dz-nif", 15, validate_dz_nif, None, 0, "python-stdnum"),
        _scheme("dz-nin", 18, validate_dz_nin, None, 0, "none"),
        _scheme(
            "tn-cnss-employer",
            10,
            validate_tn_employer_number,
            issue_tn_employer_number,
            10**8 - 1,
            "tadamun-convention",
        ),
        _scheme(
            "tn-cnss-insured",
            10,
            validate_tn_insured_number,
            issue_tn_insured_number,
            10**8 - 1,
            "tadamun-convention",
        ),
        _scheme("tn-mf", 13, validate_tn_mf, None, 0, "python-stdnum"),
        _scheme("tn-cin", 8, validate_tn_cin, None, 0, "none"),
    )
}
