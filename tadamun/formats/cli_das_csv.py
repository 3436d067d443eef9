"""``tadamun declarations check`` for Algeria's DAS (``--format dz-das``) and the CSV template
(``--format csv``): their options, how their files are opened, and their summaries as text.

The DAS is two files: ``check HEADER DETAIL --format dz-das`` (``D{YY}E{n}.TXT`` then
``D{YY}S{n}.TXT``), or ``check ARCHIVE.zip --format dz-das`` with a zip holding exactly those two
(any folder; names matched case-insensitively). A zip member larger than
:data:`MAX_MEMBER_BYTES`, or expanding more than :data:`MAX_RATIO` times, is refused before it is
read (a zip bomb); the members are then read as streams, never whole.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import BinaryIO, cast

from tadamun.formats.csv_template import CSV_REGIMES, CSVCheckResult, CSVSummary, check_csv
from tadamun.formats.dz_das import (
    LAYOUT,
    WIDE_LAYOUT,
    DASCheckResult,
    DASSummary,
    check_das,
    read_expected_nss,
)
from tadamun.formats.fixed import iter_lines
from tadamun.formats.layout import load_layout
from tadamun.rules.errors import RulesError
from tadamun.rules.money import Currency

FORMAT_HELP = (
    "ma-bds: Morocco CNSS B00-B06; tn-ds: Tunisia CNSS DS; dz-das: Algeria CNAS DAS (HEADER "
    "DETAIL, or one zip holding both); csv: the CSV template (needs --regime)"
)
MAX_MEMBER_BYTES = 1 << 30
MAX_RATIO = 200
_HEADER_NAME = re.compile(r"D[0-9]{2}E[0-9]+\.TXT", re.IGNORECASE)
_DETAIL_NAME = re.compile(r"D[0-9]{2}S[0-9]+\.TXT", re.IGNORECASE)


class UsageError(Exception):
    """A usage error of these formats (exit status 2)."""


def add_options(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "detail",
        nargs="?",
        help="dz-das: the employees file D{YY}S{n}.TXT, FILE being the header D{YY}E{n}.TXT "
        "(or FILE alone: a zip holding both)",
    )
    check.add_argument(
        "--layout",
        choices=(LAYOUT, WIDE_LAYOUT),
        default=LAYOUT,
        help="dz-das: the layout version (v2: quarterly salaries above 99,999.99 DZD)",
    )
    check.add_argument(
        "--regime", choices=sorted(CSV_REGIMES), help="csv: the rules the file is declared under"
    )


def _expected(path: str | None) -> set[str] | None:
    if not path:
        return None
    with open(path, "rb") as stream:
        return read_expected_nss(iter_lines(stream))


@contextlib.contextmanager
def das_zip(path: str) -> Iterator[tuple[Iterable[bytes], Iterable[bytes]]]:
    """The header and employees lines of a zip holding one ``D{YY}E{n}.TXT`` and one
    ``D{YY}S{n}.TXT``. Raises UsageError for any other archive, or one that would expand too
    much."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UsageError(f"tadamun declarations check: {path} is not a zip archive") from None
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        header = [i for i in members if _HEADER_NAME.fullmatch(PurePosixPath(i.filename).name)]
        detail = [i for i in members if _DETAIL_NAME.fullmatch(PurePosixPath(i.filename).name)]
        if len(header) != 1 or len(detail) != 1:
            raise UsageError(
                f"tadamun declarations check: {path} must hold one D{{YY}}E{{n}}.TXT and one "
                f"D{{YY}}S{{n}}.TXT (found {len(header)} and {len(detail)})"
            )
        for info in (header[0], detail[0]):
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_MEMBER_BYTES or ratio > MAX_RATIO:
                raise UsageError(
                    f"tadamun declarations check: {info.filename} would expand to "
                    f"{info.file_size} bytes ({ratio:.0f} times): refused"
                )
        with archive.open(header[0]) as h, archive.open(detail[0]) as d:
            yield iter_lines(cast(BinaryIO, h)), iter_lines(cast(BinaryIO, d))


def _check_das(args: argparse.Namespace) -> DASCheckResult:
    layout = load_layout(args.layout)
    expected = _expected(args.expected)

    def run(header: Iterable[bytes], detail: Iterable[bytes]) -> DASCheckResult:
        return check_das(
            header,
            detail,
            employer_number=args.employer,
            year=args.year,
            expected_nss=expected,
            layout=layout,
        )

    if args.detail is None:
        with das_zip(args.file) as (header, detail):
            return run(header, detail)
    with open(args.file, "rb") as h, open(args.detail, "rb") as d:
        return run(iter_lines(h), iter_lines(d))


def _check_csv(args: argparse.Namespace) -> CSVCheckResult:
    if not args.regime:
        raise UsageError("tadamun declarations check: --format csv needs --regime")
    if args.detail is not None:
        raise UsageError("tadamun declarations check: csv takes one file")
    expected = _expected(args.expected)
    stream: BinaryIO
    with open(args.file, "rb") as stream:
        return check_csv(
            iter_lines(stream),
            regime=args.regime,
            activity_class=args.activity_class,
            employer_number=args.employer,
            period=args.period,
            expected_insured=expected,
        )


def check_extra(args: argparse.Namespace) -> DASCheckResult | CSVCheckResult:
    """Check the file(s) named in ``args`` as ``dz-das`` or ``csv``."""
    try:
        return _check_das(args) if args.format == "dz-das" else _check_csv(args)
    except OSError as exc:
        raise UsageError(
            f"tadamun declarations check: cannot read {exc.filename or args.file}: {exc.strerror}"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise UsageError(f"tadamun declarations check: {args.file}: broken zip ({exc})") from None
    except RulesError as exc:
        raise UsageError(f"tadamun declarations check: {exc}") from None


def _amounts(currency: str, contributions: dict[str, dict[str, int]]) -> list[str]:
    money = Currency.of(currency)
    lines = []
    for branch, payers in contributions.items():
        parts = ", ".join(f"{payer} {money.format(amount)}" for payer, amount in payers.items())
        lines.append(f"  {branch}: {parts}")
    return lines


def extra_summary(summary: object) -> list[str] | None:
    """The text summary of a DAS or CSV file (None for another format's)."""
    if isinstance(summary, DASSummary):
        money = Currency.of(summary.currency)
        quarters = ", ".join(
            f"Q{q} {money.format(t)}" for q, t in enumerate(summary.quarter_totals, start=1)
        )
        head = [
            f"accepted: employer {summary.employer_number}, year {summary.year} "
            f"({summary.declaration_type}), {summary.employees} employees",
            f"  salaries {quarters}; annual {money.format(summary.annual_total)} DZD",
        ]
    elif isinstance(summary, CSVSummary):
        money = Currency.of(summary.currency)
        head = [
            f"accepted: {summary.regime}, employer {summary.employer_number}, period "
            f"{summary.period}, {summary.employees} employees",
            f"  total gross wage {money.format(summary.total_wage)} {summary.currency}, "
            f"days {summary.total_days}",
        ]
    else:
        return None
    parts = ", ".join(f"{p} {money.format(a)}" for p, a in summary.by_payer.items())
    contributions = {b: dict(p) for b, p in summary.contributions.items()}
    return [
        *head,
        *_amounts(summary.currency, contributions),
        f"  contributions: {parts}; total {money.format(summary.total)} {summary.currency}",
    ]
