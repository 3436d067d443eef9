"""Agreement with openfisca-tunisia on RSNA totals, and where the differences come from.

openfisca-tunisia computes in 32-bit floats; Tadamun computes exactly and rounds each branch to the
millime (half up). So for each salary we check two bounds against the exact value
salary × published rate (Fraction arithmetic):
- Tadamun is within 0.5 millime per rounded branch of it (its documented rounding);
- openfisca-tunisia is within float32's relative error of it (its arithmetic).
Between them the gap is never more than the sum of the two, which is what is asserted last.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import pytest

from tadamun.rules.contributions import LineBatch, compute
from tadamun.rules.parameters import load_packs
from tadamun.rules.periods import month_index, period_label, period_start

openfisca_core = pytest.importorskip("openfisca_core")
openfisca_tunisia = pytest.importorskip("openfisca_tunisia")

SALARIES_PER_PERIOD = 250
# Two periods a year from 2010 to 2026, plus the months either side of the 2025 job-loss fund.
PERIODS = sorted(
    {month_index(y, m) for y in range(2010, 2027) for m in (3, 10)}
    | {month_index(2024, 12), month_index(2025, 1)}
)
FLOAT32_UNIT_ROUNDOFF = Fraction(1, 2**24)


@pytest.fixture(scope="module")
def lines() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    n = SALARIES_PER_PERIOD * len(PERIODS)
    base = rng.integers(100_000, 20_000_000, size=n).astype(np.int64)  # 100 to 20,000 TND
    period = np.repeat(np.array(PERIODS, dtype=np.int32), SALARIES_PER_PERIOD)
    return base, period


@pytest.fixture(scope="module")
def openfisca_totals(lines: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_tunisia import CountryTaxBenefitSystem

    tbs = CountryTaxBenefitSystem()
    base, period = lines
    employer = np.zeros(base.shape[0], dtype=np.float64)
    employee = np.zeros(base.shape[0], dtype=np.float64)
    for month in PERIODS:
        mask = period == month
        n = int(mask.sum())
        label = period_label(month)
        builder = SimulationBuilder()
        builder.create_entities(tbs)
        builder.declare_person_entity("individu", [f"i{i}" for i in range(n)])
        sim = builder.build(tbs)
        sim.set_input("regime_securite_sociale_cotisant", label, np.array(["rsna"] * n))
        sim.set_input("salaire_de_base", label, base[mask] / 1000.0)
        employer[mask] = sim.calculate("cotisations_employeur", label)
        employee[mask] = sim.calculate("cotisations_salarie", label)
    return employer, employee


@functools.cache
def _published_rates(month: int) -> tuple[Fraction, Fraction]:
    """RSNA totals from the pack's sourced values (rules.md §6), excluding work accident."""
    pack = load_packs().regime("tn-cnss-rsna")
    when = period_start(month)
    employer = Fraction(0)
    employee = Fraction(0)
    for branch in pack.branches.values():
        if branch.id == "work_accident":
            continue
        for payer, spec in branch.rates.items():
            rate = Fraction(pack.param(spec.param).decimal_at(when))
            if payer == "employer":
                employer += rate
            else:
                employee += rate
    return employer, employee


def test_rsna_totals_agree_with_openfisca_within_float32_error(
    lines: tuple[np.ndarray, np.ndarray], openfisca_totals: tuple[np.ndarray, np.ndarray]
) -> None:
    base, period = lines
    pack = load_packs().regime("tn-cnss-rsna")
    rounded_branches = sum(1 for b in pack.branches if b != "work_accident")
    classes = pack.activity_classes()
    result = compute(
        LineBatch.of_regime(
            "tn-cnss-rsna",
            base=base,
            period=period,
            classes=classes,
            activity_class=np.zeros(base.shape[0], dtype=np.int16),
        )
    )
    sourced = [c for c in result.columns if c[0] != "work_accident"]
    ours = {
        payer: sum(result.amounts[c] for c in sourced if c[1] == payer)
        for payer in ("employer", "employee")
    }
    theirs = dict(zip(("employer", "employee"), openfisca_totals, strict=True))

    worst = {"ours": Fraction(0), "theirs": Fraction(0)}
    for i in range(base.shape[0]):
        rates = dict(zip(("employer", "employee"), _published_rates(int(period[i])), strict=True))
        for payer in ("employer", "employee"):
            exact = Fraction(int(base[i]), 1000) * rates[payer]  # TND
            ours_tnd = Fraction(int(ours[payer][i]), 1000)
            theirs_tnd = Fraction(float(theirs[payer][i]))
            # Tadamun: each rounded branch is within half a millime of its exact value.
            our_bound = Fraction(rounded_branches, 2000)
            assert abs(ours_tnd - exact) <= our_bound, (i, payer)
            # openfisca: about a dozen float32 operations (conversion, per-branch products, sum).
            their_bound = 24 * FLOAT32_UNIT_ROUNDOFF * exact + Fraction(1, 10**6)
            assert abs(theirs_tnd - exact) <= their_bound, (i, payer, float(theirs_tnd - exact))
            assert abs(ours_tnd - theirs_tnd) <= our_bound + their_bound
            worst["ours"] = max(worst["ours"], abs(ours_tnd - exact))
            worst["theirs"] = max(worst["theirs"], abs(theirs_tnd - exact))
    # The comparison is not vacuous: openfisca does differ from the exact value, by float32 error.
    assert worst["theirs"] > 0
    assert worst["ours"] <= Fraction(1, 1000)
