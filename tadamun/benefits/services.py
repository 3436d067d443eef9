"""Pension estimates from the record, and the online retirement request.

The estimate is :func:`tadamun.rules.pensions.estimate` over the person's career as declared
(:mod:`tadamun.benefits.career`), under the regime of their affiliation, optionally with future
years added. The request keeps the estimate the person saw; the agency's decision computes the
pension again from the record as it stands then, and that amount is the one awarded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.benefits import bank
from tadamun.benefits.career import Career, DeclaredPeriod, career
from tadamun.benefits.models import RequestStatus, RetirementRequest
from tadamun.declarations.selectors import insured_declaration_lines
from tadamun.documents.models import Document
from tadamun.documents.services import document_files_remove, document_store
from tadamun.dossiers import services as dossiers
from tadamun.dossiers.models import Dossier
from tadamun.errors import InvalidInput, Problem
from tadamun.funds import get_fund
from tadamun.insured.selectors import family_members
from tadamun.registry.models import Agency, ContributorKind, InsuredPerson
from tadamun.registry.selectors import accounts_held, agency_list, insured_person_employments
from tadamun.rules.errors import RulesError
from tadamun.rules.money import Currency
from tadamun.rules.pensions import PensionEstimate, estimate

MAX_EXTRA_YEARS = 45
#: The documents a retirement request needs, by field: an identity document and proof of the
#: bank account the pension is to be paid into.
REQUIRED_DOCUMENTS = ("identity_document", "bank_proof")


def _problem(field: str, code: str, fr: str, ar: str, en: str) -> Problem:
    return Problem(field=field, code=code, texts={"fr": fr, "ar": ar, "en": en})


def regime_for(insured: InsuredPerson) -> str:
    """The regime whose pension rules apply: the person's own account's (self-employed, member
    abroad) when they hold one and have no employment, else the employers' regime."""
    fund = get_fund(insured.fund)
    wanted = {ContributorKind.SELF_EMPLOYED: "dz-casnos", ContributorKind.VOLUNTARY: "dz-abroad"}
    if not insured_person_employments(insured=insured):
        for account in accounts_held(insured=insured):
            regime = wanted.get(ContributorKind(account.kind))
            if regime in fund.regimes:
                return regime
    return fund.employer_regime


def _periods(insured: InsuredPerson) -> list[DeclaredPeriod]:
    return [
        DeclaredPeriod(
            start=line.declaration.period_start,
            end=line.declaration.period_end,
            wage=line.wage,
            days=line.days,
        )
        for line in insured_declaration_lines(insured_id=insured.pk, fund=insured.fund)
    ]


@dataclass(frozen=True)
class Estimate:
    regime: str
    career: Career
    result: PensionEstimate | None
    #: Why there is no result: nothing declared, or rules without a value on that date.
    unavailable: str = ""


def parse_options(
    *, extra_years: object, future_wage: object, children: object, start: object, currency: str
) -> tuple[int, int | None, int | None, dt.date | None]:
    """The estimate form's fields, checked; InvalidInput names each faulty one."""
    problems: list[Problem] = []
    years = 0
    if isinstance(extra_years, str) and extra_years.strip():
        text = extra_years.strip()
        if not text.isdigit() or int(text) > MAX_EXTRA_YEARS:
            problems.append(
                _problem(
                    "extra_years",
                    "out_of_range",
                    f"indiquez un nombre d'années entre 0 et {MAX_EXTRA_YEARS}",
                    f"أدخل عدد سنوات بين 0 و{MAX_EXTRA_YEARS}",
                    f"give a number of years between 0 and {MAX_EXTRA_YEARS}",
                )
            )
        else:
            years = int(text)
    wage: int | None = None
    if isinstance(future_wage, str) and future_wage.strip():
        digits = Currency.of(currency).decimals
        try:
            amount = Decimal(future_wage.strip().replace(" ", "").replace(",", "."))
            if not amount.is_finite() or amount < 0 or amount > Decimal(10) ** 9:
                raise InvalidOperation
            wage = int((amount * (10**digits)).to_integral_value())
            if Decimal(wage) != amount * (10**digits):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                _problem(
                    "future_wage",
                    "bad_amount",
                    f"indiquez un salaire mensuel positif, avec au plus {digits} décimales",
                    f"أدخل أجرًا شهريًا موجبًا بـ{digits} أرقام عشرية على الأكثر",
                    f"give a positive monthly wage with at most {digits} decimals",
                )
            )
    kids: int | None = None
    if isinstance(children, str) and children.strip():
        if not children.strip().isdigit() or int(children.strip()) > 20:
            problems.append(
                _problem(
                    "children",
                    "out_of_range",
                    "indiquez un nombre d'enfants entre 0 et 20",
                    "أدخل عدد أطفال بين 0 و20",
                    "give a number of children between 0 and 20",
                )
            )
        else:
            kids = int(children.strip())
    when: dt.date | None = None
    if isinstance(start, str) and start.strip():
        try:
            when = dt.date.fromisoformat(start.strip())
        except ValueError:
            problems.append(
                _problem(
                    "start",
                    "bad_date",
                    "indiquez une date au format AAAA-MM-JJ",
                    "أدخل تاريخًا بالصيغة سنة-شهر-يوم",
                    "give a date as YYYY-MM-DD",
                )
            )
    if problems:
        raise InvalidInput(problems)
    return years, wage, kids, when


def _children(insured: InsuredPerson, today: dt.date) -> int:
    return sum(
        1 for row in family_members(insured=insured, on=today) if row.member.relation == "child"
    )


def pension_estimate(
    *,
    insured: InsuredPerson,
    extra_years: int = 0,
    future_wage: int | None = None,
    children: int | None = None,
    start: dt.date | None = None,
    today: dt.date | None = None,
) -> Estimate:
    """The person's pension estimate from their record (plus ``extra_years`` of work at
    ``future_wage``, by default the average of their last twelve declared months)."""
    day = today or timezone.localdate()
    regime = regime_for(insured)
    fund = get_fund(insured.fund)
    built = career(
        periods=_periods(insured),
        birth_date=insured.birth_date,
        sex=insured.sex,
        children=_children(insured, day) if children is None else children,
        currency=fund.currency_code,
        today=day,
        extra_years=extra_years,
        future_wage=future_wage,
    )
    if built.history is None:
        return Estimate(regime, built, None, "nothing_declared")
    if start is not None and start <= insured.birth_date:
        return Estimate(regime, built, None, "bad_start")
    try:
        result = estimate(fund.pack(regime), built.history, start=start)
    except RulesError:
        return Estimate(regime, built, None, "no_rules")
    return Estimate(regime, built, result)


def estimate_snapshot(result: PensionEstimate) -> dict[str, Any]:
    data: dict[str, Any] = result.to_json()
    return data


# --- retirement request --------------------------------------------------------------------------


def _already_requested() -> Problem:
    return _problem(
        "start",
        "already_requested",
        "une demande de retraite est déjà en cours ou acceptée",
        "يوجد طلب تقاعد قيد المعالجة أو مقبول",
        "a retirement request is already in progress or approved",
    )


def _agency_of(insured: InsuredPerson) -> Agency:
    """The agency that handles the person: their latest employer's, else their own account's,
    else the fund's first (a person with no link to any agency is still served)."""
    employments = insured_person_employments(insured=insured)
    if employments:
        return employments[-1].employer.agency
    held = accounts_held(insured=insured)
    if held:
        return held[-1].agency
    agency = agency_list(fund=insured.fund).first()
    if agency is None:
        raise RuntimeError(f"fund {insured.fund} has no agency")
    return agency


def retirement_request_submit(
    *,
    user: User,
    insured: InsuredPerson,
    start: object,
    bank_account: object,
    documents: dict[str, UploadedFile | None],
    now: dt.datetime | None = None,
) -> RetirementRequest:
    """Check eligibility on ``start`` from the record, the bank account and the documents, and
    open the request with its dossier for the agency. Every problem is named at once; on any of
    them nothing is written (no request, no dossier, no stored document)."""
    moment = now or timezone.now()
    today = timezone.localtime(moment).date()
    problems: list[Problem] = []
    when: dt.date | None = None
    if not isinstance(start, str) or not start.strip():
        problems.append(
            _problem("start", "required", "est obligatoire", "حقل إلزامي", "is required")
        )
    else:
        try:
            when = dt.date.fromisoformat(start.strip())
        except ValueError:
            problems.append(
                _problem(
                    "start",
                    "bad_date",
                    "indiquez une date au format AAAA-MM-JJ",
                    "أدخل تاريخًا بالصيغة سنة-شهر-يوم",
                    "give a date as YYYY-MM-DD",
                )
            )
    if when is not None and not (today <= when <= today + dt.timedelta(days=366)):
        problems.append(
            _problem(
                "start",
                "out_of_range",
                "la date de départ doit être dans les douze prochains mois",
                "يجب أن يكون تاريخ الإحالة خلال الاثني عشر شهرًا القادمة",
                "the start date must be within the next twelve months",
            )
        )
        when = None
    account = ""
    try:
        account = bank.clean_account(bank_account, country=get_fund(insured.fund).country)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    for field in REQUIRED_DOCUMENTS:
        if documents.get(field) is None:
            problems.append(
                _problem(field, "required", "est obligatoire", "حقل إلزامي", "is required")
            )
    if RetirementRequest.objects.filter(
        insured=insured, status__in=[RequestStatus.SUBMITTED, RequestStatus.APPROVED]
    ).exists():
        problems.append(_already_requested())
    seen: Estimate | None = None
    if when is not None:
        seen = pension_estimate(insured=insured, start=when, today=today)
        if seen.result is None or not seen.result.eligible:
            problems.append(
                _problem(
                    "start",
                    "not_eligible",
                    "à cette date, votre dossier ne donne pas droit à une pension (voir "
                    "l'estimation)",
                    "في هذا التاريخ، لا يخوّلك سجلك الحق في معاش (انظر التقدير)",
                    "on that date your record gives no right to a pension (see the estimate)",
                )
            )
    if problems:
        raise InvalidInput(problems)
    assert when is not None and seen is not None and seen.result is not None
    agency = _agency_of(insured)
    stored: list[Document] = []
    try:
        with transaction.atomic():
            for field in REQUIRED_DOCUMENTS:
                upload = documents[field]
                assert upload is not None
                stored.append(
                    document_store(
                        owner=user, kind=f"retirement:{field}", upload=upload, field=field
                    )
                )
            request = RetirementRequest.objects.create(
                insured=insured,
                applicant=user,
                regime=seen.regime,
                currency=get_fund(insured.fund).currency_code,
                requested_start=when,
                bank_account=account,
                estimate=estimate_snapshot(seen.result),
                estimated_monthly_gross=seen.result.monthly_gross,
                submitted_at=moment,
            )
            request.dossier = dossiers.dossier_open(
                kind="retirement",
                agency=agency,
                applicant=user,
                insured=insured,
                subject_id=str(request.pk),
                expected_next="nothing",
                documents=stored,
                now=moment,
            )
            request.save(update_fields=["dossier"])
    except IntegrityError:
        # Two submissions at once: the constraint let one through.
        document_files_remove(documents=stored)
        raise InvalidInput([_already_requested()]) from None
    except BaseException:
        document_files_remove(documents=stored)
        raise
    return request


def retirement_decide(*, dossier: Dossier, staff: User, approve: bool, reason: str) -> None:
    """The agency's decision on a retirement request (called by ``dossier_decide``). Approval
    computes the pension from the record as it stands now, on the requested start date; a
    record that no longer gives a right to a pension refuses the approval."""
    request = RetirementRequest.objects.select_for_update().get(pk=int(dossier.subject_id))
    moment = timezone.now()
    if not approve:
        request.status = RequestStatus.REJECTED
        request.decided_at = moment
        request.save(update_fields=["status", "decided_at"])
        return
    final = pension_estimate(
        insured=request.insured, start=request.requested_start, today=timezone.localdate()
    )
    if final.result is None or not final.result.eligible:
        raise InvalidInput(
            [
                _problem(
                    "approve",
                    "not_eligible",
                    "le dossier ne donne plus droit à une pension à la date demandée",
                    "لم يعد السجل يخوّل الحق في معاش في التاريخ المطلوب",
                    "the record no longer gives a right to a pension on the requested date",
                )
            ]
        )
    request.status = RequestStatus.APPROVED
    request.decided_at = moment
    request.awarded_monthly_gross = final.result.monthly_gross
    request.awarded_estimate = estimate_snapshot(final.result)
    request.save(
        update_fields=["status", "decided_at", "awarded_monthly_gross", "awarded_estimate"]
    )
