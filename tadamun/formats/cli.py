"""``tadamun declarations check FILE``: the validator payroll-software vendors run before sending.

Exit status: 0 when the file would be accepted (with its summary), 1 with the list of problems
(line, field, code, message in ``--lang``), 2 for a usage error (unknown option, unreadable file).
Never a traceback. No Django: this runs from the pure ``tadamun.formats`` library.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from tadamun.formats.cli_das_csv import (
    FORMAT_HELP,
    UsageError,
    add_options,
    check_extra,
    extra_summary,
)
from tadamun.formats.ma_bds import (
    CheckResult,
    Summary,
    check_declaration,
    iter_lines,
    read_expected_insured,
)
from tadamun.formats.tn_ds import DSCheckResult, DSSummary, check_ds
from tadamun.rules.errors import RulesError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
FORMATS = ("ma-bds", "tn-ds", "dz-das", "csv", "ma-bds-e")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message, file=sys.stderr, end="")
        raise SystemExit(status)


def _parser() -> _Parser:
    parser = _Parser(prog="tadamun declarations", description="Declaration files.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser(
        "check",
        help="check a declaration file as the fund would, without sending it",
        description="Check a declaration file: exit 0 and its summary when it would be "
        "accepted, 1 and every problem otherwise.",
    )
    check.add_argument("file", help="the declaration file (Morocco: DS_<affiliate>_<period>.txt)")
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="ma-bds",
        help=f"{FORMAT_HELP}; ma-bds-e: Morocco CNSS supplementary declaration E00-E06",
    )
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.add_argument("--lang", choices=("fr", "ar", "en"), default="en")
    check.add_argument("--expected", help="the pre-filled file (A00–A03): its A02 employees")
    check.add_argument("--affiliate", help="the affiliate number the file must be for")
    check.add_argument("--period", help="the period AAAAMM the file must be for")
    check.add_argument(
        "--class",
        dest="activity_class",
        help="tn-ds: the employer's work-accident activity class (required)",
    )
    check.add_argument("--employer", help="tn-ds: the employer number the file must be for")
    check.add_argument("--quarter", type=int, help="tn-ds: the quarter (1-4) the file must be for")
    check.add_argument("--year", type=int, help="tn-ds: the year the file must be for")
    add_options(check)
    return parser


def _money(centimes: int) -> str:
    sign = "-" if centimes < 0 else ""
    major, minor = divmod(abs(centimes), 100)
    return f"{sign}{major}.{minor:02d}"


def _print_summary(summary: Summary, out: TextIO) -> None:
    print(
        f"accepted: affiliate {summary.affiliate_number}, period {summary.period}, "
        f"{summary.employees} employees ({summary.declared} declared, {summary.new} new)",
        file=out,
    )
    t = summary.totals
    print(
        f"  total actual salary {_money(t.get('total_actual_salary', 0))} {summary.currency}, "
        f"capped {_money(t.get('total_capped_salary', 0))}, days {t.get('total_days', 0)}",
        file=out,
    )
    for branch, payers in summary.contributions.items():
        parts = ", ".join(f"{payer} {_money(amount)}" for payer, amount in payers.items())
        print(f"  {branch}: {parts}", file=out)
    parts = ", ".join(f"{payer} {_money(amount)}" for payer, amount in summary.by_payer.items())
    print(f"  contributions: {parts}; total {_money(summary.total)} {summary.currency}", file=out)
    if summary.wrapped:
        print(f"  note: carried modulo their field's size: {', '.join(summary.wrapped)}", file=out)


def _print_ds_summary(summary: DSSummary, out: TextIO) -> None:
    print(
        f"accepted: employer {summary.employer_number}, code {summary.exploitation_code}, "
        f"quarter {summary.quarter}/{summary.year}, {summary.employees} employees",
        file=out,
    )
    print(f"  total salary {_tnd(summary.total_salary)} {summary.currency}", file=out)
    for branch, payers in summary.contributions.items():
        parts = ", ".join(f"{payer} {_tnd(amount)}" for payer, amount in payers.items())
        print(f"  {branch}: {parts}", file=out)
    parts = ", ".join(f"{payer} {_tnd(amount)}" for payer, amount in summary.by_payer.items())
    print(f"  contributions: {parts}; total {_tnd(summary.total)} {summary.currency}", file=out)


def _tnd(millimes: int) -> str:
    sign = "-" if millimes < 0 else ""
    major, minor = divmod(abs(millimes), 1000)
    return f"{sign}{major}.{minor:03d}"


def _check_tn(args: argparse.Namespace) -> DSCheckResult:
    if not args.activity_class:
        raise _UsageError("tadamun declarations check: --format tn-ds needs --class")
    try:
        with open(args.file, "rb") as stream:
            return check_ds(
                iter_lines(stream),
                activity_class=args.activity_class,
                employer_number=args.employer,
                quarter=args.quarter,
                year=args.year,
            )
    except RulesError as exc:
        raise _UsageError(f"tadamun declarations check: {exc}") from None


def _check(args: argparse.Namespace, out: TextIO) -> int:
    expected = None
    result: CheckResult | DSCheckResult
    try:
        if args.format in ("dz-das", "csv"):
            return _output(args, check_extra(args), out)
        if args.detail:
            raise _UsageError(f"tadamun declarations check: {args.format} takes one file")
        if args.format == "tn-ds":
            result = _check_tn(args)
            return _output(args, result, out)
        if args.expected:
            with open(args.expected, "rb") as prefilled:
                expected = read_expected_insured(iter_lines(prefilled))
        with open(args.file, "rb") as stream:
            result = check_declaration(
                iter_lines(stream),
                expected_insured=expected,
                affiliate_number=args.affiliate,
                period=args.period,
                kind="supplementary" if args.format == "ma-bds-e" else "declaration",
            )
    except OSError as exc:
        raise _UsageError(
            f"tadamun declarations check: cannot read {exc.filename}: {exc.strerror}"
        ) from None
    return _output(args, result, out)


def _output(args: argparse.Namespace, result: Any, out: TextIO) -> int:
    if args.json:
        payload: dict[str, Any] = {
            "file": args.file,
            "format": args.format,
            "accepted": result.accepted,
            "problem_count": result.problem_count,
            "problems": [p.as_dict(args.lang) for p in result.problems],
            "summary": result.summary.as_dict() if result.summary else None,
        }
        json.dump(payload, out, ensure_ascii=False, indent=2)
        print(file=out)
    elif (lines := extra_summary(result.summary)) is not None:
        print("\n".join(lines), file=out)
    elif isinstance(result.summary, DSSummary):
        _print_ds_summary(result.summary, out)
    elif result.summary is not None:
        _print_summary(result.summary, out)
    else:
        print(f"rejected: {result.problem_count} problem(s)", file=out)
        for p in result.problems:
            print(f"line {p.line}, {p.field} [{p.code}]: {p.message(args.lang)}", file=out)
    return EXIT_OK if result.accepted else EXIT_INVALID


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        return _check(args, out)
    except (_UsageError, UsageError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
