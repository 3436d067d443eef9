"""System checks: the chosen fund's regimes exist as parameter packs and load cleanly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, register

from tadamun.funds import current_fund
from tadamun.rules.errors import RulesError
from tadamun.rules.parameters import load_packs


@register()
def fund_regimes_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    fund = current_fund()
    try:
        packs = load_packs()
    except RulesError as exc:
        return [Error(f"the parameter packs do not load: {exc}", id="tadamun.E001")]
    missing = [r for r in fund.regimes if r not in packs.regimes()]
    if missing:
        return [
            Error(
                f"fund {fund.code} runs regimes with no parameter pack: {', '.join(missing)}",
                hint=f"known regimes: {', '.join(packs.regimes())}",
                id="tadamun.E002",
            )
        ]
    return []
