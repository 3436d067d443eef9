"""``{% load tadamun_format %}``: ``{{ minor|money:currency }}``, ``{{ n|number }}``,
``{{ day|local_date }}`` in the active language (see :mod:`tadamun.portal.formatting`)."""

from __future__ import annotations

import datetime as dt

from django import template

from tadamun.portal import formatting

register = template.Library()


@register.filter
def money(minor: int, currency: str) -> str:
    return formatting.money(minor, currency)


@register.filter
def number(value: int) -> str:
    return formatting.number(value)


@register.filter
def local_date(day: dt.date | dt.datetime | None) -> str:
    return formatting.date(day)


@register.filter
def local_datetime(moment: dt.datetime | None) -> str:
    return formatting.datetime(moment)
