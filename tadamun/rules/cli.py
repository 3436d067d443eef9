"""``tadamun rules …``: the rules library from a terminal, for a fund's legal staff and for vendors.

Amounts are read and written in major units with the currency's decimals (``1000.000`` TND).
Every error is one line naming the value and the rule, with exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from tadamun.rules.contributions import Payslip, payslip
from tadamun.rules.errors import InvalidBase, RulesError
from tadamun.rules.parameters import (
    DatedValue,
    Pack,
    PackSet,
    Parameter,
    load_packs,
    load_packs_from,
)
from tadamun.rules.periods import parse_date, parse_period, period_label

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2, like every other input error."""

    def error(self, message: str) -> Any:  # pragma: no cover - exercised through main()
        self.print_usage(sys.stderr)
        raise SystemExit(f"error: {message}")


def _format_value(param: Parameter, dated: DatedValue, pack: Pack) -> str:
    value = dated.value
    if param.unit == "/1" and isinstance(value, Decimal):
        return f"{(value * 100).normalize():f} %"
    if param.unit == "currency" and isinstance(value, int):
        owner = pack.included.get(param.file.split("/")[0], pack)
        return f"{owner.currency.format(value)} {owner.currency.code}"
    if param.unit == "month-day" and isinstance(value, tuple):
        return f"{value[0]:02d}-{value[1]:02d} (month-day)"
    if param.unit == "multiple" and isinstance(value, Decimal):
        return f"× {value.normalize():f}"
    if param.unit in ("day", "month", "year", "quarter"):
        return f"{value} {param.unit}{'s' if value != 1 else ''}"
    return str(value)


def _json_value(param: Parameter, dated: DatedValue) -> Any:
    value = dated.value
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, tuple):
        return f"{value[0]:02d}-{value[1]:02d}"
    return value


def _packs(args: argparse.Namespace) -> PackSet:
    return load_packs_from(Path(args.packs)) if args.packs else load_packs()


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    packs = _packs(args)
    pack = packs[args.pack]
    when = parse_date(args.at, field="--at")
    rows = pack.in_force(when)
    if args.json:
        json.dump(
            {
                "pack": pack.id,
                "title": dict(pack.title),
                "currency": pack.currency.code,
                "at": when.isoformat(),
                "parameters": [
                    {
                        "path": path,
                        "description": param.description,
                        "unit": param.unit,
                        "value": _json_value(param, dated),
                        "since": dated.start.isoformat(),
                        "status": dated.status,
                        "note": dated.note,
                        "references": [
                            {"title": r.title, "href": r.href} for r in dated.references
                        ],
                        "file": param.file,
                    }
                    for path, param, dated in rows
                ],
            },
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return EXIT_OK
    out.write(f"{pack.id} — {pack.title['en']} / {pack.title['fr']}\n")
    out.write(f"Parameters in force on {when.isoformat()} ({len(rows)}):\n\n")
    for path, param, dated in rows:
        out.write(f"{path}\n")
        out.write(f"    {param.description}\n")
        out.write(
            f"    {_format_value(param, dated, pack)}  since {dated.start.isoformat()}"
            f"  [status {dated.status}]\n"
        )
        for ref in dated.references:
            out.write(f"    source: {ref.title} <{ref.href}>\n")
        if dated.note:
            out.write(f"    note: {dated.note}\n")
    return EXIT_OK


def _payslip_json(slip: Payslip) -> dict[str, Any]:
    cur = slip.currency
    return {
        "regime": slip.regime,
        "currency": cur.code,
        "period": period_label(slip.period),
        "declared_base": cur.format(slip.declared_base),
        "variant": slip.variant,
        "activity_class": slip.activity_class,
        "lines": [
            {
                "branch": line.branch,
                "label": dict(line.label),
                "payer": line.payer,
                "base": cur.format(line.base),
                "rate": f"{line.rate.normalize():f}" if line.rate is not None else None,
                "amount": cur.format(line.amount),
                "amount_minor": line.amount,
                "references": list(line.references),
            }
            for line in slip.lines
        ],
        "totals": {payer: cur.format(slip.total(payer)) for payer in slip.payers()},
        "total": cur.format(slip.total()),
        "total_minor": slip.total(),
    }


def cmd_compute(args: argparse.Namespace, out: TextIO) -> int:
    packs = _packs(args)
    pack = packs.regime(args.pack)
    base = pack.currency.parse(args.base, field="--base")
    if base < 0:
        raise InvalidBase(f"--base: {args.base} is negative; a declared base is zero or more")
    period = parse_period(args.period, field="--period")
    slip = payslip(
        pack.id,
        base=base,
        period=period,
        activity_class=args.activity_class,
        variant=args.variant,
        packs=packs,
    )
    if args.json:
        json.dump(_payslip_json(slip), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    cur = pack.currency
    width = max(len(cur.format(slip.declared_base)), 12)
    label_width = max([len(line.label["en"]) for line in slip.lines] + [20]) + 2
    out.write(f"{pack.title['en']} ({pack.id}) — period {period_label(period)}\n")
    out.write(f"Declared base: {cur.format(base)} {cur.code}")
    if pack.base_months != 1:
        out.write(f" (covers {pack.base_months} months)")
    out.write("\n")
    if args.variant:
        out.write(f"Variant: {args.variant} — {pack.variants[args.variant].description['en']}\n")
    out.write("\n")
    header = (
        f"{'Branch':<{label_width}}{'Payer':<14}{'Base':>{width}}  {'Rate':>9}  "
        f"{'Amount':>{width}}\n"
    )
    out.write(header)
    out.write("-" * (len(header) - 1) + "\n")
    for line in slip.lines:
        rate = f"{(line.rate * 100).normalize():f}%" if line.rate is not None else "flat"
        out.write(
            f"{line.label['en']:<{label_width}}{line.payer:<14}{cur.format(line.base):>{width}}  "
            f"{rate:>9}  {cur.format(line.amount):>{width}}\n"
        )
    out.write("-" * (len(header) - 1) + "\n")
    for payer in slip.payers():
        out.write(
            f"{'Total ' + payer:<48}{'':>{width}}  {'':>9}  "
            f"{cur.format(slip.total(payer)):>{width}}\n"
        )
    out.write(
        f"{'Total':<48}{'':>{width}}  {'':>9}  {cur.format(slip.total()):>{width}} {cur.code}\n"
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    packs = _packs(args)
    summary = []
    for pack_id in sorted(packs):
        pack = packs[pack_id]
        values = sum(len(p.values) for p in pack.parameters.values())
        uncertain = sum(
            1 for p in pack.parameters.values() for v in p.values if v.status in ("C", "U")
        )
        summary.append(
            {
                "pack": pack_id,
                "kind": pack.kind,
                "parameters": len(pack.parameters),
                "values": values,
                "conflicting_or_unconfirmed": uncertain,
                "first_date": pack.first_date.isoformat() if pack.kind == "regime" else None,
            }
        )
    if args.json:
        json.dump({"valid": True, "packs": summary}, out, indent=2)
        out.write("\n")
        return EXIT_OK
    for row in summary:
        first = f", contributions from {row['first_date']}" if row["first_date"] else ""
        out.write(
            f"ok  {row['pack']:<14} {row['kind']:<7} {row['parameters']:>3} parameters, "
            f"{row['values']:>3} dated values ({row['conflicting_or_unconfirmed']} C/U){first}\n"
        )
    out.write(f"{len(summary)} packs valid\n")
    return EXIT_OK


def cmd_pension(args: argparse.Namespace, out: TextIO) -> int:
    from tadamun.rules import pensions

    packs = _packs(args)
    pack = packs.regime(args.pack)
    history = pensions.read_history(Path(args.history), currency=pack.currency)
    start = parse_date(args.start, field="--start") if args.start else None
    result = pensions.estimate(pack, history, start=start)
    if args.json:
        json.dump(result.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(result.to_text())
    return EXIT_OK


def cmd_penalty(args: argparse.Namespace, out: TextIO) -> int:
    from tadamun.rules import penalties

    packs = _packs(args)
    pack = packs.regime(args.pack)
    amount = pack.currency.parse(args.amount, field="--amount")
    result = penalties.late_payment(
        pack,
        amount=amount,
        due=parse_date(args.due, field="--due"),
        paid=parse_date(args.paid, field="--paid"),
        declared=not args.not_declared,
        branch=args.branch,
    )
    if args.json:
        json.dump(result.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(result.to_text())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tadamun rules", description="Contribution, penalty and pension rules.")
    parser.add_argument("--packs", help=argparse.SUPPRESS)  # another packs folder (tests, drafts)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    show = sub.add_parser("show", help="parameters in force on a date, with their references")
    show.add_argument("pack")
    show.add_argument("--at", required=True, metavar="YYYY-MM-DD")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    compute = sub.add_parser("compute", help="a payslip-style breakdown of one declared base")
    compute.add_argument("pack")
    compute.add_argument(
        "--base", required=True, metavar="AMOUNT", help="major units, e.g. 1000.000"
    )
    compute.add_argument("--period", required=True, metavar="YYYY-MM")
    compute.add_argument("--class", dest="activity_class", metavar="C", help="work-accident class")
    compute.add_argument("--variant", help="an alternative reading the pack documents")
    compute.add_argument("--json", action="store_true")
    compute.set_defaults(func=cmd_compute)

    pension = sub.add_parser("pension", help="a pension estimate from a career history file")
    pension.add_argument("pack")
    pension.add_argument("--history", required=True, metavar="FILE", help="YAML or JSON")
    pension.add_argument(
        "--start", metavar="YYYY-MM-DD", help="pension start (default: eligibility)"
    )
    pension.add_argument("--json", action="store_true")
    pension.set_defaults(func=cmd_pension)

    penalty = sub.add_parser("penalty", help="the late-payment penalty on an amount")
    penalty.add_argument("pack")
    penalty.add_argument("--amount", required=True, metavar="AMOUNT")
    penalty.add_argument("--due", required=True, metavar="YYYY-MM-DD")
    penalty.add_argument("--paid", required=True, metavar="YYYY-MM-DD")
    penalty.add_argument("--not-declared", action="store_true", help="wages were not declared")
    penalty.add_argument("--branch", help="a branch with its own schedule (e.g. amo)")
    penalty.add_argument("--json", action="store_true")
    penalty.set_defaults(func=cmd_penalty)

    check = sub.add_parser("check", help="validate every parameter pack")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return EXIT_USAGE
        return int(exc.code or 0)
    try:
        return int(args.func(args, out))
    except RulesError as exc:
        if getattr(args, "json", False):
            json.dump({"error": type(exc).__name__, "message": str(exc)}, out, ensure_ascii=False)
            out.write("\n")
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE if args.command != "check" else EXIT_INVALID
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line, not a traceback, and a distinct exit status
        print(f"internal error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return EXIT_INTERNAL
