"""Benchmark: contributions of 1,000,000 declaration lines of mixed regimes and periods.

Prints the engine's computation time, lines per second and peak memory, then runs the Tunisian
RSNA subset through openfisca-tunisia (simulation building plus computing, one simulation per
period as OpenFisca requires) and through Tadamun end to end, and prints the ratio.

    .venv/bin/python benchmarks/rules_contributions.py [--lines 1000000] [--repeat 5] [--json]

Targets (issue 2): ≥ 5 million lines/s, ≥ 20× openfisca-tunisia end to end, < 1 GB peak for 1M.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tadamun.rules.contributions import LineBatch, compute
from tadamun.rules.parameters import load_packs
from tadamun.rules.periods import first_period_on_or_after, month_index

LAST_PERIOD = month_index(2026, 12)


def make_lines(n: int, seed: int = 20261123) -> LineBatch:
    """Random lines: every regime, periods spread from each regime's first month to 2026-12."""
    rng = np.random.default_rng(seed)
    packs = load_packs()
    regimes = packs.regimes()
    codes = rng.integers(0, len(regimes), size=n).astype(np.int16)
    period = np.empty(n, dtype=np.int32)
    base = np.empty(n, dtype=np.int64)
    for i, regime in enumerate(regimes):
        pack = packs.regime(regime)
        mask = codes == i
        count = int(mask.sum())
        # Periods from 2010-01 or the regime's first month, whichever is later.
        first = max(first_period_on_or_after(pack.first_date), month_index(2010, 1))
        period[mask] = rng.integers(first, LAST_PERIOD + 1, size=count)
        # Monthly-equivalent wages around 1× to 30× the minimum, in minor units.
        scale = {"DZD": 100, "MAD": 100, "TND": 1000}[pack.currency.code]
        monthly = rng.lognormal(
            mean=np.log(600 if scale == 1000 else 40_000 if pack.currency.code == "DZD" else 5_000),
            sigma=0.7,
            size=count,
        )
        base[mask] = (monthly * pack.base_months * scale).astype(np.int64)
    classes = packs.regime("tn-cnss-rsna").activity_classes()
    activity = rng.integers(0, len(classes), size=n).astype(np.int16)
    return LineBatch(
        regimes=regimes,
        regime=codes,
        base=base,
        period=period,
        classes=classes,
        activity_class=activity,
    )


def time_engine(batch: LineBatch, repeat: int) -> dict[str, Any]:
    compute(batch)  # first run: parameter segments are built and cached, pages are touched
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        compute(batch)
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    result = compute(batch)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    median = statistics.median(times)
    total = int(result.total().sum())
    return {
        "lines": len(batch),
        "median_s": median,
        "best_s": min(times),
        "lines_per_s": len(batch) / median,
        "peak_bytes_compute": peak,
        "checksum_minor_units": total,
    }


def rsna_subset(batch: LineBatch) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    code = batch.regimes.index("tn-cnss-rsna")
    mask = batch.regime == code
    return batch.base[mask], batch.period[mask]


def time_openfisca(base: npt.NDArray[np.int64], period: npt.NDArray[np.int32]) -> dict[str, Any]:
    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_tunisia import CountryTaxBenefitSystem

    t0 = time.perf_counter()
    tbs = CountryTaxBenefitSystem()
    tbs_s = time.perf_counter() - t0

    start = time.perf_counter()
    employer_total = 0.0
    employee_total = 0.0
    for month in np.unique(period):
        wages = base[period == month].astype(np.float64) / 1000.0
        n = wages.shape[0]
        label = f"{1970 + int(month) // 12:04d}-{int(month) % 12 + 1:02d}"
        builder = SimulationBuilder()
        builder.create_entities(tbs)
        builder.declare_person_entity("individu", [f"i{i}" for i in range(n)])
        sim = builder.build(tbs)
        sim.set_input("regime_securite_sociale_cotisant", label, np.array(["rsna"] * n))
        sim.set_input("salaire_de_base", label, wages)
        employer_total += float(sim.calculate("cotisations_employeur", label).sum())
        employee_total += float(sim.calculate("cotisations_salarie", label).sum())
    elapsed = time.perf_counter() - start
    return {
        "lines": int(base.shape[0]),
        "periods": int(np.unique(period).shape[0]),
        "tax_benefit_system_load_s": tbs_s,
        "end_to_end_s": elapsed,
        "employer_total_tnd": employer_total,
        "employee_total_tnd": employee_total,
    }


def time_tadamun_rsna(
    base: npt.NDArray[np.int64], period: npt.NDArray[np.int32], repeat: int
) -> dict[str, Any]:
    """The same lines through Tadamun, end to end: the batch from plain columns, then compute."""
    times = []
    result = None
    classes = load_packs().regime("tn-cnss-rsna").activity_classes()
    for _ in range(repeat):
        start = time.perf_counter()
        batch = LineBatch.of_regime(
            "tn-cnss-rsna",
            base=base,
            period=period,
            classes=classes,
            activity_class=np.zeros(base.shape[0], dtype=np.int16),
        )
        result = compute(batch)
        times.append(time.perf_counter() - start)
    assert result is not None
    sourced = [c for c in result.columns if c[0] != "work_accident"]
    employer = sum(int(result.amounts[c].sum()) for c in sourced if c[1] == "employer")
    employee = sum(int(result.amounts[c].sum()) for c in sourced if c[1] == "employee")
    return {
        "end_to_end_s": statistics.median(times),
        "employer_total_tnd": employer / 1000,
        "employee_total_tnd": employee / 1000,
    }


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "os": platform.platform(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-openfisca", action="store_true", help="skip the comparison")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    batch = make_lines(args.lines)
    engine = time_engine(batch, args.repeat)
    engine["max_rss_bytes_after_engine"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    report: dict[str, Any] = {"machine": machine(), "engine": engine}
    if not args.no_openfisca:
        base, period = rsna_subset(batch)
        ours = time_tadamun_rsna(base, period, args.repeat)
        theirs = time_openfisca(base, period)
        report["rsna"] = {
            "tadamun": ours,
            "openfisca_tunisia": theirs,
            "speedup": theirs["end_to_end_s"] / ours["end_to_end_s"],
        }

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    m = report["machine"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, numpy {m['numpy']}")
    print(f"lines: {engine['lines']:,} (regimes: {', '.join(batch.regimes)})")
    print(
        f"compute: median {engine['median_s'] * 1000:.1f} ms, "
        f"best {engine['best_s'] * 1000:.1f} ms "
        f"over {args.repeat} runs"
    )
    print(f"throughput: {engine['lines_per_s'] / 1e6:.2f} million lines/s (target ≥ 5)")
    print(
        "peak memory during compute (tracemalloc): "
        f"{engine['peak_bytes_compute'] / 2**20:.0f} MiB; process max RSS (inputs, packs, "
        f"interpreter): {engine['max_rss_bytes_after_engine'] / 2**20:.0f} MiB (target < 1024)"
    )
    if "rsna" in report:
        r = report["rsna"]
        print(
            f"RSNA subset: {r['openfisca_tunisia']['lines']:,} lines in "
            f"{r['openfisca_tunisia']['periods']} periods"
        )
        print(
            f"  openfisca-tunisia: {r['openfisca_tunisia']['end_to_end_s']:.2f} s end to end "
            f"(+ {r['openfisca_tunisia']['tax_benefit_system_load_s']:.2f} s to load its system)"
        )
        print(f"  tadamun:           {r['tadamun']['end_to_end_s'] * 1000:.1f} ms end to end")
        print(f"  ratio: {r['speedup']:.0f}× (target ≥ 20×)")
        print(
            f"  employer totals: tadamun {r['tadamun']['employer_total_tnd']:,.3f} TND, "
            f"openfisca {r['openfisca_tunisia']['employer_total_tnd']:,.3f} TND"
        )
        print(
            f"  employee totals: tadamun {r['tadamun']['employee_total_tnd']:,.3f} TND, "
            f"openfisca {r['openfisca_tunisia']['employee_total_tnd']:,.3f} TND"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
