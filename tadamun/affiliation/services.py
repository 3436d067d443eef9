"""Writes of affiliation, keyword-only, all or nothing.

Employees (any fund): the employer asks, by form or by CSV file, to immatriculate a new hire.
Each person is checked (names in both scripts, birth date and place, sex, national identity
number with the fund's validator, hire date), then:

* the national identity number is already registered → the same person (same birth date and
  names) is **linked**: an employment is opened under their existing number; anybody else is
  **refused** (the number belongs to another person);
* the same names (folded: case, accents, spacing, Arabic letter forms) and birth date as a
  registered person → **suspected duplicate**: a dossier goes to the agency queue
  (``needs_person``) and the agency decides with :func:`immatriculation_decide`;
* otherwise the number is **issued at once** with its key and the employment opened.

A file is checked whole first: any bad line refuses the file with the list of every problem and
nothing is written. The form's request opens a dossier the employer follows; a file's lines open
a dossier each only when a person is needed (the file itself is the tracked request for the
others, to spare the employer one notification per employee).

Self-employed (a fund whose regime is paid by the self-employed: ``dz-casnos``): sign-up creates
the person's account (password now, TOTP second factor at the first sign-in), their insured
record (or reuses it, found by national identity number), their contributor account
(``registry.Employer`` of kind ``self_employed``), stores the category's documents and opens a
dossier the agency decides with :func:`self_employed_decide`. Affiliation asked more than the
pack's delay (10 days) after the start of activity is accepted and flagged late, with the reason.
Then each year's income is declared (:func:`income_declare`), the contribution computed between
the pack's floor and ceiling and posted to the ledger; payment goes through ``tadamun.payments``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tadamun.accounts import services as account_services
from tadamun.accounts.services import mask_identifier
from tadamun.affiliation import contribution as rules
from tadamun.affiliation.categories import (
    CATEGORIES,
    PROFESSIONS,
    REGISTER_NUMBER,
    DocumentSpec,
)
from tadamun.affiliation.issuing import account_number_issue, insured_number_issue
from tadamun.affiliation.models import (
    AffiliationDocument,
    AffiliationStatus,
    EmployeeImmatriculation,
    ImmatriculationFile,
    ImmatriculationStatus,
    IncomeDeclaration,
    SelfEmployedAffiliation,
)
from tadamun.affiliation.names import name_key
from tadamun.affiliation.problems import Problems, on_row, problem
from tadamun.errors import InvalidInput, Problem
from tadamun.funds import FundProfile, current_fund, get_fund
from tadamun.numbering.services import number_next
from tadamun.registry import services as registry_services
from tadamun.registry.models import (
    Agency,
    ContributorKind,
    Employer,
    Employment,
    InsuredPerson,
    Sex,
)
from tadamun.registry.validation import Checker, squash, years_before
from tadamun.rules.contributions import MAX_BASE
from tadamun.rules.errors import InvalidAmount, RulesError
from tadamun.rules.money import Currency
from tadamun.rules.parameters import load_packs

if TYPE_CHECKING:
    from tadamun.accounts.models import User
    from tadamun.documents.models import Document
    from tadamun.dossiers.models import Dossier

#: Youngest plausible age at hire or at the start of an activity (typing errors, not the law).
MIN_WORKING_AGE = 14
#: How far ahead a hire may be announced.
MAX_DAYS_AHEAD = 366
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILE_LINES = 5000
IMMATRICULATION_KIND = "immatriculation"
CASNOS_KIND = "casnos_affiliation"
#: The pack parameter holding the delay to immatriculate a new hire, where the regime has one.
NEW_HIRE_DELAY = "declarations.affiliation.new_hire_delay"

#: The columns of an immatriculation file, in this order (the header line names them).
FILE_COLUMNS = (
    "surname_latin",
    "first_names_latin",
    "surname_arabic",
    "first_names_arabic",
    "birth_date",
    "birth_place",
    "sex",
    "national_id",
    "hire_date",
)


def _today(today: dt.date | None) -> dt.date:
    return today if today is not None else timezone.localdate()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- one person's identity -----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInput:
    """A person as typed (form fields or a file's columns)."""

    surname_latin: str = ""
    first_names_latin: str = ""
    surname_arabic: str = ""
    first_names_arabic: str = ""
    birth_date: str | dt.date | None = None
    birth_place: str = ""
    sex: str = ""
    national_id: str = ""


@dataclass(frozen=True)
class EmployeeInput(PersonInput):
    hire_date: str | dt.date | None = None


@dataclass(frozen=True)
class CleanPerson:
    surname_latin: str
    first_names_latin: str
    surname_arabic: str
    first_names_arabic: str
    birth_date: dt.date
    birth_place: str
    sex: str
    national_id: str

    def keys(self) -> set[str]:
        found = {
            name_key(self.surname_latin, self.first_names_latin),
            name_key(self.surname_arabic, self.first_names_arabic),
        }
        return {k for k in found if k}


def _date(check: Problems, field: str, value: object) -> dt.date | None:
    if value is None or value == "":
        check.add(field, "required")
        return None
    if isinstance(value, dt.datetime):
        check.add(field, "not_a_date")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        check.add(field, "not_a_date")
        return None


def _clean_person(
    data: PersonInput, fund: FundProfile, today: dt.date
) -> tuple[CleanPerson | None, list[Problem]]:
    """Every field of ``data`` checked; the clean person, or None and the problems."""
    registry = Checker()
    surname = registry.person_name_latin("surname_latin", data.surname_latin)
    first = registry.person_name_latin("first_names_latin", data.first_names_latin)
    surname_ar = registry.person_name_arabic("surname_arabic", data.surname_arabic, required=True)
    first_ar = registry.person_name_arabic(
        "first_names_arabic", data.first_names_arabic, required=True
    )
    birth = registry.birth_date("birth_date", data.birth_date, today=today)
    sex = registry.choice("sex", data.sex, list(Sex.values))
    nin = registry.identifier("national_id", fund.national_id.validate, data.national_id)
    check = Problems()
    check.extend(registry.problems)
    place = squash(data.birth_place)
    if not place:
        check.add("birth_place", "required")
    elif len(place) > 100:
        check.add("birth_place", "too_long", max=100)
    if check.items or birth is None:
        return None, check.items
    return (
        CleanPerson(surname, first, surname_ar, first_ar, birth, place, sex, nin),
        [],
    )


def _clean_employee(
    data: EmployeeInput, fund: FundProfile, today: dt.date
) -> tuple[tuple[CleanPerson, dt.date] | None, list[Problem]]:
    person, problems = _clean_person(data, fund, today)
    check = Problems()
    check.extend(problems)
    hire = _date(check, "hire_date", data.hire_date)
    if hire is not None:
        latest = today + dt.timedelta(days=MAX_DAYS_AHEAD)
        if hire > latest:
            check.add("hire_date", "too_far_ahead", max=latest.isoformat())
        elif person is not None and hire < _add_years(person.birth_date, MIN_WORKING_AGE):
            check.add("hire_date", "too_young", age=MIN_WORKING_AGE)
    if check.items or person is None or hire is None:
        return None, check.items
    return (person, hire), []


# --- who is this person? -------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """What the registry knows of a person: ``same`` (their national identity number is
    registered, to them), ``other`` (registered to someone else) or ``suspected`` (same names
    and birth date, another or no identity number)."""

    same: InsuredPerson | None = None
    other: InsuredPerson | None = None
    suspected: InsuredPerson | None = None


def _same_person(person: CleanPerson, insured: InsuredPerson) -> bool:
    if insured.birth_date != person.birth_date:
        return False
    theirs = {
        name_key(insured.surname_latin, insured.first_names_latin),
        name_key(insured.surname_arabic, insured.first_names_arabic),
    } - {""}
    return bool(theirs & person.keys())


def _match(person: CleanPerson, fund: str) -> Match:
    """2 queries: the identity number, then the people born that day (compared in Python on
    their folded names: a fund's people born on one day are a few thousand at most)."""
    by_nin = InsuredPerson.objects.filter(fund=fund, national_id=person.national_id).first()
    if by_nin is not None:
        if _same_person(person, by_nin):
            return Match(same=by_nin)
        return Match(other=by_nin)
    for candidate in InsuredPerson.objects.filter(fund=fund, birth_date=person.birth_date):
        if _same_person(person, candidate):
            return Match(suspected=candidate)
    return Match()


def _pending_for(person: CleanPerson, fund: str) -> EmployeeImmatriculation | None:
    """A request for the same person still waiting for the agency (1 query)."""
    for pending in EmployeeImmatriculation.objects.filter(
        fund=fund, status=ImmatriculationStatus.NEEDS_PERSON, birth_date=person.birth_date
    ):
        if pending.national_id == person.national_id:
            return pending
    return None


def _refusals(person: CleanPerson, match: Match, employer: Employer) -> list[Problem]:
    """Why this person cannot be immatriculated for ``employer`` (empty: they can)."""
    check = Problems()
    if match.other is not None:
        check.add("national_id", "nin_other_person", ssn=mask_identifier(match.other.ssn))
    elif match.same is not None:
        open_job = (
            Employment.objects.filter(employer=employer, insured=match.same, end_date__isnull=True)
            .order_by("start_date")
            .first()
        )
        if open_job is not None:
            check.add(
                "national_id",
                "already_employed",
                ssn=mask_identifier(match.same.ssn),
                start=open_job.start_date.isoformat(),
            )
    elif _pending_for(person, employer.fund) is not None:
        check.add("national_id", "pending_request")
    return check.items


def _new_hire_delay(fund: FundProfile, on: dt.date) -> int | None:
    pack = fund.pack()
    if not pack.has_param(NEW_HIRE_DELAY):
        return None
    try:
        return pack.param(NEW_HIRE_DELAY).int_at(on)
    except RulesError:
        return None


def _register(person: CleanPerson, fund: FundProfile) -> InsuredPerson:
    return registry_services.insured_person_create(
        ssn=insured_number_issue(fund=fund),
        surname_latin=person.surname_latin,
        first_names_latin=person.first_names_latin,
        surname_arabic=person.surname_arabic,
        first_names_arabic=person.first_names_arabic,
        birth_date=person.birth_date,
        sex=person.sex,
        national_id=person.national_id,
        fund=fund.code,
    )


def _employ(employer: Employer, insured: InsuredPerson, hire: dt.date) -> Employment:
    try:
        return registry_services.employment_create(
            employer=employer, insured=insured, start_date=hire
        )
    except InvalidInput as exc:
        # The registry names its own field (start_date); the employer typed a hire date.
        raise InvalidInput(
            [
                Problem(field="hire_date", code=p.code, texts=p.texts, params=p.params)
                if p.field == "start_date"
                else p
                for p in exc.problems
            ]
        ) from None


def _suspect_reason(suspect: InsuredPerson, row: int | None = None) -> str:
    """The reason the dossier waits for an agent, in the three languages of the back office
    (the dossier keeps one text; the agent reads their own)."""
    number = mask_identifier(suspect.ssn)
    fr_where, ar_where, en_where = (
        (f" (ligne {row})", f" (السطر {row})", f" (line {row})")
        if row is not None
        else ("", "", "")
    )
    return " · ".join(
        (
            f"Doublon possible{fr_where} : mêmes noms et date de naissance que l'assuré {number}. "
            "Vérifiez l'identité avant d'attribuer un numéro.",
            f"تكرار محتمل{ar_where}: نفس الأسماء وتاريخ الميلاد للمؤمَّن له {number}. "
            "تحقق من الهوية قبل إسناد رقم.",
            f"Possible duplicate{en_where}: same names and birth date as insured {number}. "
            "Check the identity before issuing a number.",
        )
    )


def _immatriculate(
    *,
    employer: Employer,
    fund: FundProfile,
    person: CleanPerson,
    hire: dt.date,
    user: User,
    now: dt.datetime,
    today: dt.date,
    file: ImmatriculationFile | None = None,
    row: int | None = None,
    declared_id: int | None = None,
) -> EmployeeImmatriculation:
    """Write one checked person (inside the caller's transaction)."""
    match = _match(person, fund.code)
    refusals = _refusals(person, match, employer)
    if refusals:
        raise InvalidInput(on_row(refusals, row) if row is not None else refusals)
    delay = _new_hire_delay(fund, hire)
    request = EmployeeImmatriculation(
        fund=fund.code,
        employer=employer,
        file=file,
        row=row,
        submitted_by=user,
        submitted_at=now,
        surname_latin=person.surname_latin,
        first_names_latin=person.first_names_latin,
        surname_arabic=person.surname_arabic,
        first_names_arabic=person.first_names_arabic,
        birth_date=person.birth_date,
        birth_place=person.birth_place,
        sex=person.sex,
        national_id=person.national_id,
        hire_date=hire,
        late=delay is not None and (today - hire).days > delay,
        declared_id=declared_id,
    )
    if match.same is not None:
        request.status = ImmatriculationStatus.LINKED
        request.insured = match.same
        request.employment = _employ(employer, match.same, hire)
    elif match.suspected is not None:
        request.status = ImmatriculationStatus.NEEDS_PERSON
        request.suspected = match.suspected
        request.reason = _suspect_reason(match.suspected, row)
    else:
        request.status = ImmatriculationStatus.REGISTERED
        request.insured = _register(person, fund)
        request.employment = _employ(employer, request.insured, hire)
    request.save()
    if request.status == ImmatriculationStatus.NEEDS_PERSON or file is None:
        request.dossier = _open_immatriculation_dossier(request, user, now)
        request.save(update_fields=["dossier"])
    return request


def _open_immatriculation_dossier(
    request: EmployeeImmatriculation, user: User, now: dt.datetime
) -> Dossier:
    from tadamun.dossiers import services as dossiers
    from tadamun.dossiers.models import DossierStatus

    waiting = request.status == ImmatriculationStatus.NEEDS_PERSON
    dossier = dossiers.dossier_open(
        kind=IMMATRICULATION_KIND,
        agency=request.employer.agency,
        applicant=user,
        insured=request.insured,
        employer=request.employer,
        subject_id=str(request.pk),
        needs_person=waiting,
        reason=request.reason,
        now=now,
    )
    if not waiting:
        # Decided by the automatic checks: no one at the agency needs to look at it.
        outcome = "Number issued at once." if request.status == "registered" else "Already insured."
        dossier = dossiers.dossier_transition(
            dossier=dossier,
            status=DossierStatus.APPROVED,
            actor=None,
            reason=outcome,
            expected_next="done",
            now=now,
        )
    return dossier


def immatriculation_submit(
    *,
    employer: Employer,
    data: EmployeeInput,
    user: User,
    declared_id: int | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> EmployeeImmatriculation:
    """Immatriculate one employee of ``employer`` (see the module docstring). InvalidInput
    names every faulty field; nothing is written then. ``declared_id``: the
    ``declarations.ImmatriculationRequest`` this one settles (a new hire declared without a
    number), which must be the employer's and still unsettled."""
    day = _today(today)
    moment = _now(now)
    fund = get_fund(employer.fund)
    clean, problems = _clean_employee(data, fund, day)
    if declared_id is not None:
        from tadamun.affiliation.selectors import declared_new_hire

        if declared_new_hire(employer=employer, request_id=declared_id) is None:
            problems = [*problems, problem("request", "already_decided")]
    if problems or clean is None:
        raise InvalidInput(problems)
    person, hire = clean
    with transaction.atomic():
        return _immatriculate(
            employer=employer,
            fund=fund,
            person=person,
            hire=hire,
            user=user,
            now=moment,
            today=day,
            declared_id=declared_id,
        )


# --- the file ------------------------------------------------------------------------------------


def _read_rows(content: bytes) -> tuple[list[tuple[int, EmployeeInput]], list[Problem]]:
    """The file's lines as inputs (line numbers as an editor shows them, header = 1)."""
    check = Problems()
    if len(content) > MAX_FILE_BYTES:
        check.add("file", "too_big", max=MAX_FILE_BYTES)
        return [], check.items
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        check.add("file", "not_csv", detail=f"byte {exc.start}")
        return [], check.items
    if "\x00" in text:
        check.add("file", "not_csv", detail="NUL")
        return [], check.items
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        lines = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        check.add("file", "not_csv", detail=str(exc)[:80])
        return [], check.items
    if not lines:
        check.add("file", "empty_file")
        return [], check.items
    header = [squash(h).lower() for h in lines[0]]
    missing = [c for c in FILE_COLUMNS if c not in header]
    if missing:
        check.add("file", "missing_columns", columns=", ".join(missing))
        return [], check.items
    body = [(i, row) for i, row in enumerate(lines[1:], start=2) if any(c.strip() for c in row)]
    if not body:
        check.add("file", "empty_file")
        return [], check.items
    if len(body) > MAX_FILE_LINES:
        check.add("file", "too_many_lines", max=MAX_FILE_LINES)
        return [], check.items
    position = {name: header.index(name) for name in FILE_COLUMNS}
    rows: list[tuple[int, EmployeeInput]] = []
    for number, row in body:
        if len(row) != len(header):
            check.items.extend(
                on_row(
                    [problem("file", "wrong_column_count", got=len(row), expected=len(header))],
                    number,
                )
            )
            continue
        values = {name: row[index] for name, index in position.items()}
        rows.append((number, EmployeeInput(**values)))
    return rows, check.items


def immatriculation_file_submit(
    *,
    employer: Employer,
    upload: UploadedFile | bytes,
    file_name: str,
    user: User,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ImmatriculationFile:
    """Immatriculate every employee of a CSV file (header line with :data:`FILE_COLUMNS`,
    comma or semicolon, UTF-8). Every line is checked first; any problem refuses the whole file
    with the list (line, field, reason) and writes nothing."""
    day = _today(today)
    moment = _now(now)
    fund = get_fund(employer.fund)
    if isinstance(upload, bytes):
        content = upload
    else:
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise InvalidInput([problem("file", "too_big", max=MAX_FILE_BYTES)])
        content = upload.read(MAX_FILE_BYTES + 1)
    rows, problems = _read_rows(content)
    checked: list[tuple[int, CleanPerson, dt.date]] = []
    first_line: dict[str, int] = {}
    for number, data in rows:
        clean, row_problems = _clean_employee(data, fund, day)
        if row_problems or clean is None:
            problems.extend(on_row(row_problems, number))
            continue
        person, hire = clean
        if person.national_id in first_line:
            twice = problem("national_id", "twice_in_file", first=first_line[person.national_id])
            problems.extend(on_row([twice], number))
            continue
        first_line[person.national_id] = number
        problems.extend(on_row(_refusals(person, _match(person, fund.code), employer), number))
        checked.append((number, person, hire))
    if problems:
        raise InvalidInput(problems)
    name = squash(file_name)[:200] or "immatriculations.csv"
    with transaction.atomic():
        batch = ImmatriculationFile.objects.create(
            fund=fund.code,
            employer=employer,
            submitted_by=user,
            submitted_at=moment,
            file_name=name,
            sha256=hashlib.sha256(content).hexdigest(),
            lines=len(checked),
        )
        outcomes = [
            _immatriculate(
                employer=employer,
                fund=fund,
                person=person,
                hire=hire,
                user=user,
                now=moment,
                today=day,
                file=batch,
                row=number,
            ).status
            for number, person, hire in checked
        ]
        _notify_file(batch, outcomes)
    return batch


def _notify_file(batch: ImmatriculationFile, outcomes: list[str]) -> None:
    """One message for the whole file (the lines sent to the agency have their own dossier)."""
    from django.urls import reverse

    from tadamun.notifications.services import notify

    notify(
        user=batch.submitted_by,
        template="affiliation/notifications/file_accepted.txt",
        context={
            "lines": batch.lines,
            "registered": outcomes.count(ImmatriculationStatus.REGISTERED),
            "linked": outcomes.count(ImmatriculationStatus.LINKED),
            "waiting": outcomes.count(ImmatriculationStatus.NEEDS_PERSON),
        },
        link=reverse("affiliation:employees", kwargs={"employer_id": batch.employer_id}),
    )


# --- the agency's decision -----------------------------------------------------------------------


def immatriculation_decide(*, dossier: Dossier, staff: User, approve: bool, reason: str) -> None:
    """The agency's decision on a suspected duplicate (runs inside ``dossier_decide``):
    approve issues the number with its key and opens the employment; reject records why."""
    request = (
        EmployeeImmatriculation.objects.select_for_update()
        .select_related("employer")
        .filter(pk=_subject(dossier), fund=dossier.fund)
        .first()
    )
    if request is None or request.status != ImmatriculationStatus.NEEDS_PERSON:
        raise InvalidInput([problem("request", "already_decided")])
    fund = get_fund(request.fund)
    request.decided_at = timezone.now()
    request.decided_by = staff
    request.reason = reason[:1000]
    if approve:
        person = CleanPerson(
            request.surname_latin,
            request.first_names_latin,
            request.surname_arabic,
            request.first_names_arabic,
            request.birth_date,
            request.birth_place,
            request.sex,
            request.national_id,
        )
        if InsuredPerson.objects.filter(fund=fund.code, national_id=person.national_id).exists():
            raise InvalidInput([problem("national_id", "duplicate", value="•••")])
        request.insured = _register(person, fund)
        request.employment = _employ(request.employer, request.insured, request.hire_date)
        request.status = ImmatriculationStatus.REGISTERED
        account_services.audit_record(
            actor=staff,
            action="create",
            obj=request.insured,
            detail=f"immatriculation {request.pk} approved (dossier {dossier.reference})",
        )
    else:
        request.status = ImmatriculationStatus.REJECTED
    request.save()


def _subject(dossier: Dossier) -> int:
    try:
        return int(dossier.subject_id)
    except (TypeError, ValueError):
        return 0


# --- self-employed: sign-up ----------------------------------------------------------------------


def self_employed_regime(fund: FundProfile) -> str | None:
    """The fund's regime paid by the self-employed, if it is the fund's own (CASNOS)."""
    regime = fund.employer_regime
    pack = load_packs().regime(regime)
    return regime if "self_employed" in pack.payers else None


@dataclass(frozen=True)
class SelfEmployedInput(PersonInput):
    email: str = ""
    password: str = ""
    password_again: str = ""
    language: str = "fr"
    category: str = ""
    profession: str = ""
    register_number: str = ""
    activity_start: str | dt.date | None = None
    agency: str = ""


def _clean_activity(
    data: SelfEmployedInput,
    fund: FundProfile,
    person: CleanPerson | None,
    today: dt.date,
    check: Problems,
) -> tuple[str, str, str, dt.date | None, Agency | None]:
    category = squash(data.category)
    spec = CATEGORIES.get(category)
    if not category:
        check.add("category", "required")
    elif spec is None:
        check.add("category", "not_a_choice", value=category[:32], choices=", ".join(CATEGORIES))
    profession = squash(data.profession)
    if spec is not None and spec.needs_profession:
        if not profession:
            check.add("profession", "required")
        elif profession not in PROFESSIONS:
            check.add(
                "profession",
                "not_a_choice",
                value=profession[:32],
                choices=", ".join(PROFESSIONS),
            )
    else:
        profession = ""
    register = squash(data.register_number)
    if not register:
        check.add("register_number", "required")
    elif len(register) > 40:
        check.add("register_number", "too_long", max=40)
    elif not REGISTER_NUMBER.match(register):
        check.add("register_number", "bad_format", format="A-Z 0-9 / - .")
    start = _date(check, "activity_start", data.activity_start)
    if start is not None:
        if start > today:
            check.add("activity_start", "in_future", today=today.isoformat())
        elif person is not None and start < _add_years(person.birth_date, MIN_WORKING_AGE):
            check.add("activity_start", "too_young", age=MIN_WORKING_AGE)
        elif start < years_before(today, 80):
            check.add(
                "activity_start",
                "implausible_date",
                min=years_before(today, 80).isoformat(),
                max=today.isoformat(),
            )
    code = squash(data.agency).upper()
    agency = None
    if not code:
        check.add("agency", "required")
    else:
        agency = Agency.objects.filter(fund=fund.code, code=code[:8]).first()
        if agency is None:
            check.add("agency", "not_a_choice", value=code[:8], choices="…")
    return category, profession, register, start, agency


_EMAIL_FIELDS = ("email", "password")


def self_employed_signup(
    *,
    data: SelfEmployedInput,
    uploads: Mapping[str, UploadedFile],
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SelfEmployedAffiliation:
    """A self-employed person signs up and asks to be affiliated (see the module docstring).
    InvalidInput names every faulty field and document; nothing is written then (no account,
    no person, no contributor account, no document, no dossier)."""
    day = _today(today)
    moment = _now(now)
    fund = current_fund()
    regime = self_employed_regime(fund)
    if regime is None:
        raise InvalidInput([problem("fund", "no_self_employed")])
    person, person_problems = _clean_person(data, fund, day)
    check = Problems()
    check.extend(person_problems)
    category, profession, register, start, agency = _clean_activity(data, fund, person, day, check)
    _address, user_problems = account_services.person_user_problems(
        email=data.email, password=data.password, password_again=data.password_again
    )
    check.extend(user_problems)
    spec = CATEGORIES.get(category)
    if spec is not None:
        for doc in spec.documents:
            upload = uploads.get(doc.code)
            if upload is None:
                check.add(doc.code, "missing_document")
            elif not isinstance(upload, UploadedFile):
                check.add(doc.code, "not_a_file")
    match = Match()
    if person is not None:
        match = _match(person, fund.code)
        if match.other is not None:
            check.add("national_id", "nin_other_person", ssn=mask_identifier(match.other.ssn))
        elif match.same is not None:
            held = Employer.objects.filter(
                holder=match.same, kind=ContributorKind.SELF_EMPLOYED
            ).first()
            if _has_account(match.same):
                check.add("national_id", "already_signed_up")
            elif held is not None:
                check.add(
                    "national_id",
                    "already_affiliated",
                    number=mask_identifier(held.affiliate_number),
                )
    check.raise_if_any()
    assert person is not None and spec is not None and start is not None and agency is not None
    delay = rules.affiliation_delay_days(regime, start)
    late_days = max((day - start).days - delay, 0)
    with transaction.atomic():
        user = account_services.person_user_create(
            email=data.email,
            password=data.password,
            password_again=data.password_again,
            language=data.language,
            first_name=person.first_names_latin,
            last_name=person.surname_latin,
        )
        insured = match.same if match.same is not None else _register(person, fund)
        account = registry_services.employer_create(
            affiliate_number=account_number_issue(fund=fund),
            name_latin=f"{person.surname_latin} {person.first_names_latin}",
            name_arabic=f"{person.surname_arabic} {person.first_names_arabic}",
            agency=agency,
            fund=fund.code,
            kind=ContributorKind.SELF_EMPLOYED,
            holder=insured,
        )
        account_services.holder_account_link(user=user, insured=insured, employer=account)
        documents = _store_documents(
            user=user, agency=agency, spec_codes=spec.documents, uploads=uploads
        )
        reasons: list[str] = []
        if late_days:
            reasons.append(_late_reason(start=start, applied=day, delay=delay, late=late_days))
        if match.suspected is not None:
            reasons.append(_suspect_reason(match.suspected))
        affiliation = SelfEmployedAffiliation.objects.create(
            fund=fund.code,
            account=account,
            insured=insured,
            user=user,
            category=category,
            profession=profession,
            register_number=register,
            activity_start=start,
            applied_on=day,
            late=late_days > 0,
            late_days=late_days,
            status=AffiliationStatus.PENDING,
            reason=" ".join(reasons)[:1000],
            created_at=moment,
        )
        AffiliationDocument.objects.bulk_create(
            [
                AffiliationDocument(affiliation=affiliation, requirement=code, document=doc)
                for code, doc in documents
            ]
        )
        from tadamun.dossiers import services as dossiers

        affiliation.dossier = dossiers.dossier_open(
            kind=CASNOS_KIND,
            agency=agency,
            applicant=user,
            insured=insured,
            employer=account,
            subject_id=str(affiliation.pk),
            needs_person=match.suspected is not None,
            reason=affiliation.reason,
            documents=[doc for _, doc in documents],
            now=moment,
        )
        affiliation.save(update_fields=["dossier"])
    return affiliation


def _has_account(insured: InsuredPerson) -> bool:
    from tadamun.accounts.models import User

    return User.objects.filter(insured=insured).exists()


def _late_reason(*, start: dt.date, applied: dt.date, delay: int, late: int) -> str:
    """In the three languages of the back office, like :func:`_suspect_reason`."""
    begun, asked = start.isoformat(), applied.isoformat()
    return " · ".join(
        (
            f"Affiliation tardive : activité commencée le {begun}, affiliation demandée le "
            f"{asked}, {late} jour(s) après le délai de {delay} jours.",
            f"انتساب متأخر: بدأ النشاط في {begun}، وطُلب الانتساب في {asked}، "
            f"أي بعد {late} يومًا من أجل {delay} أيام.",
            f"Late affiliation: activity started on {begun}, affiliation asked on {asked}, "
            f"{late} day(s) after the {delay}-day delay.",
        )
    )


def _store_documents(
    *,
    user: User,
    agency: Agency,
    spec_codes: Sequence[DocumentSpec],
    uploads: Mapping[str, UploadedFile],
) -> list[tuple[str, Document]]:
    """Store every required document; all their problems are raised together (the caller's
    transaction then writes nothing)."""
    from tadamun.documents.services import document_store

    stored: list[tuple[str, Document]] = []
    problems: list[Problem] = []
    for spec in spec_codes:
        code = spec.code
        try:
            stored.append(
                (
                    code,
                    document_store(
                        owner=user,
                        kind=f"casnos_{code}",
                        upload=uploads[code],
                        agency=agency,
                        field=code,
                    ),
                )
            )
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    return stored


def self_employed_decide(*, dossier: Dossier, staff: User, approve: bool, reason: str) -> None:
    """The agency's decision on a self-employed affiliation (runs inside ``dossier_decide``)."""
    affiliation = (
        SelfEmployedAffiliation.objects.select_for_update()
        .filter(pk=_subject(dossier), fund=dossier.fund)
        .first()
    )
    if affiliation is None or affiliation.status != AffiliationStatus.PENDING:
        raise InvalidInput([problem("request", "already_decided")])
    affiliation.status = AffiliationStatus.AFFILIATED if approve else AffiliationStatus.REJECTED
    affiliation.decided_at = timezone.now()
    affiliation.decided_by = staff
    if not approve:
        affiliation.reason = reason[:1000]
    affiliation.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    account_services.audit_record(
        actor=staff,
        action="change",
        obj=affiliation.insured,
        detail=f"self-employed affiliation {affiliation.pk} {affiliation.status}",
    )


# --- self-employed: the annual income ------------------------------------------------------------


_AMOUNT_BLANKS = re.compile(r"[\s\u00a0\u202f]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _parse_income(raw: object, currency: Currency, check: Problems) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = _AMOUNT_BLANKS.sub("", "" if raw is None else str(raw)).translate(_DIGITS)
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if not text:
            check.add("income", "required")
            return None
        try:
            value = currency.parse(text, field="income")
        except InvalidAmount:
            check.add("income", "not_an_amount", value=text[:20], currency=currency.code)
            return None
    if value < 0:
        check.add("income", "negative")
        return None
    if value > MAX_BASE:
        check.add("income", "absurd", max=MAX_BASE // currency.minor_per_major)
        return None
    return value


def _parse_year(raw: object, lowest: int, highest: int, check: Problems) -> int | None:
    text = str(raw if raw is not None else "").strip().translate(_DIGITS)
    if not text:
        check.add("year", "required")
        return None
    if not text.isdigit() or len(text) > 4:
        check.add("year", "year_range", min=lowest, max=highest)
        return None
    year = int(text)
    if not lowest <= year <= highest:
        check.add("year", "year_range", min=lowest, max=highest)
        return None
    return year


@dataclass(frozen=True)
class IncomeChecked:
    affiliation: SelfEmployedAffiliation
    computed: rules.AnnualContribution
    late: bool


def years_open(*, affiliation: SelfEmployedAffiliation, today: dt.date) -> tuple[int, int]:
    """The contribution years that may be declared: from the start of activity (or the
    regime's first year) to this year."""
    regime = self_employed_regime(get_fund(affiliation.fund)) or "dz-casnos"
    return max(affiliation.activity_start.year, rules.first_year(regime)), today.year


def _check_income(
    *, account: Employer, year: object, income: object, today: dt.date
) -> IncomeChecked:
    check = Problems()
    affiliation = SelfEmployedAffiliation.objects.filter(account=account).first()
    if affiliation is None or affiliation.status != AffiliationStatus.AFFILIATED:
        check.add("account", "not_affiliated")
        check.raise_if_any()
    assert affiliation is not None
    fund = get_fund(account.fund)
    regime = self_employed_regime(fund)
    if regime is None:
        raise InvalidInput([problem("fund", "no_self_employed")])
    lowest, highest = years_open(affiliation=affiliation, today=today)
    chosen = _parse_year(year, lowest, highest, check)
    amount = _parse_income(income, fund.currency, check)
    if chosen is not None:
        existing = IncomeDeclaration.objects.filter(account=account, year=chosen).first()
        if existing is not None:
            check.add("year", "already_declared", year=chosen, receipt=existing.receipt_number)
    check.raise_if_any()
    assert chosen is not None and amount is not None
    spec = CATEGORIES.get(affiliation.category)
    computed = rules.annual_contribution(
        regime, year=chosen, income=amount, farmer=spec is not None and spec.farmer
    )
    # The first year of activity has no 31 January to miss.
    late = chosen > affiliation.activity_start.year and today > computed.declaration_due
    return IncomeChecked(affiliation=affiliation, computed=computed, late=late)


def income_preview(
    *, account: Employer, year: object, income: object, today: dt.date | None = None
) -> IncomeChecked:
    """The contribution ``income`` gives for ``year`` and why (nothing written)."""
    return _check_income(account=account, year=year, income=income, today=_today(today))


def income_declare(
    *,
    account: Employer,
    year: object,
    income: object,
    user: User,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> IncomeDeclaration:
    """Declare the income of contribution ``year``: the contribution is computed between the
    regime's floor and ceiling and posted to the ledger as that year's dues (payable by the
    pack's payment deadline). One declaration per year; InvalidInput otherwise."""
    day = _today(today)
    moment = _now(now)
    checked = _check_income(account=account, year=year, income=income, today=day)
    computed = checked.computed
    fund = get_fund(account.fund)
    from tadamun.ledger import services as ledger

    try:
        with transaction.atomic():
            sequence = number_next(series=f"income-receipt:{fund.code}", year=day.year)
            declaration = IncomeDeclaration.objects.create(
                fund=fund.code,
                account=account,
                year=computed.year,
                currency=computed.currency,
                income=computed.income,
                floor=computed.floor,
                ceiling=computed.ceiling,
                base=computed.base,
                base_rule=computed.base_rule,
                contribution=computed.total,
                declaration_due=computed.declaration_due,
                payment_due=computed.payment_due,
                late=checked.late,
                receipt_number=f"REV-{fund.code.upper()}-{day.year}-{sequence:06d}",
                declared_by=user,
                declared_at=moment,
            )
            ledger.ledger_post_dues(
                employer=account,
                source=f"income:{declaration.pk}",
                period_label=str(computed.year),
                due_date=computed.payment_due,
                currency=computed.currency,
                amounts={b.branch: b.amount for b in computed.branches},
                created_by=user,
            )
            return declaration
    except IntegrityError:
        existing = IncomeDeclaration.objects.filter(account=account, year=computed.year).first()
        if existing is None:
            raise
        raise InvalidInput(
            [
                problem(
                    "year",
                    "already_declared",
                    year=computed.year,
                    receipt=existing.receipt_number,
                )
            ]
        ) from None
