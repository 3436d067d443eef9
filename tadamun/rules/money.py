"""Exact money: integer minor units with their currency, and the rounding rules packs declare.

No float ever enters or leaves this module: amounts are parsed from text into integers and
divisions are integer divisions with an explicit rounding mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

import numpy as np
import numpy.typing as npt

from tadamun.rules.errors import InvalidAmount, PackError

#: Decimals of each currency the funds use (ISO 4217 minor units).
CURRENCY_DECIMALS: dict[str, int] = {"DZD": 2, "MAD": 2, "TND": 3}

RoundingMode = Literal["half_up", "half_even", "down"]
ROUNDING_MODES: tuple[RoundingMode, ...] = ("half_up", "half_even", "down")

_AMOUNT_RE = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")
# Arabic-Indic and Persian digits, as people type them in an Arabic form, read as ASCII digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")

Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Currency:
    code: str
    decimals: int

    @property
    def minor_per_major(self) -> int:
        return int(10**self.decimals)

    @classmethod
    def of(cls, code: str) -> Currency:
        try:
            return cls(code, CURRENCY_DECIMALS[code])
        except KeyError:
            known = ", ".join(sorted(CURRENCY_DECIMALS))
            raise InvalidAmount(f"unknown currency {code!r}; known: {known}") from None

    def parse(self, text: str | int | Decimal, *, field: str = "amount") -> int:
        """Major units written as text (``"1000.000"``) to integer minor units, exactly."""
        if isinstance(text, bool):
            raise InvalidAmount(f"{field}: {text!r} is not an amount in {self.code}")
        if isinstance(text, int):
            return text * self.minor_per_major
        if isinstance(text, Decimal):
            value = text
        else:
            cleaned = str(text).strip().replace("_", "").translate(_DIGITS)
            if not _AMOUNT_RE.match(cleaned):
                raise InvalidAmount(
                    f"{field}: {text!r} is not an amount in {self.code} "
                    f"(expected digits with at most {self.decimals} decimals, e.g. "
                    f"{self.format(1000 * self.minor_per_major)})"
                )
            try:
                value = Decimal(cleaned)
            except InvalidOperation:  # pragma: no cover - the regex already guards this
                raise InvalidAmount(f"{field}: {text!r} is not a number") from None
        if not value.is_finite():
            raise InvalidAmount(f"{field}: {text!r} is not a finite amount")
        scaled = value.scaleb(self.decimals)
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(
                f"{field}: {text!r} has more than {self.decimals} decimals, "
                f"the precision of {self.code}"
            )
        return int(scaled)

    def format(self, minor: int) -> str:
        """Integer minor units to major units with all the currency's decimals (``1000.000``)."""
        sign = "-" if minor < 0 else ""
        whole, frac = divmod(abs(int(minor)), self.minor_per_major)
        if self.decimals == 0:
            return f"{sign}{whole}"
        return f"{sign}{whole}.{frac:0{self.decimals}d}"


@dataclass(frozen=True, order=True)
class Money:
    """An amount: integer minor units and a currency code."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise InvalidAmount(
                f"money must be an integer number of minor units, got {self.minor!r}"
            )

    def __str__(self) -> str:
        return f"{Currency.of(self.currency).format(self.minor)} {self.currency}"

    @property
    def major(self) -> str:
        return Currency.of(self.currency).format(self.minor)


@dataclass(frozen=True)
class Rounding:
    """How a pack rounds one kind of result: mode, unit (in minor units), and what it applies to."""

    mode: RoundingMode
    unit: int
    applies_to: str

    @classmethod
    def from_yaml(cls, raw: object, *, file: str, key: str) -> Rounding:
        if not isinstance(raw, dict):
            raise PackError(file, key, "must be a mapping with mode, unit and applies_to")
        mode = raw.get("mode")
        if mode not in ROUNDING_MODES:
            raise PackError(file, f"{key}.mode", f"{mode!r} is not one of {list(ROUNDING_MODES)}")
        unit = raw.get("unit", 1)
        if not isinstance(unit, int) or isinstance(unit, bool) or unit < 1:
            raise PackError(file, f"{key}.unit", f"{unit!r} is not a positive whole number")
        applies_to = raw.get("applies_to")
        if not isinstance(applies_to, str) or not applies_to.strip():
            raise PackError(file, f"{key}.applies_to", "must say what is rounded and when")
        return cls(mode=mode, unit=unit, applies_to=applies_to)

    def divide(self, numerator: int, denominator: int) -> int:
        """``numerator / denominator`` rounded to a multiple of ``unit``, in exact integers."""
        if denominator <= 0:
            raise ValueError("denominator must be positive")
        sign = -1 if numerator < 0 else 1
        n = abs(numerator)
        d = denominator * self.unit
        q, r = divmod(n, d)
        if self.mode == "half_up":
            q += 1 if 2 * r >= d else 0
        elif self.mode == "half_even":
            q += 1 if (2 * r > d or (2 * r == d and q % 2 == 1)) else 0
        return sign * q * self.unit

    def divide_array(self, numerator: Int64Array, denominator: int) -> Int64Array:
        """Vectorised :meth:`divide` for non-negative int64 numerators (no float, no loop)."""
        d = np.int64(denominator * self.unit)
        if self.mode == "down":
            q = numerator // d
        elif self.mode == "half_up":
            # With an even divisor, adding half of it rounds half up without doubling the numerator.
            q = (numerator + d // 2) // d if d % 2 == 0 else (2 * numerator + d) // (2 * d)
        else:
            q, r = np.divmod(numerator, d)
            twice = 2 * r
            q = q + ((twice > d) | ((twice == d) & (q % 2 == 1))).astype(np.int64)
        if self.unit != 1:
            q = q * np.int64(self.unit)
        return q.astype(np.int64, copy=False)
