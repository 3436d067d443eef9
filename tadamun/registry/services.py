"""Writes of the registry: one function per action, keyword-only, all or nothing.

Each service validates every field first and raises :class:`~tadamun.errors.InvalidInput` naming
each faulty field (in fr/ar/en) before anything is written; the write itself runs in
``transaction.atomic``. Bulk services write in batches with ``bulk_create``: no per-row query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tadamun.errors import InvalidInput, Problem
from tadamun.funds import FundProfile, current_fund, get_fund
from tadamun.registry.models import (
    Agency,
    ContributorKind,
    DeclarationPeriodicity,
    Employer,
    Employment,
    EndReason,
    InsuredPerson,
    Sex,
)
from tadamun.registry.validation import Checker

#: Youngest plausible age at the start of an employment (a plausibility bound on typing errors,
#: not the legal minimum working age, which belongs in the regime's parameter pack).
MIN_WORKING_AGE = 14
#: How far ahead an employment may be recorded (a hire announced before the first day).
MAX_DAYS_AHEAD = 366
BATCH_SIZE = 1000


def _fund(fund: str | None) -> FundProfile:
    return current_fund() if fund is None else get_fund(fund)


def _today() -> dt.date:
    """Today in the fund's time zone (the settings' TIME_ZONE comes from the fund profile)."""
    return timezone.localdate()


# --- agencies ----------------------------------------------------------------------------------


def agency_create(
    *, code: str, name_fr: str, name_ar: str, name_en: str, fund: str | None = None
) -> Agency:
    profile = _fund(fund)
    check = Checker()
    code = check.code("code", code)
    name_fr = check.company_name_latin("name_fr", name_fr, max_length=120)
    name_ar = check.company_name_arabic("name_ar", name_ar, required=True, max_length=120)
    name_en = check.company_name_latin("name_en", name_en, max_length=120)
    if not check.has("code") and Agency.objects.filter(fund=profile.code, code=code).exists():
        check.add("code", "duplicate", value=code)
    check.raise_if_any()
    agency = Agency(fund=profile.code, code=code, name_fr=name_fr, name_ar=name_ar, name_en=name_en)
    _save_unique(agency, "code", code)
    return agency


# --- employers ---------------------------------------------------------------------------------


def employer_create(
    *,
    affiliate_number: str,
    name_latin: str,
    agency: Agency,
    legal_identifier: str = "",
    name_arabic: str = "",
    activity_class: str = "",
    declaration_periodicity: str | None = None,
    fund: str | None = None,
    kind: str = ContributorKind.EMPLOYER,
    holder: InsuredPerson | None = None,
) -> Employer:
    """Register an employer under the number the fund issued (key checked). ``kind`` and
    ``holder`` make it a person's own contributor account (self-employed, voluntary member)."""
    profile = _fund(fund)
    check = Checker()
    number = check.identifier(
        "affiliate_number", profile.employer_number.validate, affiliate_number
    )
    legal = ""
    if str(legal_identifier or "").strip():
        legal = check.identifier(
            "legal_identifier", profile.legal_identifier.validate, legal_identifier
        )
    name_latin = check.company_name_latin("name_latin", name_latin)
    name_arabic = check.company_name_arabic("name_arabic", name_arabic, required=False)
    if not isinstance(agency, Agency) or agency.pk is None:
        check.add("agency", "required")
    elif agency.fund != profile.code:
        check.add("agency", "other_fund", fund=agency.fund)
    classes = profile.activity_classes()
    if classes:
        activity = check.choice("activity_class", activity_class, classes)
    else:
        activity = check.choice("activity_class", activity_class, (), required=False)
    periodicity = check.choice(
        "declaration_periodicity",
        declaration_periodicity or profile.default_periodicity.value,
        [p.value for p in profile.periodicities],
    )
    if number and Employer.objects.filter(fund=profile.code, affiliate_number=number).exists():
        check.add("affiliate_number", "duplicate", value=number)
    check.raise_if_any()
    employer = Employer(
        fund=profile.code,
        affiliate_number=number,
        legal_identifier=legal,
        name_latin=name_latin,
        name_arabic=name_arabic,
        agency=agency,
        activity_class=activity,
        declaration_periodicity=DeclarationPeriodicity(periodicity),
        kind=ContributorKind(kind),
        holder=holder,
    )
    _save_unique(employer, "affiliate_number", number)
    return employer


# --- insured persons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInsuredPerson:
    """The fields of an insured person to register (the arguments of insured_person_create)."""

    ssn: str
    surname_latin: str
    first_names_latin: str
    birth_date: dt.date | str | None
    sex: str
    national_id: str = ""
    surname_arabic: str = ""
    first_names_arabic: str = ""


def _clean_person(
    data: NewInsuredPerson, profile: FundProfile, today: dt.date
) -> tuple[InsuredPerson, list[Problem]]:
    check = Checker()
    ssn = check.identifier("ssn", profile.insured_number.validate, data.ssn)
    national_id = ""
    if str(data.national_id or "").strip():
        national_id = check.identifier(
            "national_id", profile.national_id.validate, data.national_id
        )
    surname = check.person_name_latin("surname_latin", data.surname_latin)
    first_names = check.person_name_latin("first_names_latin", data.first_names_latin)
    surname_ar = check.person_name_arabic("surname_arabic", data.surname_arabic, required=False)
    first_names_ar = check.person_name_arabic(
        "first_names_arabic", data.first_names_arabic, required=False
    )
    birth_date = check.birth_date("birth_date", data.birth_date, today=today)
    sex = check.choice("sex", data.sex, list(Sex.values))
    person = InsuredPerson(
        fund=profile.code,
        ssn=ssn,
        national_id=national_id,
        surname_latin=surname,
        first_names_latin=first_names,
        surname_arabic=surname_ar,
        first_names_arabic=first_names_ar,
        sex=sex,
    )
    if birth_date is not None:
        person.birth_date = birth_date
    return person, check.problems


def insured_person_create(
    *,
    ssn: str,
    surname_latin: str,
    first_names_latin: str,
    birth_date: dt.date | str | None,
    sex: str,
    national_id: str = "",
    surname_arabic: str = "",
    first_names_arabic: str = "",
    fund: str | None = None,
) -> InsuredPerson:
    """Register a person under the social security number the fund issued (key checked)."""
    profile = _fund(fund)
    data = NewInsuredPerson(
        ssn=ssn,
        surname_latin=surname_latin,
        first_names_latin=first_names_latin,
        birth_date=birth_date,
        sex=sex,
        national_id=national_id,
        surname_arabic=surname_arabic,
        first_names_arabic=first_names_arabic,
    )
    person, problems = _clean_person(data, profile, _today())
    check = Checker()
    check.extend(problems)
    if person.ssn and InsuredPerson.objects.filter(fund=profile.code, ssn=person.ssn).exists():
        check.add("ssn", "duplicate", value=person.ssn)
    check.raise_if_any()
    _save_unique(person, "ssn", person.ssn)
    return person


def _located(problems: Iterable[Problem], index: int) -> list[Problem]:
    """Problems of row ``index`` of a batch: ``people[3].ssn``, and the row number in the text."""
    return [
        replace(
            p,
            field=f"[{index}].{p.field}",
            texts={lang: f"#{index + 1} — {text}" for lang, text in p.texts.items()},
        )
        for p in problems
    ]


def insured_person_bulk_create(
    *, people: Sequence[NewInsuredPerson], fund: str | None = None, batch_size: int = BATCH_SIZE
) -> list[InsuredPerson]:
    """Register many people at once: every row validated, then all written, or none."""
    profile = _fund(fund)
    today = _today()
    problems: list[Problem] = []
    rows: list[InsuredPerson] = []
    first_row: dict[str, int] = {}
    for index, data in enumerate(people):
        person, row_problems = _clean_person(data, profile, today)
        if person.ssn and person.ssn in first_row:
            check = Checker()
            check.add("ssn", "duplicate", value=person.ssn)
            row_problems = [*row_problems, *check.problems]
        elif person.ssn:
            first_row[person.ssn] = index
        problems.extend(_located(row_problems, index))
        rows.append(person)
    taken = _existing(InsuredPerson, profile.code, "ssn", list(first_row))
    for ssn in sorted(taken, key=first_row.__getitem__):
        check = Checker()
        check.add("ssn", "duplicate", value=ssn)
        problems.extend(_located(check.problems, first_row[ssn]))
    if problems:
        raise InvalidInput(problems)
    try:
        with transaction.atomic():
            return InsuredPerson.objects.bulk_create(rows, batch_size=batch_size)
    except IntegrityError:  # registered concurrently between the check and the write
        taken = _existing(InsuredPerson, profile.code, "ssn", list(first_row))
        check = Checker()
        for ssn in sorted(taken):
            check.add("ssn", "duplicate", value=ssn)
        check.raise_if_any()
        raise


def _existing(model: type[InsuredPerson], fund: str, field: str, values: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        found.update(
            model.objects.filter(fund=fund, **{f"{field}__in": chunk}).values_list(field, flat=True)
        )
    return found


# --- employment links --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEmployment:
    insured: InsuredPerson
    start_date: dt.date | str | None
    end_date: dt.date | str | None = None
    end_reason: str = ""


def _clean_employment(
    employer: Employer, data: NewEmployment, today: dt.date
) -> tuple[Employment, list[Problem]]:
    check = Checker()
    insured = data.insured
    if not isinstance(insured, InsuredPerson) or insured.pk is None:
        check.add("insured", "required")
    elif insured.fund != employer.fund:
        check.add("insured", "other_fund", fund=insured.fund)
    start = check.date("start_date", data.start_date)
    end = check.date("end_date", data.end_date, required=False)
    reason = check.choice("end_reason", data.end_reason, list(EndReason.values), required=False)
    if start is not None and isinstance(insured, InsuredPerson) and insured.birth_date:
        birth = insured.birth_date
        if start < birth:
            check.add("start_date", "before_birth", birth=birth.isoformat())
        else:
            earliest = _add_years(birth, MIN_WORKING_AGE)
            latest = today + dt.timedelta(days=MAX_DAYS_AHEAD)
            if not earliest <= start <= latest:
                check.add(
                    "start_date",
                    "implausible_date",
                    min=earliest.isoformat(),
                    max=latest.isoformat(),
                )
    if start is not None and end is not None and end < start:
        check.add("end_date", "end_before_start", start=start.isoformat())
    if end is not None and not reason and not check.has("end_reason"):
        check.add("end_reason", "required_with_end")
    if end is None and reason and not check.has("end_date"):
        check.add("end_reason", "only_with_end")
    employment = Employment(employer=employer, insured=insured, end_date=end, end_reason=reason)
    if start is not None:
        employment.start_date = start
    return employment, check.problems


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _overlaps(
    a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None
) -> bool:
    return (a_end is None or a_end >= b_start) and (b_end is None or b_end >= a_start)


def employment_create(
    *,
    employer: Employer,
    insured: InsuredPerson,
    start_date: dt.date | str | None,
    end_date: dt.date | str | None = None,
    end_reason: str = "",
) -> Employment:
    """Record that ``insured`` works (or worked) for ``employer``; refuses an overlapping link."""
    data = NewEmployment(insured, start_date, end_date, end_reason)
    with transaction.atomic():
        # Lock the person: two concurrent hires of the same person serialise here.
        if isinstance(insured, InsuredPerson) and insured.pk is not None:
            InsuredPerson.objects.select_for_update().filter(pk=insured.pk).first()
        employment, problems = _clean_employment(employer, data, _today())
        check = Checker()
        check.extend(problems)
        if not problems:
            clash = (
                Employment.objects.filter(employer=employer, insured=insured)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=employment.start_date))
                .order_by("start_date")
            )
            if employment.end_date is not None:
                clash = clash.filter(start_date__lte=employment.end_date)
            existing = clash.first()
            if existing is not None:
                check.add("start_date", "overlapping", start=existing.start_date.isoformat())
        check.raise_if_any()
        employment.save()
    return employment


def employment_bulk_create(
    *, employer: Employer, hires: Sequence[NewEmployment], batch_size: int = BATCH_SIZE
) -> int:
    """Record many employment links of one employer: all validated, then all written, or none."""
    today = _today()
    by_row: dict[int, list[Problem]] = {}
    rows: list[Employment] = []
    for index, data in enumerate(hires):
        employment, row_problems = _clean_employment(employer, data, today)
        if row_problems:
            by_row[index] = row_problems
        rows.append(employment)
    valid = [(i, row) for i, row in enumerate(rows) if i not in by_row]
    for index, row_problems in _bulk_overlaps(employer, valid).items():
        by_row.setdefault(index, []).extend(row_problems)
    if by_row:
        raise InvalidInput(p for i in sorted(by_row) for p in _located(by_row[i], i))
    with transaction.atomic():
        Employment.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def _bulk_overlaps(
    employer: Employer, rows: list[tuple[int, Employment]]
) -> dict[int, list[Problem]]:
    """Rows that overlap a recorded link of the same person, or an earlier row of the batch."""
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    ids = sorted({row.insured_id for _, row in rows})
    for start in range(0, len(ids), 500):
        for insured_id, s, e in Employment.objects.filter(
            employer=employer, insured_id__in=ids[start : start + 500]
        ).values_list("insured_id", "start_date", "end_date"):
            spans.setdefault(insured_id, []).append((s, e))
    problems: dict[int, list[Problem]] = {}
    for index, row in rows:
        known = spans.setdefault(row.insured_id, [])
        clash = next((s for s, e in known if _overlaps(s, e, row.start_date, row.end_date)), None)
        if clash is not None:
            check = Checker()
            check.add("start_date", "overlapping", start=clash.isoformat())
            problems[index] = check.problems
        known.append((row.start_date, row.end_date))
    return problems


def employment_end(
    *, employment: Employment, end_date: dt.date | str | None, end_reason: str
) -> Employment:
    """Close an open employment link on ``end_date`` for ``end_reason``."""
    with transaction.atomic():
        current = Employment.objects.select_for_update().get(pk=employment.pk)
        check = Checker()
        if current.end_date is not None:
            check.add("end_date", "already_ended", end=current.end_date.isoformat())
            check.raise_if_any()
        end = check.date("end_date", end_date)
        reason = check.choice("end_reason", end_reason, list(EndReason.values))
        if end is not None and end < current.start_date:
            check.add("end_date", "end_before_start", start=current.start_date.isoformat())
        check.raise_if_any()
        assert end is not None
        current.end_date = end
        current.end_reason = reason
        current.save(update_fields=["end_date", "end_reason"])
    return current


# --- helpers -----------------------------------------------------------------------------------


def _save_unique(obj: Agency | Employer | InsuredPerson, field: str, value: str) -> None:
    """Save ``obj``; a concurrent insert of the same number becomes a 'duplicate' problem."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        check = Checker()
        check.add(field, "duplicate", value=value)
        check.raise_if_any()
        raise
