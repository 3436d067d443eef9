"""How the API answers a refusal: ``{"problems": [{"field", "code", "message"}]}`` in the language
asked for (``?lang=`` first, then ``Accept-Language``, then the fund's default language)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header

from tadamun.errors import LANGUAGES, Problem
from tadamun.funds import current_fund


def language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if isinstance(asked, str) and asked.split("-")[0].lower() in LANGUAGES:
        return asked.split("-")[0].lower()
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if isinstance(header, str) and header:
        for code, _quality in parse_accept_lang_header(header[:500]):
            base = code.split("-")[0].lower()
            if base in LANGUAGES:
                return base
    default = current_fund().default_language
    return default if default in LANGUAGES else "fr"


def problem_item(item: Problem, lang: str) -> dict[str, Any]:
    return {"field": item.field, "code": item.code, "message": item.message(lang)}


def problems_body(problems: Iterable[Problem], lang: str) -> dict[str, Any]:
    return {"problems": [problem_item(p, lang) for p in problems]}
