"""Money, numbers and dates for the reader: Babel with the fund country's own conventions.

French and Arabic use the fund's country (``fr_TN`` writes "DT", ``ar_DZ`` groups with dots);
English uses British conventions. Every page and PDF formats through here, so an amount looks
the same on the form, the receipt and the account.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from django.utils import timezone
from django.utils.translation import get_language

from tadamun.rules.money import Currency

LANGUAGES = ("fr", "ar", "en")


def language_of(language: str | None = None) -> str:
    lang = (language or get_language() or "fr").split("-")[0]
    return lang if lang in LANGUAGES else "en"


def locale_for(language: str | None = None, country: str | None = None) -> str:
    lang = language_of(language)
    if lang == "en":
        return "en_GB"
    if country is None:
        from tadamun.funds import current_fund

        country = current_fund().country
    return f"{lang}_{country}"


def money(minor: int, currency: str, language: str | None = None) -> str:
    """``minor`` units of ``currency`` with all its decimals (TND has 3), for the locale."""
    cur = Currency.of(currency)
    value = Decimal(int(minor)).scaleb(-cur.decimals)
    return format_currency(value, currency, locale=locale_for(language), currency_digits=True)


def number(value: int, language: str | None = None) -> str:
    return format_decimal(value, locale=locale_for(language))


def date(day: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """A date (or the local date of an aware datetime: the fund's time zone, not UTC)."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return format_date(day, "medium", locale=locale_for(language))


def datetime(moment: dt.datetime | None, language: str | None = None) -> str:
    """Date and time in the fund's time zone, for the locale."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return format_datetime(local, "medium", locale=locale_for(language))
