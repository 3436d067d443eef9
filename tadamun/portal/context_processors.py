"""The fund this deployment runs, named in the active language, for every template."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language

from tadamun.funds import current_fund


def fund(request: HttpRequest) -> dict[str, object]:
    profile = current_fund()
    language = get_language() or profile.default_language
    return {
        "fund": profile,
        "fund_name": profile.name_in(language),
        "fund_short_name": profile.short_name_in(language),
        "fund_country": profile.country_name.get(
            language.split("-")[0], profile.country_name["en"]
        ),
    }
