"""Many small BDS declaration files (B00–B06) read at once, vectorised across the files.

A national month is ~160,000 files of ~19 lines: read one by one, the fixed cost of each call
(numpy set-up, per-file objects) dominates. :func:`read_declarations_many` stacks the lines of all
the files into one byte matrix with a file index per line and runs every check of the fast path
once over the stack: record order, characters, fields, same employer, keys, ceilings, control
sums, per-file totals (sums by file), duplicates within a file, the expected employees.

It only *accepts*: a file any of these checks does not accept whole is read again by
:func:`~tadamun.formats.ma_bds.read_declaration`, which names its problems. So every result is the
one ``read_declaration(iter_lines(io.BytesIO(data)), ...)`` gives for that file
(``tests/formats/test_ma_bds_many.py`` checks it file by file).
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tadamun.formats import vector
from tadamun.formats.fixed import format_record, iter_lines
from tadamun.formats.layout import Layout, load_layout
from tadamun.formats.ma_bds import (
    _COLUMN_INT,
    _KEEPS_AF,
    _PAYBACK_IS_NET,
    _ZERO_SITUATIONS,
    LAYOUT,
    REGIME,
    DeclarationColumns,
    DeclarationRead,
    DeclarationReader,
    Summary,
    _cin_accepted,
    _period_index,
    ceiling_at,
    read_declaration,
)
from tadamun.registry.identifiers import MA_CASUAL, IdentifierError, validate_ma_affiliate_number
from tadamun.rules.contributions import MAX_BASE, LineBatch, compute
from tadamun.rules.parameters import PackSet

__all__ = ["FileInput", "read_declarations_many"]

#: Lines stacked into one matrix at most (~70 MB at 262 bytes a line); more are read in chunks.
MAX_STACK_LINES = 262_144

I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FileInput:
    """One declaration file: its whole content, and what :func:`read_declaration` would be given
    (``expected_insured``: the pre-filled file's insured numbers; ``affiliate_number``,
    ``period`` AAAAMM: the employer and month it must be for)."""

    data: bytes
    expected_insured: Collection[str] | None = None
    affiliate_number: str | None = None
    period: str | None = None


def read_declarations_many(
    files: Sequence[FileInput],
    *,
    packs: PackSet | None = None,
    max_problems: int | None = 10_000,
) -> list[DeclarationRead]:
    """Read and check many B00–B06 files; one :class:`DeclarationRead` per file, in order, each
    equal to ``read_declaration(iter_lines(io.BytesIO(f.data)), expected_insured=...,
    affiliate_number=..., period=..., packs=packs, max_problems=max_problems)``."""
    results: list[DeclarationRead | None] = [None] * len(files)
    by_size: dict[int, list[int]] = {}
    for i, f in enumerate(files):
        size = f.data.find(b"\n") + 1
        if size in (261, 262) and len(f.data) % size == 0:
            by_size.setdefault(size, []).append(i)
    layout = load_layout(LAYOUT)
    ctx = _Context(layout, packs)
    for size, members in by_size.items():
        chunk: list[int] = []
        lines = 0
        for i in members:
            chunk.append(i)
            lines += len(files[i].data) // size
            if lines >= MAX_STACK_LINES:
                _fast(ctx, [files[j] for j in chunk], chunk, size, results)
                chunk, lines = [], 0
        if chunk:
            _fast(ctx, [files[j] for j in chunk], chunk, size, results)
    out: list[DeclarationRead] = []
    for i, result in enumerate(results):
        if result is None:
            f = files[i]
            result = read_declaration(
                iter_lines(io.BytesIO(f.data)),
                expected_insured=f.expected_insured,
                affiliate_number=f.affiliate_number,
                period=f.period,
                packs=packs,
                max_problems=max_problems,
            )
        out.append(result)
    return out


class _Context:
    """What every chunk shares: the layout's tables, caches of the per-period and per-employer
    answers."""

    def __init__(self, layout: Layout, packs: PackSet | None) -> None:
        self.layout = layout
        self.packs = packs
        self.allowed = "".join(sorted(layout.allowed_characters)).encode("ascii")
        self.ceilings: dict[bytes, int | None] = {}
        self.affiliates: dict[bytes, bool] = {}
        blank = format_record(layout, "B04", {"insured_number": None})
        self.blank_b04 = np.frombuffer(blank, dtype=np.uint8)
        self.rank_table = np.full(65536, -1, dtype=np.int64)
        for code, rank in layout.situations.items():
            self.rank_table[vector.pair_code(code)] = rank

    def ceiling(self, period: bytes) -> int | None:
        if period not in self.ceilings:
            text = period.decode("ascii")
            ok = _period_index(text) is not None
            self.ceilings[period] = ceiling_at(text, self.packs) if ok else None
        return self.ceilings[period]

    def affiliate_ok(self, number: bytes) -> bool:
        if number not in self.affiliates:
            try:
                validate_ma_affiliate_number(number.decode("ascii"), field="affiliate_number")
                self.affiliates[number] = True
            except IdentifierError:
                self.affiliates[number] = False
        return self.affiliates[number]


def _dates_ok(values: vector.U8, begin: int) -> Mask:
    """AAAAMMJJ fields (digits) that are 0 or a real date."""
    year = vector.parse(values, begin, 4)
    month = vector.parse(values, begin + 4, 2)
    day = vector.parse(values, begin + 6, 2)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days_in = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    last = days_in[np.clip(month, 0, 12)] + ((month == 2) & leap)
    real = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    ok: Mask = real | ((year == 0) & (month == 0) & (day == 0))
    return ok


def _numbers(layout: Layout, kind: str, body: vector.U8) -> tuple[Mask, dict[str, I64], vector.U8]:
    """Rows of record ``kind`` whose N fields are digits that fit, and those fields."""
    rec = layout.records[kind]
    values = vector.digits(body)
    numeric = [f for f in rec.fields if f.type == "N"]
    ok = vector.all_digits(values, numeric)
    cols: dict[str, I64] = {}
    for f in numeric:
        cols[f.name], fits = vector.parse_field(values, f)
        ok &= fits
    return ok, cols, values


def _fast(
    ctx: _Context,
    files: Sequence[FileInput],
    positions: Sequence[int],
    size: int,
    results: list[DeclarationRead | None],
) -> None:
    layout = ctx.layout
    length = layout.line_length
    nfiles = len(files)
    counts = np.array([len(f.data) // size for f in files], dtype=np.int64)
    starts = np.zeros(nfiles, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    joined = b"".join(f.data for f in files)
    nrows = len(joined) // size
    matrix = np.frombuffer(joined, dtype=np.uint8).reshape(nrows, size)
    body = matrix[:, :length]
    fid = np.repeat(np.arange(nfiles, dtype=np.int64), counts)
    ending = b"\n" if size == length + 1 else b"\r\n"
    row_ok = np.ones(nrows, dtype=np.bool_)
    for j, byte in enumerate(ending):
        row_ok &= matrix[:, length + j] == byte
    if not row_ok.all() or joined.translate(None, ctx.allowed) != ending * nrows:
        row_ok &= vector.char_table(layout.allowed_characters)[body].all(axis=1)

    # record order: B00 B01 B02+ B03 B04+ B05 B06, nothing else
    kind = np.where(
        (body[:, 0] == ord("B"))
        & (body[:, 1] == ord("0"))
        & (body[:, 2] >= 48)
        & (body[:, 2] <= 54),
        body[:, 2].astype(np.int64) - 48,
        -1,
    )
    row_ok &= kind >= 0
    first = np.zeros(nrows, dtype=np.bool_)
    first[starts] = True
    step = np.diff(kind, prepend=0)
    repeatable = (kind == 2) | (kind == 4)
    row_ok &= np.where(first, kind == 0, (step == 1) | ((step == 0) & repeatable))
    row_ok[starts + counts - 1] &= kind[starts + counts - 1] == 6

    # every record after B00 is for the employer and month of the file's B01
    b01 = np.minimum(starts + 1, nrows - 1)
    ref = body[b01, 3:16]
    row_ok &= (kind == 0) | (body[:, 3:16] == ref[fid]).all(axis=1)

    rows = {k: np.flatnonzero(kind == k) for k in range(7)}
    parsed: dict[int, dict[str, I64]] = {}
    for k, idx in rows.items():
        ok, cols, values = _numbers(layout, f"B0{k}", body[idx])
        parsed[k] = cols
        if k == 0:
            ok &= (body[idx, 17] == ord("B")) & (body[idx, 18] == ord("0"))
        if k == 1:
            rec = layout.records["B01"]
            for name in ("issue_date", "due_date"):
                ok &= _dates_ok(values, rec.field(name).start - 1)
        if k == 4:  # the blank line is checked against the writer's own (below)
            ok |= vector.blank(body[idx], layout.records["B04"].field("insured_number"))
        row_ok[idx] &= ok

    # per file: B01's employer and month, against what was asked; the ceiling of the month
    ceilings = np.full(nfiles, -1, dtype=np.int64)
    file_ok = np.ones(nfiles, dtype=np.bool_)
    header = body[b01]
    affiliates = np.ascontiguousarray(header[:, 3:10]).view("S7")[:, 0].tolist()
    periods = np.ascontiguousarray(header[:, 10:16]).view("S6")[:, 0].tolist()
    for i, f in enumerate(files):
        affiliate, period = affiliates[i], periods[i]
        if not affiliate.isdigit() or not period.isdigit() or not ctx.affiliate_ok(affiliate):
            file_ok[i] = False
            continue
        ceiling = ctx.ceiling(period)
        if ceiling is None:
            file_ok[i] = False
            continue
        ceilings[i] = ceiling
        if f.affiliate_number is not None and affiliate.decode() != f.affiliate_number:
            file_ok[i] = False
        if f.period is not None and period.decode() != f.period:
            file_ok[i] = False

    # B02: the declared employees
    i02 = rows[2]
    c02 = parsed[2]
    f02 = fid[i02]
    b02 = body[i02]
    ok02 = _detail_checks(ctx, "B02", b02, c02, ceilings[f02], casual=None)
    codes = vector.pair_codes(b02, layout.records["B02"].field("situation").start - 1)
    rank = ctx.rank_table[codes]
    ok02 &= rank >= 0
    days, actual, capped = c02["days"], c02["actual_salary"], c02["capped_salary"]
    zero = np.isin(codes, [vector.pair_code(c) for c in _ZERO_SITUATIONS])
    ok02 &= ~zero | ((days == 0) & (actual == 0) & (capped == 0))
    ok02 &= ~((codes == vector.pair_code("")) & (actual == 0))
    payback, net = c02["af_payback"], c02["af_net"]
    is_net = np.isin(codes, [vector.pair_code(c) for c in _PAYBACK_IS_NET])
    ok02 &= np.where(is_net, payback == net, payback <= net)
    ok02 &= (codes != vector.pair_code(_KEEPS_AF)) | (payback == 0)
    ok02 &= _valid_insured(b02, layout, "B02", c02["insured_number"])
    c02["situation_rank"] = np.maximum(rank, 0)
    ok02 &= _control_sum(layout, "B02", c02)
    row_ok[i02] &= ok02

    # B04: the new employees, or the one blank line
    i04_all = rows[4]
    rec04 = layout.records["B04"]
    f_ins = rec04.field("insured_number")
    blank = vector.blank(body[i04_all], f_ins)
    blank_rows = i04_all[blank]
    template_ok = (body[blank_rows][:, 16:] == ctx.blank_b04[16:]).all(axis=1)
    row_ok[blank_rows] &= template_ok
    n04 = np.bincount(fid[i04_all], minlength=nfiles)
    file_ok[fid[blank_rows]] &= n04[fid[blank_rows]] == 1
    i04 = i04_all[~blank]
    c04 = {k: v[~blank] for k, v in parsed[4].items()}
    f04 = fid[i04]
    b04 = body[i04]
    insured04 = c04["insured_number"]
    casual = insured04 == int(MA_CASUAL)
    not_registered = insured04 == 0
    ok04 = _detail_checks(ctx, "B04", b04, c04, ceilings[f04], casual=casual)
    ok04 &= _valid_insured(b04, layout, "B04", insured04) | not_registered | casual
    for name in ("surname", "first_names"):
        ok04 &= casual | ~vector.blank(b04, rec04.field(name))
    f_cin = rec04.field("cin")
    cin_blank = vector.blank(b04, f_cin)
    cin_ok = vector.shape_table(f_cin.length, _cin_accepted)[vector.shapes(b04, f_cin)]
    ok04 &= np.where(cin_blank, ~not_registered, cin_ok)
    ok04 &= ~casual | (c04["days"] == 0)
    ok04 &= _control_sum(layout, "B04", c04)
    row_ok[i04] &= ok04

    # insured numbers: once per file; the expected ones declared in B02, all of them seen
    tracked04 = ~casual & ~not_registered
    seen_f = np.concatenate([f02, f04[tracked04]])
    seen_key = seen_f * 10**9 + np.concatenate([c02["insured_number"], insured04[tracked04]])
    order = np.sort(seen_key)
    dup = order[1:][order[1:] == order[:-1]] // 10**9
    file_ok[dup] = False
    expected_keys: list[int] = []
    for i, f in enumerate(files):
        if f.expected_insured is None:
            continue
        base = i * 10**9
        for number in f.expected_insured:
            if len(number) != 9 or not number.isascii() or not number.isdigit():
                file_ok[i] = False
                break
            expected_keys.append(base + int(number))
    with_expected = np.array([f.expected_insured is not None for f in files], dtype=np.bool_)
    if with_expected.any():
        wanted = np.array(expected_keys, dtype=np.int64)
        file_ok[wanted[~np.isin(wanted, seen_key, kind="sort")] // 10**9] = False
        key02 = seen_key[: len(f02)]
        listed = np.isin(key02, wanted, kind="sort")
        row_ok[i02] &= ~with_expected[f02] | listed

    # totals, by file
    sums = _group_sums(layout, nfiles, f02, c02, f04, c04)
    totals_of: dict[str, dict[str, I64]] = {}
    wrapped_any = np.zeros(nfiles, dtype=np.bool_)
    for rec_name, k in (("B03", 3), ("B05", 5), ("B06", 6)):
        spec = layout.totals[rec_name]
        idx = rows[k]
        f_tot = fid[idx]
        got = parsed[k]
        rec = layout.records[rec_name]
        expected: dict[str, I64] = {"employees": _add(sums, spec.of, "*count", nfiles)}
        checks = [(spec.count, expected["employees"])]
        for total_name, detail in spec.sums.items():
            expected[total_name] = _add(sums, spec.of, detail, nfiles)
            checks.append((total_name, expected[total_name]))
        ok = np.ones(len(idx), dtype=np.bool_)
        for name, want in checks:
            value = want[f_tot]
            if layout.totals_overflow == "modulo":
                digits = rec.field(name).length
                if digits < 19:  # a wider field holds any int64
                    modulus = 10**digits
                    wrapped_any[f_tot[value >= modulus]] = True
                    value = value % modulus
            ok &= got[name] == value
        row_ok[idx] &= ok
        totals_of[rec_name] = expected

    bad_rows = np.bincount(fid[~row_ok], minlength=nfiles)
    file_ok &= bad_rows == 0
    _results(
        ctx,
        files,
        positions,
        results,
        file_ok,
        starts,
        body,
        fid,
        kind,
        parsed,
        c02,
        c04,
        i02,
        i04,
        totals_of,
        wrapped_any,
        affiliates,
        periods,
    )


def _add(sums: dict[str, dict[str, I64]], of: Sequence[str], name: str, nfiles: int) -> I64:
    total = np.zeros(nfiles, dtype=np.int64)
    for detail in of:
        total += sums[detail][name]
    return total


def _detail_checks(
    ctx: _Context,
    kind: str,
    body: vector.U8,
    cols: dict[str, I64],
    ceiling: I64,
    *,
    casual: Mask | None,
) -> Mask:
    """The rules B02 and B04 share: fields, days, plausible salary, capped salary."""
    layout = ctx.layout
    ok = np.ones(body.shape[0], dtype=np.bool_)
    days, actual, capped = cols["days"], cols["actual_salary"], cols["capped_salary"]
    ok &= days <= layout.limits.get("max_days", 26)
    ok &= actual <= MAX_BASE
    normal = capped == np.minimum(actual, ceiling)
    if casual is None:
        ok &= normal
    else:
        ok &= np.where(casual, capped <= actual, normal)
    return ok


def _valid_insured(body: vector.U8, layout: Layout, kind: str, insured: I64) -> Mask:
    start = layout.records[kind].field("insured_number").start - 1
    return DeclarationReader._valid_insured(vector.digits(body), start, insured)


def _control_sum(layout: Layout, kind: str, cols: dict[str, I64]) -> Mask:
    expected = np.zeros(len(cols["control_sum"]), dtype=np.int64)
    for name in layout.control_sums.get(kind, ()):
        expected += cols[name]
    ok: Mask = cols["control_sum"] == expected
    return ok


def _group_sums(
    layout: Layout,
    nfiles: int,
    f02: I64,
    c02: dict[str, I64],
    f04: I64,
    c04: dict[str, I64],
) -> dict[str, dict[str, I64]]:
    """For B02 and B04: the number of lines and the sums of the detail fields, by file."""
    out: dict[str, dict[str, I64]] = {}
    for rec_name, f, cols in (("B02", f02, c02), ("B04", f04, c04)):
        names = {d for s in layout.totals.values() if rec_name in s.of for d in s.sums.values()}
        group: dict[str, I64] = {"*count": np.bincount(f, minlength=nfiles).astype(np.int64)}
        for name in names:
            total = np.zeros(nfiles, dtype=np.int64)
            np.add.at(total, f, cols[name])
            group[name] = total
        out[rec_name] = group
    return out


def _results(
    ctx: _Context,
    files: Sequence[FileInput],
    positions: Sequence[int],
    results: list[DeclarationRead | None],
    file_ok: Mask,
    starts: I64,
    body: vector.U8,
    fid: I64,
    kind: I64,
    parsed: dict[int, dict[str, I64]],
    c02: dict[str, I64],
    c04: dict[str, I64],
    i02: I64,
    i04: I64,
    totals_of: dict[str, dict[str, I64]],
    wrapped_any: Mask,
    affiliates: list[bytes],
    periods: list[bytes],
) -> None:
    """The :class:`DeclarationRead` of every accepted file, columns sliced from the stack."""
    layout = ctx.layout
    if not file_ok.any():
        return
    keep02 = file_ok[fid[i02]]
    keep04 = file_ok[fid[i04]]
    rows = np.concatenate([i02[keep02], i04[keep04]])
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    n02 = int(keep02.sum())
    columns: dict[str, Any] = {
        "line": rows - starts[fid[rows]] + 1,
        "record": np.where(kind[rows] == 2, "B02", "B04").astype("U3"),
    }
    for name in _COLUMN_INT:
        a = c02[name][keep02] if name in c02 else np.zeros(n02, np.int64)
        b = c04[name][keep04] if name in c04 else np.zeros(len(rows) - n02, np.int64)
        columns[name] = np.concatenate([a, b])[order]
    for name in ("surname", "first_names", "cin", "situation"):
        parts = []
        for rec_name, idx in (("B02", i02[keep02]), ("B04", i04[keep04])):
            rec = layout.records[rec_name]
            if name in {f.name for f in rec.fields}:
                parts.append(vector.text_column(body[idx], rec.field(name)))
            else:
                parts.append(np.full(len(idx), "", dtype="U1"))
        columns[name] = np.concatenate(parts)[order]
    detail_file = fid[rows]
    accepted = np.flatnonzero(file_ok)
    bounds = np.searchsorted(detail_file, np.append(accepted, len(files)))

    # contributions: one computation per month, summed by file
    by_file: dict[int, dict[tuple[str, str], int]] = {}
    actual = columns["actual_salary"]
    file_period = np.array([int(p) if p.isdigit() else -1 for p in periods], np.int64)
    for period in np.unique(file_period[accepted]).tolist():
        index = _period_index(f"{period:06d}")
        assert index is not None
        members = accepted[file_period[accepted] == period]
        pick = np.isin(detail_file, members)
        base = actual[pick]
        batch = LineBatch.of_regime(REGIME, base=base, period=np.full(len(base), index, np.int32))
        result = compute(batch, packs=ctx.packs)
        seg_files = detail_file[pick]
        seg_starts = np.flatnonzero(np.diff(seg_files, prepend=-1))
        per = {
            key: np.add.reduceat(arr, seg_starts).tolist() for key, arr in result.amounts.items()
        }
        for j, i in enumerate(seg_files[seg_starts].tolist()):
            by_file[i] = {key: values[j] for key, values in per.items()}

    spec_names = {r: ["employees", *layout.totals[r].sums] for r in ("B03", "B05", "B06")}
    totals_lists = {
        r: {name: totals_of[r][name][accepted].tolist() for name in spec_names[r]}
        for r in spec_names
    }
    for j, i in enumerate(accepted.tolist()):
        part = {k: v[bounds[j] : bounds[j + 1]] for k, v in columns.items()}
        t = {r: {name: totals_lists[r][name][j] for name in spec_names[r]} for r in spec_names}
        b06 = dict(t["B06"])
        b06["total_af_payback"] = t["B03"].get("total_af_payback", 0)
        b06["total_af_net"] = t["B03"].get("total_af_net", 0)
        contributions: dict[str, dict[str, int]] = {}
        by_payer: dict[str, int] = {}
        for (branch, payer), amount in by_file[i].items():
            contributions.setdefault(branch, {})[payer] = amount
            by_payer[payer] = by_payer.get(payer, 0) + amount
        wrapped: list[str] = []
        if wrapped_any[i]:
            wrapped = _wrapped(layout, t)
        summary = Summary(
            affiliate_number=affiliates[i].decode("ascii"),
            period=periods[i].decode("ascii"),
            employees=b06.get("employees", 0),
            declared=t["B03"].get("employees", 0),
            new=t["B05"].get("employees", 0),
            totals=b06,
            contributions=contributions,
            by_payer=by_payer,
            total=sum(by_payer.values()),
            kind="declaration",
            wrapped=tuple(wrapped),
        )
        results[positions[i]] = DeclarationRead(DeclarationColumns(**part), (), 0, summary)


def _wrapped(layout: Layout, totals: dict[str, dict[str, int]]) -> list[str]:
    """The totals carried modulo their field, in the order the line-by-line reader names them."""
    out: list[str] = []
    for rec_name in ("B03", "B05", "B06"):
        spec = layout.totals[rec_name]
        rec = layout.records[rec_name]
        names = [(spec.count, "employees"), *((n, n) for n in spec.sums)]
        for field_name, key in names:
            if totals[rec_name][key] >= 10 ** rec.field(field_name).length:
                out.append(f"{rec_name}.{field_name}")
    return out
