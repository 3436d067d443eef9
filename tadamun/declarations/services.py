"""Writes of the declarations: validate, preview and submit, keyword-only, all or nothing.

``declaration_submit`` validates every line first (each refusal names the line, the insured
number and the field, in fr/ar/en) and writes nothing when anything is wrong. Then, in one
transaction, it writes the declaration, its lines (``bulk_create``), its contributions per branch
and payer, an immatriculation request per new hire without a number, and posts the dues to the
ledger. The submission token makes it idempotent: the same token returns the declaration it
already made, also when two requests race (the unique constraint decides, the loser reads the
winner's declaration).
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from django.db import IntegrityError, transaction
from django.utils import timezone

from tadamun.declarations.fundrules import (
    ZERO_LINE_SITUATIONS,
    ZERO_WAGE_SITUATIONS,
    rules_for,
)
from tadamun.declarations.lines import LineColumns, lines_write
from tadamun.declarations.lines import Method as LinesMethod
from tadamun.declarations.models import (
    Declaration,
    DeclarationContribution,
    DeclarationLine,
    ImmatriculationRequest,
    Kind,
    Status,
)
from tadamun.declarations.problems import line_problem
from tadamun.errors import InvalidInput, Problem
from tadamun.funds import FundProfile, Period, Periodicity, get_fund
from tadamun.numbering.services import number_next
from tadamun.registry.models import Employer, InsuredPerson
from tadamun.registry.selectors import employer_workforce
from tadamun.registry.validation import Checker
from tadamun.rules.contributions import LineBatch, compute
from tadamun.rules.errors import InvalidAmount
from tadamun.rules.money import Currency
from tadamun.rules.periods import month_index

if TYPE_CHECKING:
    from tadamun.accounts.models import User

BATCH_SIZE = 1000
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
_INT_RE = re.compile(r"^[0-9]+$")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _ledger() -> ModuleType:
    """The ledger's services (looked up at call time, so a test can make it fail)."""
    return importlib.import_module("tadamun.ledger.services")


# --- input and clean lines -----------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One line as typed: an expected employee (``insured_id``, the form's hidden field) or a new
    hire (no ``insured_id``: an ``ssn`` if the person has one, else names and birth date).

    ``wage`` is text in major units as typed (``"4500.00"``, ``"4500,5"``); ``wage_minor`` (an
    integer of minor units) takes precedence when given, for callers that already have one.
    """

    insured_id: int | str | None = None
    days: int | str = ""
    wage: str | Decimal = ""
    wage_minor: int | None = None
    situation: str = ""
    ssn: str = ""
    surname_latin: str = ""
    first_names_latin: str = ""
    surname_arabic: str = ""
    first_names_arabic: str = ""
    national_id: str = ""
    birth_date: str | dt.date | None = None

    @property
    def is_new_hire(self) -> bool:
        return self.insured_id in (None, "")


@dataclass
class CleanLine:
    row: int
    insured_id: int | None
    ssn: str
    surname_latin: str
    first_names_latin: str
    surname_arabic: str = ""
    first_names_arabic: str = ""
    national_id: str = ""
    birth_date: dt.date | None = None
    new_hire: bool = False
    days: int = 0
    wage: int = 0
    situation: str = ""


@dataclass
class _Checked:
    lines: list[CleanLine]
    problems: list[Problem]


def _prefixed(p: Problem, row: int, ssn: str) -> Problem:
    """A registry problem (``national_id``, ``birth_date``…) moved onto line ``row``."""
    who = f" ({ssn})" if ssn else ""
    heads = {
        "fr": f"Ligne {row}{who} — ",
        "ar": f"السطر {row}{who} — ",
        "en": f"Line {row}{who} — ",
    }
    texts = {lang: heads.get(lang, heads["en"]) + text for lang, text in p.texts.items()}
    params = {**p.params, "row": str(row), "ssn": ssn}
    return Problem(field=f"lines.{row}.{p.field}", code=p.code, texts=texts, params=params)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _parse_days(raw: object, row: int, ssn: str, limit: int, out: list[Problem]) -> int:
    if isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, int):
        value = raw
    else:
        text = _text(raw).translate(_DIGITS)
        if not text:
            out.append(line_problem(row, ssn, "days", "required"))
            return 0
        if text.startswith("-") and _INT_RE.match(text[1:]):
            value = -int(text[1:])
        elif not _INT_RE.match(text):
            out.append(line_problem(row, ssn, "days", "not_a_number", value=text[:20]))
            return 0
        else:
            value = int(text)
    if not 0 <= value <= limit:
        out.append(line_problem(row, ssn, "days", "days_range", max=limit, value=value))
    return value


def _parse_wage(
    line: LineInput, row: int, ssn: str, currency: Currency, bound: int, out: list[Problem]
) -> int:
    if line.wage_minor is not None and not isinstance(line.wage_minor, bool):
        value = int(line.wage_minor)
        shown = currency.format(value)
    else:
        text = _text(line.wage).replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if not text:
            out.append(line_problem(row, ssn, "wage", "required"))
            return 0
        try:
            value = currency.parse(text, field="wage")
        except InvalidAmount:
            out.append(
                line_problem(
                    row,
                    ssn,
                    "wage",
                    "not_an_amount",
                    value=text[:20],
                    currency=currency.code,
                    decimals=currency.decimals,
                )
            )
            return 0
        shown = text
    if value < 0:
        out.append(line_problem(row, ssn, "wage", "negative", value=shown))
    elif value > bound:
        out.append(
            line_problem(
                row, ssn, "wage", "absurd", value=shown, max=bound // currency.minor_per_major
            )
        )
    return value


def _check_situation(
    raw: str, days: int, wage: int, row: int, ssn: str, allowed: Sequence[str], out: list[Problem]
) -> str:
    code = _text(raw).upper()
    if code not in allowed:
        choices = ", ".join(c or "—" for c in allowed)
        out.append(
            line_problem(
                row, ssn, "situation", "unknown_situation", value=code[:8], choices=choices
            )
        )
        return code
    if code in ZERO_LINE_SITUATIONS and (days != 0 or wage != 0):
        out.append(line_problem(row, ssn, "situation", "zero_line", code=code))
    elif wage == 0 and code not in ZERO_WAGE_SITUATIONS:
        out.append(line_problem(row, ssn, "situation", "zero_wage_normal"))
    return code


def _check_lines(
    *,
    employer: Employer,
    fund: FundProfile,
    period: Period,
    lines: Sequence[LineInput],
    kind: str,
    today: dt.date,
) -> _Checked:
    rules = rules_for(fund.code)
    currency = fund.currency
    limit = rules.days_bound(period.periodicity)
    bound = rules.max_wage_major[period.periodicity] * currency.minor_per_major
    problems: list[Problem] = []
    # The employees the fund expects: employed at the start or at the end of the period (2 queries).
    expected = {
        e.insured_id: e.insured for e in employer_workforce(employer=employer, on=period.end)
    }
    for e in employer_workforce(employer=employer, on=period.start):
        expected.setdefault(e.insured_id, e.insured)

    if kind == Kind.NIL:
        if lines:
            problems.append(line_problem(None, "", "lines", "nil_with_lines", count=len(lines)))
        if expected:
            problems.append(
                line_problem(None, "", "lines", "nil_with_workforce", count=len(expected))
            )
        return _Checked([], problems)
    if not lines:
        problems.append(line_problem(None, "", "lines", "empty"))
        return _Checked([], problems)

    # New hires that give a number: every number looked up at once (1 query).
    typed_ssns: dict[int, str] = {}
    for row, line in enumerate(lines, start=1):
        if line.is_new_hire and _text(line.ssn):
            check = Checker()
            ssn = check.identifier("ssn", fund.insured_number.validate, line.ssn)
            problems.extend(_prefixed(p, row, _text(line.ssn)[:16]) for p in check.problems)
            if ssn:
                typed_ssns[row] = ssn
    registered: dict[str, InsuredPerson] = {}
    if typed_ssns:
        registered = {
            p.ssn: p
            for p in InsuredPerson.objects.filter(fund=fund.code, ssn__in=set(typed_ssns.values()))
        }

    clean: list[CleanLine] = []
    seen: dict[int, int] = {}
    for row, line in enumerate(lines, start=1):
        person: InsuredPerson | None = None
        new_hire = line.is_new_hire
        ssn_shown = ""
        if not new_hire:
            raw_id = _text(line.insured_id)
            pk = int(raw_id) if _INT_RE.match(raw_id) else None
            person = expected.get(pk) if pk is not None else None
            if person is None:
                problems.append(
                    line_problem(row, "", "insured", "not_in_workforce", value=raw_id[:20])
                )
                continue
            ssn_shown = person.ssn
        elif row in typed_ssns:
            ssn_shown = typed_ssns[row]
            person = registered.get(ssn_shown)
            if person is None:
                problems.append(line_problem(row, ssn_shown, "ssn", "unknown_ssn", value=ssn_shown))
                continue
        elif _text(line.ssn):
            continue  # its number was refused above
        if person is not None:
            if person.pk in seen:
                problems.append(
                    line_problem(row, ssn_shown, "insured", "duplicate_line", other=seen[person.pk])
                )
                continue
            seen[person.pk] = row
            item = CleanLine(
                row=row,
                insured_id=person.pk,
                ssn=person.ssn,
                surname_latin=person.surname_latin,
                first_names_latin=person.first_names_latin,
                surname_arabic=person.surname_arabic,
                first_names_arabic=person.first_names_arabic,
                national_id=person.national_id,
                birth_date=person.birth_date,
                new_hire=new_hire,
            )
        else:
            check = Checker()
            item = CleanLine(
                row=row,
                insured_id=None,
                ssn="",
                surname_latin=check.person_name_latin("surname_latin", line.surname_latin),
                first_names_latin=check.person_name_latin(
                    "first_names_latin", line.first_names_latin
                ),
                surname_arabic=check.person_name_arabic(
                    "surname_arabic", line.surname_arabic, required=False
                ),
                first_names_arabic=check.person_name_arabic(
                    "first_names_arabic", line.first_names_arabic, required=False
                ),
                birth_date=check.birth_date("birth_date", line.birth_date, today=today),
                new_hire=True,
            )
            if _text(line.national_id):
                item.national_id = check.identifier(
                    "national_id", fund.national_id.validate, line.national_id
                )
            problems.extend(_prefixed(p, row, "") for p in check.problems)
        item.days = _parse_days(line.days, row, ssn_shown, limit, problems)
        item.wage = _parse_wage(line, row, ssn_shown, currency, bound, problems)
        item.situation = _check_situation(
            line.situation, item.days, item.wage, row, ssn_shown, rules.situations, problems
        )
        clean.append(item)

    for pk, person in expected.items():
        if pk not in seen:
            name = f"{person.surname_latin} {person.first_names_latin}"
            problems.append(
                line_problem(None, "", "lines", "missing_employee", name=name, ssn=person.ssn)
            )
    return _Checked(clean, problems)


def _check_period(*, employer: Employer, period: Period, today: dt.date) -> list[Problem]:
    expected = Periodicity(employer.declaration_periodicity)
    if period.periodicity != expected:
        return [
            line_problem(
                None, "", "period", "not_a_period", value=period.label, expected=expected.value
            )
        ]
    if period.start > today:
        return [line_problem(None, "", "period", "future_period", value=period.label)]
    return []


def _today(today: dt.date | None) -> dt.date:
    return today if today is not None else timezone.localdate()


def declaration_validate(
    *,
    employer: Employer,
    period: Period,
    lines: Sequence[LineInput],
    kind: str = Kind.NORMAL,
    today: dt.date | None = None,
) -> list[Problem]:
    """Every problem of the declaration of ``lines`` (an empty list when it may be submitted)."""
    day = _today(today)
    fund = get_fund(employer.fund)
    problems = _check_period(employer=employer, period=period, today=day)
    if problems:
        return problems
    checked = _check_lines(
        employer=employer, fund=fund, period=period, lines=lines, kind=kind, today=day
    )
    return checked.problems


# --- preview -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionRow:
    branch: str
    payer: str
    amount: int  # minor units


@dataclass(frozen=True)
class Preview:
    currency: str
    headcount: int
    total_wages: int
    rows: tuple[ContributionRow, ...]
    per_line: tuple[int, ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(r.amount for r in self.rows)

    def by_branch(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.branch] = out.get(r.branch, 0) + r.amount
        return out

    def by_payer(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.payer] = out.get(r.payer, 0) + r.amount
        return out


def _compute(
    *,
    employer: Employer,
    fund: FundProfile,
    period: Period,
    wages: Sequence[int] | npt.NDArray[np.int64],
) -> Preview:
    """Contributions of every line at once: one call of the rules engine for the whole batch."""
    regime = fund.employer_regime
    n = len(wages)
    if n == 0:
        return Preview(currency=fund.currency_code, headcount=0, total_wages=0, rows=())
    base = np.asarray(wages, dtype=np.int64)
    klass = employer.activity_class or None
    batch = LineBatch.of_regime(
        regime,
        base=base,
        period=np.full(n, month_index(period.start.year, period.start.month), dtype=np.int32),
        classes=(klass,) if klass else (),
        activity_class=np.zeros(n, dtype=np.int16) if klass else None,
    )
    result = compute(batch)
    rows = tuple(
        ContributionRow(branch=b, payer=p, amount=int(result.amounts[(b, p)].sum()))
        for b, p in result.columns
    )
    per_line = tuple(int(x) for x in result.total())
    return Preview(
        currency=fund.currency_code,
        headcount=n,
        total_wages=int(base.sum()),
        rows=rows,
        per_line=per_line,
    )


def declaration_preview(
    *,
    employer: Employer,
    period: Period,
    lines: Sequence[LineInput],
    today: dt.date | None = None,
) -> Preview:
    """Contributions per branch and payer of ``lines``; InvalidInput when a line is wrong."""
    day = _today(today)
    fund = get_fund(employer.fund)
    problems = _check_period(employer=employer, period=period, today=day)
    if problems:
        raise InvalidInput(problems)
    checked = _check_lines(
        employer=employer, fund=fund, period=period, lines=lines, kind=Kind.NORMAL, today=day
    )
    if checked.problems:
        raise InvalidInput(checked.problems)
    return _compute(
        employer=employer, fund=fund, period=period, wages=[c.wage for c in checked.lines]
    )


# --- submit --------------------------------------------------------------------------------------


def _receipt_number(fund: FundProfile, year: int) -> str:
    """The next receipt number of ``fund`` for ``year``; the counter row is locked until commit."""
    sequence = number_next(series=f"declaration-receipt:{fund.code}", year=year)
    return f"DEC-{fund.code.upper()}-{year}-{sequence:06d}"


def _replaceable(
    *, employer: Employer, period: Period, replaces: Declaration | None
) -> Declaration | None:
    if replaces is None:
        return None
    return Declaration.objects.filter(
        pk=replaces.pk, employer=employer, period_label=period.label, status=Status.ACCEPTED
    ).first()


def _declaration_new(
    *,
    employer: Employer,
    fund: FundProfile,
    period: Period,
    headcount: int,
    preview: Preview,
    user: User,
    token: str,
    kind: str,
    replaces: Declaration | None,
    today: dt.date,
) -> tuple[Declaration, Declaration | None]:
    """The declaration's own row (version, receipt number), the replaced one cancelled."""
    version = 1
    replaced: Declaration | None = None
    if replaces is not None:
        replaced = (
            Declaration.objects.select_for_update()
            .filter(pk=replaces.pk, employer=employer, status=Status.ACCEPTED)
            .first()
        )
        if replaced is None:
            raise InvalidInput(
                [
                    line_problem(
                        None, "", "replaces", "not_replaceable", receipt=replaces.receipt_number
                    )
                ]
            )
        # The only change ever made to an accepted declaration.
        Declaration.objects.filter(pk=replaced.pk).update(status=Status.CANCELLED_REPLACED)
        version = replaced.version + 1
    now = timezone.now()
    due = fund.due_date(period)
    declaration = Declaration.objects.create(
        fund=fund.code,
        employer=employer,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        periodicity=period.periodicity.value,
        version=version,
        kind=Kind.NIL if kind == Kind.NIL else (Kind.REPLACEMENT if replaced else Kind.NORMAL),
        status=Status.ACCEPTED,
        replaces=replaced,
        submitted_by=user,
        submitted_at=now,
        token=token,
        receipt_number=_receipt_number(fund, today.year),
        currency=fund.currency_code,
        due_date=due,
        headcount=headcount,
        total_wages=preview.total_wages,
        total_contributions=preview.total,
    )
    return declaration, replaced


def _declaration_post(
    *,
    employer: Employer,
    fund: FundProfile,
    period: Period,
    declaration: Declaration,
    replaced: Declaration | None,
    preview: Preview,
    user: User,
) -> None:
    """Its contributions per branch and payer, and its dues posted to the ledger."""
    DeclarationContribution.objects.bulk_create(
        [
            DeclarationContribution(
                declaration=declaration, branch=r.branch, payer=r.payer, amount=r.amount
            )
            for r in preview.rows
        ]
    )
    ledger = _ledger()
    if replaced is not None and replaced.total_contributions > 0:
        ledger.ledger_post_reversal(
            employer=employer,
            source=f"declaration:{declaration.pk}:reversal",
            reverses=f"declaration:{replaced.pk}",
            created_by=user,
        )
    amounts = preview.by_branch()
    if any(amounts.values()):
        ledger.ledger_post_dues(
            employer=employer,
            source=f"declaration:{declaration.pk}",
            period_label=period.label,
            due_date=declaration.due_date,
            currency=fund.currency_code,
            amounts=amounts,
            created_by=user,
        )


def _write(
    *,
    employer: Employer,
    fund: FundProfile,
    period: Period,
    clean: list[CleanLine],
    preview: Preview,
    user: User,
    token: str,
    kind: str,
    replaces: Declaration | None,
    today: dt.date,
) -> Declaration:
    now = timezone.now()
    declaration, replaced = _declaration_new(
        employer=employer,
        fund=fund,
        period=period,
        headcount=len(clean),
        preview=preview,
        user=user,
        token=token,
        kind=kind,
        replaces=replaces,
        today=today,
    )
    lines = DeclarationLine.objects.bulk_create(
        [
            DeclarationLine(
                declaration=declaration,
                row=c.row,
                insured_id=c.insured_id,
                ssn=c.ssn,
                surname_latin=c.surname_latin,
                first_names_latin=c.first_names_latin,
                surname_arabic=c.surname_arabic,
                first_names_arabic=c.first_names_arabic,
                national_id=c.national_id,
                birth_date=c.birth_date,
                new_hire=c.new_hire,
                days=c.days,
                wage=c.wage,
                situation=c.situation,
                contribution=preview.per_line[i],
            )
            for i, c in enumerate(clean)
        ],
        batch_size=BATCH_SIZE,
    )
    ImmatriculationRequest.objects.bulk_create(
        [
            ImmatriculationRequest(
                fund=fund.code,
                employer=employer,
                line=line,
                surname_latin=line.surname_latin,
                first_names_latin=line.first_names_latin,
                surname_arabic=line.surname_arabic,
                first_names_arabic=line.first_names_arabic,
                national_id=line.national_id,
                birth_date=line.birth_date,
                created_at=now,
            )
            for line in lines
            if line.new_hire and line.insured_id is None and line.birth_date is not None
        ],
        batch_size=BATCH_SIZE,
    )
    _declaration_post(
        employer=employer,
        fund=fund,
        period=period,
        declaration=declaration,
        replaced=replaced,
        preview=preview,
        user=user,
    )
    return declaration


def already_declared(*, period_label: str, receipt: str) -> Problem:
    """The refusal of a second declaration for a period already declared (with its receipt)."""
    return line_problem(
        None, "", "period", "already_declared", period=period_label, receipt=receipt
    )


def _already_declared(employer: Employer, period: Period) -> list[Problem]:
    current = Declaration.objects.filter(
        employer=employer, period_label=period.label, status=Status.ACCEPTED
    ).first()
    if current is None:
        return []
    return [already_declared(period_label=period.label, receipt=current.receipt_number)]


def declaration_submit(
    *,
    employer: Employer,
    period: Period,
    lines: Sequence[LineInput],
    user: User,
    token: str,
    kind: str = Kind.NORMAL,
    replaces: Declaration | None = None,
    today: dt.date | None = None,
) -> Declaration:
    """Accept the declaration of ``lines`` for ``period`` and return it (with its receipt number).

    ``kind`` is ``normal`` or ``nil`` (nothing to declare); ``replaces`` cancels and replaces the
    version in force. Nil and replacement are allowed only up to the period's due date. The same
    ``token`` twice returns the first declaration. InvalidInput names every problem; nothing is
    written then.
    """
    day = _today(today)
    fund = get_fund(employer.fund)
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        raise InvalidInput([line_problem(None, "", "token", "required")])
    existing = Declaration.objects.filter(token=token).first()
    if existing is not None:
        if existing.employer_id == employer.pk:
            return existing
        raise InvalidInput([line_problem(None, "", "token", "token_used")])
    if kind not in (Kind.NORMAL, Kind.NIL):
        raise InvalidInput(
            [
                line_problem(
                    None,
                    "",
                    "kind",
                    "unknown_situation",
                    value=str(kind)[:16],
                    choices="normal, nil",
                )
            ]
        )
    problems = _check_period(employer=employer, period=period, today=day)
    if problems:
        raise InvalidInput(problems)
    due = fund.due_date(period)
    if replaces is not None:
        if _replaceable(employer=employer, period=period, replaces=replaces) is None:
            problems.append(
                line_problem(
                    None, "", "replaces", "not_replaceable", receipt=replaces.receipt_number
                )
            )
        elif day > due:
            problems.append(line_problem(None, "", "replaces", "after_deadline", due=due))
    else:
        problems.extend(_already_declared(employer, period))
    if kind == Kind.NIL and day > due and replaces is None:
        problems.append(line_problem(None, "", "kind", "after_deadline", due=due))
    checked = _check_lines(
        employer=employer, fund=fund, period=period, lines=lines, kind=kind, today=day
    )
    problems.extend(checked.problems)
    if problems:
        raise InvalidInput(problems)
    preview = _compute(
        employer=employer, fund=fund, period=period, wages=[c.wage for c in checked.lines]
    )
    try:
        with transaction.atomic():
            return _write(
                employer=employer,
                fund=fund,
                period=period,
                clean=checked.lines,
                preview=preview,
                user=user,
                token=token,
                kind=kind,
                replaces=replaces,
                today=day,
            )
    except IntegrityError:
        # A concurrent submission won the race: the same token returns its declaration; another
        # token finds the period declared (or the replaced version already replaced).
        winner = Declaration.objects.filter(token=token).first()
        if winner is not None and winner.employer_id == employer.pk:
            return winner
        declared = _already_declared(employer, period)
        if declared:
            raise InvalidInput(declared) from None
        raise


# --- submit by file: whole columns at once ------------------------------------------------------


def declaration_submit_from_columns(
    *,
    employer: Employer,
    period: Period,
    lines: LineColumns,
    user: User,
    token: str,
    today: dt.date | None = None,
    method: LinesMethod = "auto",
) -> Declaration:
    """Accept a declaration whose lines were already checked line by line (a declaration file:
    :mod:`tadamun.filings` checks it against the format and the registry) and return it.

    The same receipt, contributions and ledger dues as :func:`declaration_submit`, but the lines
    are columns: contributions come from one call of the rules engine over the whole wage array,
    and the lines are written with PostgreSQL ``COPY`` (SQLite: batched ``executemany``; see
    :mod:`tadamun.declarations.lines`). All or nothing, in one transaction. The same ``token``
    twice returns the first declaration; InvalidInput (period, already declared) writes nothing.
    """
    day = _today(today)
    fund = get_fund(employer.fund)
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        raise InvalidInput([line_problem(None, "", "token", "required")])
    existing = Declaration.objects.filter(token=token).first()
    if existing is not None:
        if existing.employer_id == employer.pk:
            return existing
        raise InvalidInput([line_problem(None, "", "token", "token_used")])
    lines.check()
    problems = _check_period(employer=employer, period=period, today=day)
    if not problems and len(lines) == 0:
        problems.append(line_problem(None, "", "lines", "empty"))
    if not problems and (lines.wage < 0).any():
        problems.append(line_problem(None, "", "wage", "negative", value=int(lines.wage.min())))
    problems.extend(_already_declared(employer, period))
    if problems:
        raise InvalidInput(problems)
    preview = _compute(employer=employer, fund=fund, period=period, wages=lines.wage)
    try:
        with transaction.atomic():
            declaration, replaced = _declaration_new(
                employer=employer,
                fund=fund,
                period=period,
                headcount=len(lines),
                preview=preview,
                user=user,
                token=token,
                kind=Kind.NORMAL,
                replaces=None,
                today=day,
            )
            lines_write(
                declaration_id=declaration.pk,
                lines=lines,
                contributions=np.asarray(preview.per_line, dtype=np.int64),
                method=method,
            )
            _declaration_post(
                employer=employer,
                fund=fund,
                period=period,
                declaration=declaration,
                replaced=replaced,
                preview=preview,
                user=user,
            )
            return declaration
    except IntegrityError:
        # A concurrent run of the same file (same token) won: its declaration is the answer.
        winner = Declaration.objects.filter(token=token).first()
        if winner is not None and winner.employer_id == employer.pk:
            return winner
        raise
