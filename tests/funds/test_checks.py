from __future__ import annotations

import dataclasses

import pytest

from tadamun.funds import checks, get_fund


def test_the_chosen_funds_regimes_exist() -> None:
    assert checks.fund_regimes_check() == []


def test_a_regime_without_pack_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = dataclasses.replace(get_fund("ma-cnss"), regimes=("ma-cnss", "ma-amo-tns"))
    monkeypatch.setattr(checks, "current_fund", lambda: broken)
    (error,) = checks.fund_regimes_check()
    assert error.id == "tadamun.E002"
    assert "ma-amo-tns" in error.msg
