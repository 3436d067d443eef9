"""Contributions over whole arrays of declaration lines, exactly, with each line's own parameters.

The engine never loops over lines. For each regime in a batch it cuts the parameters' history into
segments (months between two dates where any value changes), evaluates every rate, ceiling and
floor once per segment, finds each line's segment with one ``searchsorted``, and computes each
branch and payer amount as ``round(bounded_base × rate_ppm / 1_000_000)`` in int64. A batch can
mix regimes and straddle rate changes.

Bounds: a base is at most :data:`MAX_BASE` minor units, and rates are at most 1 (10⁶ ppm), so every
product stays below 10¹⁸, inside int64.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from tadamun.rules.errors import (
    InvalidBase,
    NotInForce,
    PeriodOutOfRange,
    UnknownActivityClass,
    UnknownVariant,
)
from tadamun.rules.money import Currency, Int64Array, Rounding
from tadamun.rules.parameters import PPM, Branch, Pack, PackSet, Parameter, load_packs
from tadamun.rules.periods import first_period_on_or_after, period_label, period_start

#: The largest base accepted, in minor units: 10 billion in major units. Larger is a unit mistake.
MAX_BASE = 10**12

Column = tuple[str, str]  # (branch, payer)
IntArray = npt.NDArray[np.integer]


@dataclass(frozen=True)
class LineBatch:
    """Declaration lines as columns. Regimes and activity classes are categorical codes."""

    regimes: tuple[str, ...]
    regime: IntArray  # index into ``regimes`` per line
    base: Int64Array  # minor units of the regime's currency
    period: IntArray  # months since 1970-01 (datetime64[M] as integers)
    classes: tuple[str, ...] = ()
    activity_class: IntArray | None = None  # index into ``classes``; -1 for none

    def __len__(self) -> int:
        return int(self.base.shape[0])

    @classmethod
    def of_regime(
        cls,
        regime: str,
        *,
        base: Int64Array,
        period: IntArray,
        classes: tuple[str, ...] = (),
        activity_class: IntArray | None = None,
    ) -> LineBatch:
        """Lines all of one regime, from arrays already in the engine's types (no conversion)."""
        return cls(
            regimes=(regime,),
            regime=np.zeros(base.shape[0], dtype=np.int16),
            base=base,
            period=period,
            classes=classes,
            activity_class=activity_class,
        )

    @classmethod
    def from_columns(
        cls,
        *,
        regime: Sequence[str] | npt.NDArray[np.str_],
        base: Sequence[int] | Int64Array,
        period: Sequence[int] | IntArray | npt.NDArray[np.datetime64],
        activity_class: Sequence[str | None] | None = None,
    ) -> LineBatch:
        """Build a batch from plain columns (regime ids as text, bases in minor units)."""
        regimes, regime_codes = np.unique(np.asarray(regime, dtype=str), return_inverse=True)
        period_arr = np.asarray(period)
        if np.issubdtype(period_arr.dtype, np.datetime64):
            period_arr = period_arr.astype("datetime64[M]").astype(np.int64)
        base_arr = np.asarray(base)
        if base_arr.dtype.kind not in "iu":
            raise InvalidBase(
                "bases must be whole numbers of minor units (centimes, millimes), "
                f"not {base_arr.dtype}"
            )
        classes: tuple[str, ...] = ()
        class_codes = None
        if activity_class is not None:
            labels = ["" if c is None else str(c) for c in activity_class]
            uniq, inverse = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
            classes = tuple(str(u) for u in uniq)
            class_codes = inverse.astype(np.int16)
            if "" in classes:
                blank = classes.index("")
                class_codes = np.where(class_codes == blank, -1, class_codes).astype(np.int16)
        return cls(
            regimes=tuple(str(r) for r in regimes),
            regime=regime_codes.astype(np.int16),
            base=base_arr.astype(np.int64),
            period=period_arr.astype(np.int32),
            classes=classes,
            activity_class=class_codes,
        )


@dataclass
class ContributionResult:
    """Per line, per (branch, payer) amounts in minor units of each line's regime currency."""

    batch: LineBatch
    columns: tuple[Column, ...]
    amounts: dict[Column, Int64Array]
    currencies: Mapping[str, Currency]  # regime -> currency
    variant: Mapping[str, str] = field(default_factory=dict)

    def payers(self) -> tuple[str, ...]:
        seen: list[str] = []
        for _, payer in self.columns:
            if payer not in seen:
                seen.append(payer)
        return tuple(seen)

    def by_payer(self, payer: str) -> Int64Array:
        total = np.zeros(len(self.batch), dtype=np.int64)
        for (_, who), amounts in self.amounts.items():
            if who == payer:
                total += amounts
        return total

    def total(self) -> Int64Array:
        total = np.zeros(len(self.batch), dtype=np.int64)
        for amounts in self.amounts.values():
            total += amounts
        return total

    def line_currency(self) -> npt.NDArray[np.str_]:
        codes = np.array([self.currencies[r].code for r in self.batch.regimes])
        return codes[self.batch.regime]


@dataclass(frozen=True)
class _Segments:
    """A regime's parameter history cut into month segments, each evaluated once."""

    starts: npt.NDArray[np.int32]  # first month of each segment, increasing
    valid: npt.NDArray[np.bool_]  # whether any branch is in force in the segment
    rates: dict[Column, npt.NDArray[np.int64]]  # ppm per segment, or [segment, class]
    by_class: frozenset[Column]
    ceilings: dict[str, npt.NDArray[np.int64]]  # branch -> minor units per segment (-1: none)
    floors: dict[str, npt.NDArray[np.int64]]
    flat: dict[Column, npt.NDArray[np.int64]]  # variant amounts per segment
    classes: tuple[str, ...]
    first_month: int


def _bound_value(pack: Pack, branch: Branch, kind: str, when: dt.date) -> int:
    bound = branch.ceiling if kind == "ceiling" else branch.floor
    assert bound is not None
    amount = pack.param(bound.param).int_at(when)
    factor = (
        pack.param(bound.factor).decimal_at(when) if isinstance(bound.factor, str) else bound.factor
    )
    months = pack.base_months if bound.per_month else 1
    numerator = amount * int(factor * PPM) * months
    # A factor like 0.75 can make a fraction of a minor unit: rounded as the pack rounds amounts.
    return Rounding(pack.rounding["contribution"].mode, 1, "bound").divide(numerator, PPM)


def _segment_starts(pack: Pack, variant: str | None) -> list[int]:
    params: list[Parameter] = [pack.param(p) for p in pack.contribution_parameters()]
    if variant is not None:
        params.extend(pack.param(p) for p in pack.variants[variant].flat.values())
    months = {first_period_on_or_after(v.start) for p in params for v in p.values}
    return sorted(months)


def _rate(param: Parameter, when: dt.date) -> int | None:
    try:
        return param.at(when).ppm
    except NotInForce:
        return None


def _segments(pack: Pack, variant: str | None) -> _Segments:
    """Evaluate every parameter once per segment. A segment where any parameter the regime uses
    has no value is invalid: lines in it are refused rather than billed without that branch."""
    starts = _segment_starts(pack, variant)
    n = len(starts)
    classes = pack.activity_classes()
    rates: dict[Column, npt.NDArray[np.int64]] = {}
    by_class: set[Column] = set()
    ceilings: dict[str, npt.NDArray[np.int64]] = {}
    floors: dict[str, npt.NDArray[np.int64]] = {}
    flat: dict[Column, npt.NDArray[np.int64]] = {}
    valid = np.ones(n, dtype=bool)

    for i, month in enumerate(starts):
        when = period_start(month)
        if variant is not None:
            for payer, path in pack.variants[variant].flat.items():
                table = flat.setdefault(("flat", payer), np.zeros(n, dtype=np.int64))
                try:
                    table[i] = pack.param(path).int_at(when) * pack.base_months
                except NotInForce:
                    valid[i] = False
            continue
        for branch in pack.branches.values():
            for payer, spec in branch.rates.items():
                col = (branch.id, payer)
                if spec.by_class:
                    by_class.add(col)
                    table = rates.setdefault(col, np.zeros((n, len(classes)), dtype=np.int64))
                    node = pack.node(spec.param)
                    for j, cls in enumerate(classes):
                        child = node.children.get(cls)
                        rate = _rate(child, when) if isinstance(child, Parameter) else None
                        table[i, j] = rate or 0
                        valid[i] &= rate is not None
                else:
                    table = rates.setdefault(col, np.zeros(n, dtype=np.int64))
                    rate = _rate(pack.param(spec.param), when)
                    table[i] = rate or 0
                    valid[i] &= rate is not None
            for kind, store, bound in (
                ("ceiling", ceilings, branch.ceiling),
                ("floor", floors, branch.floor),
            ):
                if bound is None:
                    continue
                table = store.setdefault(branch.id, np.zeros(n, dtype=np.int64))
                try:
                    table[i] = _bound_value(pack, branch, kind, when)
                except NotInForce:
                    valid[i] = False
    first_valid = int(starts[int(np.argmax(valid))]) if valid.any() else 0
    return _Segments(
        starts=np.asarray(starts, dtype=np.int32),
        valid=valid,
        rates=rates,
        by_class=frozenset(by_class),
        ceilings=ceilings,
        floors=floors,
        flat=flat,
        classes=classes,
        first_month=first_valid,
    )


def _cached_segments(pack: Pack, variant: str | None) -> _Segments:
    """Segments are built once per pack object: packs are immutable once loaded."""
    key = f"segments:{variant}"
    if key not in pack.cache:
        pack.cache[key] = _segments(pack, variant)
    cached = pack.cache[key]
    assert isinstance(cached, _Segments)
    return cached


def _take(table: npt.NDArray[np.int64], seg: IntArray | None) -> npt.NDArray[np.int64] | np.int64:
    """A per-segment table read for each line, or a scalar when the table never changes."""
    if seg is None or table.shape[0] == 1 or (table == table[0]).all():
        return np.int64(table[0])
    return np.asarray(table[seg], dtype=np.int64)


def _known(classes: Sequence[str], shown: int = 8) -> str:
    if len(classes) <= shown:
        return ", ".join(classes)
    return f"{', '.join(classes[:shown])}… ({len(classes)} in all)"


def _check_bases(base: Int64Array, rows: IntArray | None, regime: str) -> None:
    if base.size == 0:
        return
    lo, hi = int(base.min()), int(base.max())
    if lo < 0:
        at = int(np.argmax(base < 0))
        line = int(rows[at]) if rows is not None else at
        raise InvalidBase(
            f"line {line + 1}: base {lo} (minor units) is negative; a declared base of regime "
            f"{regime} must be zero or more"
        )
    if hi > MAX_BASE:
        at = int(np.argmax(base > MAX_BASE))
        line = int(rows[at]) if rows is not None else at
        raise InvalidBase(
            f"line {line + 1}: base {hi} (minor units) is above the limit of {MAX_BASE} for "
            f"regime {regime}; check that amounts are in minor units (centimes, millimes)"
        )


def _regime_amounts(
    pack: Pack,
    segs: _Segments,
    base: Int64Array,
    period: IntArray,
    class_codes: IntArray | None,
    batch_classes: tuple[str, ...],
    rows: IntArray | None,
    variant: str | None,
) -> dict[Column, Int64Array]:
    """Amounts for the lines of one regime (``rows`` are their positions in the batch)."""

    def line_no(local: int) -> int:
        return (int(rows[local]) if rows is not None else local) + 1

    _check_bases(base, rows, pack.id)
    lo = int(period.min())
    seg: IntArray | None
    if lo >= segs.starts[-1] and segs.valid[-1]:
        # Every line is in the last segment (the usual case: recent periods): scalars only.
        seg, index = None, len(segs.starts) - 1
    else:
        seg = np.searchsorted(segs.starts, period, side="right") - 1
        bad = (seg < 0) | ~segs.valid[np.maximum(seg, 0)]
        if bad.any():
            at = int(np.argmax(bad))
            raise PeriodOutOfRange(
                f"line {line_no(at)}: period {period_label(int(period[at]))} is not covered by "
                f"regime {pack.id}: its parameters start {period_label(segs.first_month)}"
            )
        # When every line falls in one segment, scalars replace per-line lookups.
        if seg.size and int(seg.min()) == int(seg.max()):
            index = int(seg[0])
            seg = None
        else:
            index = -1

    def pick(table: npt.NDArray[np.int64]) -> npt.NDArray[np.int64] | np.int64:
        if seg is None:
            return np.int64(table[index])
        return _take(table, seg)

    out: dict[Column, Int64Array] = {}
    rounding = pack.rounding["contribution"]
    if variant is not None:
        for col, table in segs.flat.items():
            amount = pick(table)
            out[(col[0], col[1])] = np.broadcast_to(amount, base.shape).astype(np.int64)
        return out

    # Map the batch's class codes to this regime's class table once.
    regime_class: IntArray | None = None
    if segs.by_class:
        if class_codes is None:
            raise UnknownActivityClass(
                f"line {line_no(0)}: regime {pack.id} needs an activity class for its "
                f"work-accident rate; known classes: {_known(segs.classes)}"
            )
        mapping = np.array(
            [segs.classes.index(c) if c in segs.classes else -1 for c in batch_classes] + [-1],
            dtype=np.int64,
        )
        regime_class = mapping[class_codes]  # -1 codes index the trailing -1
        if (regime_class < 0).any():
            at = int(np.argmax(regime_class < 0))
            code = int(class_codes[at])
            given = batch_classes[code] if code >= 0 else "(none)"
            raise UnknownActivityClass(
                f"line {line_no(at)}: activity class {given!r} is not a class of regime "
                f"{pack.id}; known classes: {_known(segs.classes)}"
            )

    for branch in pack.branches.values():
        bounded = base
        if branch.floor is not None:
            bounded = np.maximum(bounded, pick(segs.floors[branch.id]))
        if branch.ceiling is not None:
            bounded = np.minimum(bounded, pick(segs.ceilings[branch.id]))
        for payer in branch.rates:
            col = (branch.id, payer)
            table = segs.rates[col]
            if col in segs.by_class:
                assert regime_class is not None
                rate = table[index][regime_class] if seg is None else table[seg, regime_class]
            else:
                rate = pick(table)
            if np.ndim(rate) == 0 and int(rate) == 0:
                out[col] = np.zeros(base.shape, dtype=np.int64)
                continue
            out[col] = rounding.divide_array(bounded * rate, PPM)
    return out


def compute(
    batch: LineBatch,
    *,
    packs: PackSet | None = None,
    variants: Mapping[str, str] | None = None,
) -> ContributionResult:
    """Contributions of every line of ``batch``, by branch and payer, in minor units."""
    packs = packs if packs is not None else load_packs()
    variants = dict(variants or {})
    n = len(batch)
    for name, arr in (("regime", batch.regime), ("period", batch.period)):
        if arr.shape != (n,):
            raise InvalidBase(f"column {name} has {arr.shape[0]} lines; base has {n}")
    regime_packs = [packs.regime(r) for r in batch.regimes]
    for regime_id, chosen in variants.items():
        pack = packs.regime(regime_id)
        if chosen not in pack.variants:
            known = ", ".join(pack.variants) or "none"
            raise UnknownVariant(f"regime {regime_id} has no variant {chosen!r}; known: {known}")

    columns: list[Column] = []
    amounts: dict[Column, Int64Array] = {}
    present = np.bincount(batch.regime, minlength=len(batch.regimes)) if n else np.zeros(0)
    live = [i for i, count in enumerate(present) if count]
    for i in live:
        pack = regime_packs[i]
        variant = variants.get(pack.id)
        segs = _cached_segments(pack, variant)
        if len(live) == 1:
            rows = None
            base, period = batch.base, batch.period
            classes = batch.activity_class
        else:
            rows = np.flatnonzero(batch.regime == i)
            base, period = batch.base[rows], batch.period[rows]
            classes = batch.activity_class[rows] if batch.activity_class is not None else None
        part = _regime_amounts(pack, segs, base, period, classes, batch.classes, rows, variant)
        for col, values in part.items():
            if col not in amounts:
                columns.append(col)
                if rows is None:
                    amounts[col] = values
                    continue
                amounts[col] = np.zeros(n, dtype=np.int64)
            if rows is None:
                amounts[col] = values
            else:
                amounts[col][rows] = values
    return ContributionResult(
        batch=batch,
        columns=tuple(columns),
        amounts=amounts,
        currencies={p.id: p.currency for p in regime_packs},
        variant=variants,
    )


# --- one line, explained ------------------------------------------------------------------------


@dataclass(frozen=True)
class PayslipLine:
    branch: str
    label: Mapping[str, str]
    payer: str
    base: int  # minor units, after floor and ceiling
    rate: Decimal | None  # None for flat amounts
    amount: int
    references: tuple[str, ...]


@dataclass(frozen=True)
class Payslip:
    regime: str
    currency: Currency
    period: int
    declared_base: int
    variant: str | None
    activity_class: str | None
    lines: tuple[PayslipLine, ...]

    def total(self, payer: str | None = None) -> int:
        return sum(line.amount for line in self.lines if payer is None or line.payer == payer)

    def payers(self) -> tuple[str, ...]:
        seen: list[str] = []
        for line in self.lines:
            if line.payer not in seen:
                seen.append(line.payer)
        return tuple(seen)


def payslip(
    regime: str,
    *,
    base: int,
    period: int,
    activity_class: str | None = None,
    variant: str | None = None,
    packs: PackSet | None = None,
) -> Payslip:
    """One line through the same engine, with each branch's base, rate and references shown."""
    packs = packs if packs is not None else load_packs()
    pack = packs.regime(regime)
    batch = LineBatch.from_columns(
        regime=[regime],
        base=np.array([base], dtype=np.int64),
        period=[period],
        activity_class=[activity_class] if activity_class is not None else None,
    )
    result = compute(batch, packs=packs, variants={regime: variant} if variant else None)
    when = period_start(period)
    lines: list[PayslipLine] = []
    if variant is not None:
        for payer, path in pack.variants[variant].flat.items():
            dated = pack.param(path).at(when)
            lines.append(
                PayslipLine(
                    branch="flat",
                    label=pack.variants[variant].description,
                    payer=payer,
                    base=base,
                    rate=None,
                    amount=int(result.amounts[("flat", payer)][0]),
                    references=tuple(map(str, dated.references)),
                )
            )
    else:
        for branch in pack.branches.values():
            bounded = base
            refs: list[str] = []
            if branch.floor is not None:
                bounded = max(bounded, _bound_value(pack, branch, "floor", when))
            if branch.ceiling is not None:
                bounded = min(bounded, _bound_value(pack, branch, "ceiling", when))
            for payer, spec in branch.rates.items():
                param = (
                    pack.param(f"{spec.param}.{activity_class}")
                    if spec.by_class
                    else pack.param(spec.param)
                )
                try:
                    dated = param.at(when)
                except NotInForce:
                    continue  # the branch is not in force in this period
                refs = [str(r) for r in dated.references]
                lines.append(
                    PayslipLine(
                        branch=branch.id,
                        label=branch.label,
                        payer=payer,
                        base=bounded,
                        rate=param.decimal_at(when),
                        amount=int(result.amounts[(branch.id, payer)][0]),
                        references=tuple(refs),
                    )
                )
    return Payslip(
        regime=regime,
        currency=pack.currency,
        period=period,
        declared_base=base,
        variant=variant,
        activity_class=activity_class,
        lines=tuple(lines),
    )
