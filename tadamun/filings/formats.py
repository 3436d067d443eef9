"""The declaration file formats each fund takes, a first look at an upload (whose file is it?),
and the pre-filled file of a period (what the fund expects, for the employer's software).

Morocco: the BDS (B00–B06, pre-filled A00–A03); Tunisia: the quarterly DS; every fund: the CSV
template (``insured_number,days,wage,situation``). Algeria's DAS is annual and comes as a pair of
files: it is not taken here yet (see README).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import filetype

from tadamun.declarations.selectors import declaration_prefill
from tadamun.errors import Problem
from tadamun.filings.problems import problem
from tadamun.filings.readers import CSV_HEADER
from tadamun.formats import ma_bds, tn_ds
from tadamun.formats.csv_template import CSV_REGIMES, CSVRow, write_csv
from tadamun.funds import Period, Periodicity, get_fund
from tadamun.registry.models import Employer

#: Every format the platform reads, with its name in the three languages.
FORMATS: dict[str, dict[str, str]] = {
    "ma-bds": {
        "fr": "CNSS Maroc — bordereau de déclaration des salaires (BDS, B00–B06)",
        "ar": "الضمان الاجتماعي المغرب — التصريح بالأجور (BDS، B00–B06)",
        "en": "CNSS Morocco — salary declaration file (BDS, B00–B06)",
    },
    "tn-ds": {
        "fr": "CNSS Tunisie — déclaration trimestrielle des salaires (DS)",
        "ar": "الصندوق الوطني للضمان الاجتماعي تونس — التصريح الثلاثي بالأجور (DS)",
        "en": "CNSS Tunisia — quarterly salary declaration (DS)",
    },
    "csv": {
        "fr": "Modèle CSV de la plateforme (docs/csv-template.md)",
        "ar": "نموذج CSV الخاص بالمنصة (docs/csv-template.md)",
        "en": "The platform's CSV template (docs/csv-template.md)",
    },
}

_BY_FUND: dict[str, tuple[str, ...]] = {
    "ma-cnss": ("ma-bds", "csv"),
    "tn-cnss": ("tn-ds", "csv"),
}


def formats_for(fund: str) -> tuple[str, ...]:
    """The formats an employer of ``fund`` may send."""
    return _BY_FUND.get(fund, ("csv",))


_TEXT_KINDS = {"text/plain", "text/csv"}
_PLAIN = re.compile(rb"[\x20-\x7e\r\n\t]*")


def sniff(fmt: str, head: bytes, *, employer: Employer, period: Period) -> list[Problem]:
    """What the first bytes already show: not a text file at all, or a file of another
    employer or period (the reader says it again, line by line, when processing)."""
    # Plain ASCII text cannot be a binary format: the magic-bytes guess (a hundred matchers) is
    # only needed otherwise — it is most of the cost of taking in a national month's files.
    if not _PLAIN.fullmatch(head):
        kind = filetype.guess(head)
        if kind is not None and kind.mime not in _TEXT_KINDS:
            return [problem("file", "not_text", kind=kind.mime)]
    if b"\x00" in head:
        return [problem("file", "not_text", kind="binary")]
    lines = head.splitlines()
    if fmt == "ma-bds":
        b01 = next((line for line in lines if line.startswith(b"B01") and len(line) >= 16), None)
        if b01 is not None:
            affiliate = b01[3:10].decode("latin-1")
            month = b01[10:16].decode("latin-1")
            wanted = f"{period.start.year:04d}{period.start.month:02d}"
            if affiliate.isdigit() and affiliate != employer.affiliate_number:
                return [
                    problem(
                        "file",
                        "other_employer",
                        value=affiliate,
                        expected=employer.affiliate_number,
                    )
                ]
            if month.isdigit() and month != wanted:
                return [problem("file", "other_period", value=month, expected=wanted)]
    elif fmt == "tn-ds" and lines and len(lines[0]) >= 19:
        first = lines[0].decode("latin-1")
        number, quarter, year = first[:10], first[14:15], first[15:19]
        wanted = f"{(period.start.month - 1) // 3 + 1}/{period.start.year:04d}"
        if number.isdigit() and number != employer.affiliate_number:
            return [
                problem("file", "other_employer", value=number, expected=employer.affiliate_number)
            ]
        if quarter.isdigit() and year.isdigit() and f"{quarter}/{year}" != wanted:
            return [problem("file", "other_period", value=f"{quarter}/{year}", expected=wanted)]
    return []


# --- the pre-filled file -------------------------------------------------------------------------

_NOT_ALLOWED = re.compile(r"[^A-Z0-9 ]")


def _plain(text: str, length: int) -> str:
    """Upper case A–Z, 0–9 and spaces only (the fixed-width layouts' alphabet), cut to fit."""
    return _NOT_ALLOWED.sub(" ", tn_ds.plain_upper(text))[:length].rstrip()


@dataclass(frozen=True)
class Prefilled:
    filename: str
    content_type: str
    lines: Iterator[bytes]


def prefilled_file(*, employer: Employer, period: Period, fmt: str) -> Prefilled:
    """The file of ``period`` pre-filled with the employees the fund expects (and their last
    declared days and wages where the format has them), in ``fmt``."""
    expected = declaration_prefill(employer=employer, period=period)
    fund = get_fund(employer.fund)
    if fmt == "ma-bds":
        month = f"{period.start.year:04d}{period.start.month:02d}"
        due = fund.due_date(period)
        head = ma_bds.Employer(
            affiliate_number=employer.affiliate_number,
            period=month,
            company_name=_plain(employer.name_latin, 40),
            agency_code=_plain(employer.agency.code, 2) if employer.agency_id else "",
            due_date=due.strftime("%Y%m%d"),
        )
        people = [
            ma_bds.ExpectedEmployee(
                insured_number=e.ssn,
                surname=_plain(e.surname_latin, 30),
                first_names=_plain(e.first_names_latin, 30),
            )
            for e in expected
        ]
        return Prefilled(
            f"AFFEBDS_{employer.affiliate_number}_{month}.txt",
            "text/plain; charset=us-ascii",
            ma_bds.write_prefilled(head, people),
        )
    if fmt == "tn-ds":
        quarter = (period.start.month - 1) // 3 + 1
        code = "0000"
        staff = [
            tn_ds.DSEmployee(
                insured_number=e.ssn,
                name=_plain(f"{e.surname_latin} {e.first_names_latin}", 60),
                salary=e.wage or 0,
            )
            for e in expected
        ]
        return Prefilled(
            f"DS{employer.affiliate_number}{code}.{quarter}{period.start.year:04d}",
            "text/plain; charset=us-ascii",
            tn_ds.write_ds(employer.affiliate_number, code, quarter, period.start.year, staff),
        )
    currency = fund.currency
    if period.periodicity is Periodicity.MONTHLY and fund.employer_regime in CSV_REGIMES:
        rows_ = [
            CSVRow(
                period=period.label,
                employer_number=employer.affiliate_number,
                insured_number=e.ssn,
                surname=e.surname_latin,
                first_names=e.first_names_latin,
                days=e.days,
                gross_wage=e.wage or 0,
                situation=e.situation,
            )
            for e in expected
        ]
        return Prefilled(
            f"declaration_{employer.affiliate_number}_{period.label}.csv",
            "text/csv; charset=utf-8",
            write_csv(rows_, currency=fund.currency_code),
        )

    def rows() -> Iterator[bytes]:
        yield (",".join(CSV_HEADER) + "\r\n").encode()
        for e in expected:
            wage = currency.format(e.wage).replace(",", "") if e.wage is not None else ""
            yield f"{e.ssn},{e.days},{wage},{e.situation}\r\n".encode()

    label = period.label
    return Prefilled(
        f"declaration_{employer.affiliate_number}_{label}.csv", "text/csv; charset=utf-8", rows()
    )
