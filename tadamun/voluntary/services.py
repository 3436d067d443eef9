"""Writes of the voluntary membership: sign up, decide an unclear sign-up, declare quarters, pay.

Sign-up, all or nothing, in this order:

1. every field is checked (names, birth date, national identification number, a social security
   number's key, nationality, residence, consulate, e-mail, password, both files present) — every
   problem is reported at once and nothing is written;
2. a second sign-up of the same person (same national identification number, or same names and
   birth date) is refused;
3. the automatic eligibility checks (:mod:`tadamun.voluntary.eligibility`) run; any failure is
   refused with each check's reason and nothing is written;
4. in one transaction: the account (Argon2 password; the second factor is enrolled next, through
   the accounts app's TOTP enrolment), both documents through
   :func:`tadamun.documents.services.document_store` (type, size, content, scanning hook), the
   membership row; then either the immatriculation with no agency visit — an insured record with
   its issued number, a contributor account ``registry.Employer(kind=voluntary)`` held by the
   person, and an e-mail with the numbers masked — or, when a document is unclear or the
   registry holds a look-alike record, a dossier in the handling agency's queue
   (``needs_person``), decided later by :func:`membership_decide`.

A file refused by ``document_store`` rolls the whole transaction back (no account, no row) and
the files already written are removed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from tadamun.accounts.models import AuditAction, Language, User
from tadamun.accounts.services import (
    audit_record,
    holder_account_link,
    mask_identifier,
    person_user_create,
    person_user_problems,
)
from tadamun.documents.models import Document
from tadamun.documents.selectors import document_path
from tadamun.documents.services import document_store
from tadamun.dossiers.models import Dossier
from tadamun.dossiers.services import dossier_open
from tadamun.errors import SEPARATOR, InvalidInput, Problem
from tadamun.funds import FundProfile, current_fund
from tadamun.ledger.services import ledger_post_dues, ledger_post_penalties
from tadamun.notifications.services import notify
from tadamun.numbering.services import number_next
from tadamun.payments.models import PaymentIntent
from tadamun.payments.services import payment_start
from tadamun.registry.identifiers import IdentifierScheme
from tadamun.registry.models import ContributorKind, Employer, InsuredPerson
from tadamun.registry.services import employer_create, insured_person_create
from tadamun.registry.validation import Checker, squash
from tadamun.rules.errors import InvalidAmount
from tadamun.voluntary import eligibility, places, selectors
from tadamun.voluntary.models import (
    Activity,
    Membership,
    MembershipStatus,
    QuarterDeclaration,
)
from tadamun.voluntary.problems import (
    Problems,
    already_signed_up,
    label,
    problem,
    refuse,
)
from tadamun.voluntary.quarters import (
    REGIME,
    Quote,
    check_base,
    check_quarters,
    parse_quarter,
    quote,
)
from tadamun.voluntary.verification import document_unclear

log = logging.getLogger(__name__)

DOSSIER_KIND = "voluntary_membership"
_CONSULAR_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9/\-]{3,29}$")
#: Which form field an eligibility check's refusal is shown against.
CHECK_FIELDS = {
    "nationality": "nationality",
    "consular_registration": "country",
    "activity_abroad": "activity",
    "age": "birth_date",
    "not_compulsory": "national_id",
}
SIGNUP_FIELDS = (
    "surname_latin",
    "first_names_latin",
    "surname_arabic",
    "first_names_arabic",
    "birth_date",
    "sex",
    "national_id",
    "previous_ssn",
    "nationality",
    "country",
    "city",
    "consulate",
    "consular_number",
    "activity",
    "email",
    "language",
)


def _today() -> dt.date:
    return timezone.localdate()


class Ineligible(InvalidInput):
    """The sign-up is refused by the eligibility checks; ``checks`` holds every check with its
    reason (passed ones too), for the page."""

    def __init__(self, checks: Sequence[eligibility.Check]) -> None:
        self.checks = list(checks)
        # Each refusal reads as the check's own sentence, in each language.
        super().__init__(
            Problem(
                field=CHECK_FIELDS[c.code],
                code="ineligible",
                texts=dict(c.texts),
                params={"check": c.code},
            )
            for c in checks
            if not c.ok
        )


@dataclass(frozen=True)
class Applicant:
    """The checked fields of a sign-up."""

    surname_latin: str
    first_names_latin: str
    surname_arabic: str
    first_names_arabic: str
    birth_date: dt.date
    sex: str
    national_id: str
    previous_ssn: str
    nationality: str
    country: str
    city: str
    consulate: str
    consular_number: str
    activity: str
    email: str
    language: str


@dataclass(frozen=True)
class SignupOutcome:
    membership: Membership
    user: User
    checks: list[eligibility.Check]
    immatriculated: bool
    unclear: list[dict[str, str]]  # why a person must look, in fr / ar / en


def _clean(
    fund: FundProfile, values: Mapping[str, object], today: dt.date
) -> tuple[Applicant | None, list[Problem]]:
    reg = Checker()
    surname = reg.person_name_latin("surname_latin", values.get("surname_latin"))
    first = reg.person_name_latin("first_names_latin", values.get("first_names_latin"))
    surname_ar = reg.person_name_arabic(
        "surname_arabic", values.get("surname_arabic"), required=True
    )
    first_ar = reg.person_name_arabic(
        "first_names_arabic", values.get("first_names_arabic"), required=True
    )
    birth = reg.birth_date("birth_date", values.get("birth_date"), today=today)
    sex = reg.choice("sex", values.get("sex"), ["F", "M"])
    check = Problems()
    check.extend(reg.problems)
    national_id = ""
    try:
        national_id = fund.national_id.validate(values.get("national_id"), field="national_id")
    except InvalidInput as exc:
        check.extend(exc.problems)
    previous = ""
    if squash(values.get("previous_ssn")):
        try:
            previous = fund.insured_number.validate(
                values.get("previous_ssn"), field="previous_ssn"
            )
        except InvalidInput as exc:
            check.extend(exc.problems)
    codes = places.country_codes()
    found: dict[str, str] = {}
    for field in ("nationality", "country"):
        text = squash(values.get(field)).upper()
        if not text:
            check.add(field, "required")
        elif text not in codes:
            check.add(field, "not_a_choice", value=text[:10], choices="ISO 3166 (DZ, FR…)")
        found[field] = text
    city = squash(values.get("city"))
    if not city:
        check.add("city", "required")
    elif len(city) > 100:
        check.add("city", "too_long", max=100)
    consulate = squash(values.get("consulate")).upper()
    if not consulate:
        check.add("consulate", "required")
    elif consulate not in places.CONSULATES:
        check.add("consulate", "not_a_choice", value=consulate[:40], choices="…")
    consular = squash(values.get("consular_number")).upper().replace(" ", "")
    if not consular:
        check.add("consular_number", "required")
    elif len(consular) > 30:
        check.add("consular_number", "too_long", max=30)
    elif not _CONSULAR_NUMBER.match(consular):
        check.add("consular_number", "bad_format", format="A-Z 0-9 / -, 4–30")
    activity = squash(values.get("activity"))
    if not activity:
        check.add("activity", "required")
    elif activity not in Activity.values:
        check.add(
            "activity", "not_a_choice", value=activity[:20], choices=", ".join(Activity.values)
        )
    language = squash(values.get("language")) or Language.FR.value
    if language not in Language.values:
        check.add(
            "language", "not_a_choice", value=language[:10], choices=", ".join(Language.values)
        )
    email, account_problems = person_user_problems(
        email=values.get("email"),
        password=values.get("password"),
        password_again=values.get("password_again"),
    )
    check.extend(account_problems)
    if check.items or birth is None:
        return None, check.items
    return (
        Applicant(
            surname_latin=surname,
            first_names_latin=first,
            surname_arabic=surname_ar,
            first_names_arabic=first_ar,
            birth_date=birth,
            sex=sex,
            national_id=national_id,
            previous_ssn=previous,
            nationality=found["nationality"],
            country=found["country"],
            city=city,
            consulate=consulate,
            consular_number=consular,
            activity=activity,
            email=email,
            language=language,
        ),
        [],
    )


def _relabelled(found: Problem) -> Problem:
    """A document refusal named with this form's label of the field (which file it was)."""
    names = label(found.field)
    texts = {
        lang: names[lang] + SEPARATOR[lang] + text.split(SEPARATOR[lang], 1)[-1]
        for lang, text in found.texts.items()
    }
    return Problem(field=found.field, code=found.code, texts=texts, params=found.params)


def _remove_files(documents: Sequence[Document]) -> None:
    for document in documents:
        try:
            document_path(document=document).unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove a rolled-back document file")


def membership_signup(
    *,
    values: Mapping[str, object],
    consular_card: UploadedFile | None,
    activity_proof: UploadedFile | None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SignupOutcome:
    """Sign up a national living abroad (see the module docstring). Raises
    :class:`~tadamun.errors.InvalidInput` naming each faulty field, or :class:`Ineligible` with
    every check; in both cases nothing is written."""
    fund = current_fund()
    if not selectors.scheme_runs(fund):
        raise refuse("membership", "not_active")
    day = today or _today()
    moment = now or timezone.now()
    applicant, problems = _clean(fund, values, day)
    if consular_card is None:
        problems.append(problem("consular_card", "required"))
    if activity_proof is None:
        problems.append(problem("activity_proof", "required"))
    if problems or applicant is None:
        raise InvalidInput(problems)
    assert consular_card is not None and activity_proof is not None
    how = selectors.existing_membership(
        fund=fund.code,
        national_id=applicant.national_id,
        surname=applicant.surname_latin,
        first_names=applicant.first_names_latin,
        birth_date=applicant.birth_date,
    )
    facts = selectors.registry_facts(
        fund=fund.code,
        national_id=applicant.national_id,
        ssn=applicant.previous_ssn,
        surname=applicant.surname_latin,
        first_names=applicant.first_names_latin,
        birth_date=applicant.birth_date,
        on=day,
    )
    if how or facts.has_own_account:
        raise already_signed_up(how or "account")
    checks = eligibility.checks(
        eligibility.Facts(
            nationality=applicant.nationality,
            country=applicant.country,
            consular_number=applicant.consular_number,
            activity=applicant.activity,
            birth_date=applicant.birth_date,
            affiliation_date=day,
            open_employment=facts.open_employment,
            contributor_account=facts.contributor_account,
        ),
        selectors.pack(),
    )
    if not eligibility.eligible(checks):
        raise Ineligible(checks)
    agency = selectors.handling_agency(fund=fund.code)
    if agency is None:
        raise RuntimeError("the fund has no agency to handle members abroad")
    stored: list[Document] = []
    try:
        with transaction.atomic():
            user = person_user_create(
                email=applicant.email,
                password=values.get("password"),
                password_again=values.get("password_again"),
                language=applicant.language,
                first_name=applicant.first_names_latin,
                last_name=applicant.surname_latin,
            )
            file_problems: list[Problem] = []
            documents: dict[str, Document] = {}
            for field, upload, kind in (
                ("consular_card", consular_card, "consular_registration"),
                ("activity_proof", activity_proof, "activity_abroad"),
            ):
                try:
                    document = document_store(
                        owner=user, kind=kind, upload=upload, agency=agency, field=field, now=moment
                    )
                except InvalidInput as exc:
                    file_problems.extend(_relabelled(p) for p in exc.problems)
                    continue
                stored.append(document)
                documents[field] = document
            if file_problems:
                raise InvalidInput(file_problems)
            membership = Membership.objects.create(
                fund=fund.code,
                user=user,
                status=MembershipStatus.IN_REVIEW,
                surname_latin=applicant.surname_latin,
                first_names_latin=applicant.first_names_latin,
                surname_arabic=applicant.surname_arabic,
                first_names_arabic=applicant.first_names_arabic,
                birth_date=applicant.birth_date,
                sex=applicant.sex,
                national_id=applicant.national_id,
                nationality=applicant.nationality,
                country=applicant.country,
                city=applicant.city,
                consulate=applicant.consulate,
                consular_number=applicant.consular_number,
                activity=applicant.activity,
                consular_card=documents["consular_card"],
                activity_proof=documents["activity_proof"],
                affiliated_on=day,
                created_at=moment,
            )
            reasons = _unclear_reasons(membership, facts)
            if reasons:
                membership.review_reason = " ".join(r["fr"] for r in reasons)[:1000]
                with translation.override(Language.FR):
                    membership.dossier = dossier_open(
                        kind=DOSSIER_KIND,
                        agency=agency,
                        applicant=user,
                        subject_id=str(membership.pk),
                        needs_person=True,
                        reason=membership.review_reason,
                        documents=list(documents.values()),
                        now=moment,
                    )
                membership.save(update_fields=["review_reason", "dossier"])
                return SignupOutcome(membership, user, checks, False, reasons)
            _immatriculate(membership, match=facts.match, now=moment)
            return SignupOutcome(membership, user, checks, True, [])
    except IntegrityError:
        _remove_files(stored)
        # A concurrent sign-up of the same person won the race for the unique national id.
        if Membership.objects.filter(fund=fund.code, national_id=applicant.national_id).exists():
            raise already_signed_up("national_id") from None
        raise
    except BaseException:
        _remove_files(stored)
        raise


def _unclear_reasons(
    membership: Membership, facts: selectors.RegistryFacts
) -> list[dict[str, str]]:
    """Why a person must look before the immatriculation (empty: the machine decides)."""
    reasons: list[dict[str, str]] = []
    for field, document, expected in (
        ("consular_card", membership.consular_card, membership.consular_number),
        ("activity_proof", membership.activity_proof, membership.surname_latin),
    ):
        unclear = document_unclear(document, field=field, expected=expected)
        if unclear is not None:
            reasons.append(unclear.texts)
    match = facts.match
    if match is not None and facts.by_national_id is None and match.national_id:
        reasons.append(
            {
                "fr": "Le numéro de sécurité sociale donné appartient à un dossier dont le NIN "
                "diffère : un agent vérifie.",
                "ar": "رقم الضمان الاجتماعي المقدَّم يخص ملفًا برقم تعريف وطني مختلف: يتحقق موظف.",
                "en": "The social security number given belongs to a record with another NIN: an "
                "agent checks.",
            }
        )
    elif match is None and facts.same_names:
        reasons.append(
            {
                "fr": "Une personne de mêmes noms et date de naissance est déjà immatriculée : "
                "un agent vérifie qu'il ne s'agit pas de vous.",
                "ar": "شخص بنفس الاسم وتاريخ الميلاد مسجَّل مسبقًا: يتحقق موظف من أنه ليس أنت.",
                "en": "A person with the same names and birth date is already registered: an "
                "agent checks it is not you.",
            }
        )
    return reasons


def _issue(scheme: IdentifierScheme, series: str, taken: type[InsuredPerson | Employer]) -> str:
    """The next unused number of ``scheme`` (with its key), from a gapless counter; numbers
    already in the registry (imported, seeded) are skipped."""
    assert scheme.issue is not None
    fund = current_fund().code
    field = "ssn" if taken is InsuredPerson else "affiliate_number"
    while True:
        serial = number_next(series=f"{series}:{fund}", year=0)
        number = scheme.issue(serial)
        if not taken.objects.filter(fund=fund, **{field: number}).exists():
            return number


def _immatriculate(
    membership: Membership, *, match: InsuredPerson | None, now: dt.datetime
) -> None:
    """The insured record (the one found by NIN or social security number, else a new one with
    an issued number), the member's contributor account, the link to their user account, and
    the e-mail with the numbers masked."""
    fund = current_fund()
    insured = match
    if insured is None:
        insured = insured_person_create(
            ssn=_issue(fund.insured_number, "insured-number", InsuredPerson),
            surname_latin=membership.surname_latin,
            first_names_latin=membership.first_names_latin,
            surname_arabic=membership.surname_arabic,
            first_names_arabic=membership.first_names_arabic,
            birth_date=membership.birth_date,
            sex=membership.sex,
            national_id=membership.national_id,
            fund=fund.code,
        )
    agency = selectors.handling_agency(fund=fund.code)
    assert agency is not None
    account = employer_create(
        affiliate_number=_issue(fund.employer_number, "employer-number", Employer),
        name_latin=f"{membership.surname_latin} {membership.first_names_latin}"[:200],
        name_arabic=f"{membership.surname_arabic} {membership.first_names_arabic}"[:200],
        agency=agency,
        declaration_periodicity="quarterly",
        fund=fund.code,
        kind=ContributorKind.VOLUNTARY,
        holder=insured,
    )
    user = membership.user
    holder_account_link(user=user, insured=insured, employer=account, now=now)
    membership.insured = insured
    membership.account = account
    membership.status = MembershipStatus.ACTIVE
    membership.decided_at = now
    membership.save(update_fields=["insured", "account", "status", "decided_at"])
    with translation.override(user.preferred_language):
        link = reverse("voluntary:space")
    notify(
        user=user,
        template="voluntary/notifications/immatriculated.txt",
        context={
            "name": f"{membership.first_names_latin} {membership.surname_latin}",
            "number": mask_identifier(insured.ssn),
            "account": mask_identifier(account.affiliate_number),
            "affiliated_on": membership.affiliated_on,
        },
        link=link,
        now=now,
    )


def membership_decide(*, dossier: Dossier, staff: User, approve: bool, reason: str) -> None:
    """The agency's decision on an unclear sign-up (called by ``dossiers.services.dossier_decide``
    inside its transaction). Approval re-checks that the person is still not compulsorily
    affiliated nor already holding an account, then immatriculates as the automatic path does;
    a refusal keeps the record with the reason (the dossier notifies the applicant)."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "consular_card", "activity_proof")
        .filter(pk=int(dossier.subject_id or 0), fund=dossier.fund)
        .first()
    )
    if membership is None or membership.status != MembershipStatus.IN_REVIEW:
        raise refuse("membership", "already_decided")
    now = timezone.now()
    audit_record(
        actor=staff,
        action=AuditAction.CHANGE,
        obj=membership,
        detail=f"voluntary membership {'approved' if approve else 'refused'}",
    )
    if not approve:
        membership.status = MembershipStatus.REJECTED
        membership.review_reason = reason[:1000]
        membership.decided_at = now
        membership.save(update_fields=["status", "review_reason", "decided_at"])
        return
    facts = selectors.registry_facts(
        fund=membership.fund,
        national_id=membership.national_id,
        ssn="",
        surname=membership.surname_latin,
        first_names=membership.first_names_latin,
        birth_date=membership.birth_date,
        on=timezone.localdate(),
    )
    checks = eligibility.checks(
        eligibility.Facts(
            nationality=membership.nationality,
            country=membership.country,
            consular_number=membership.consular_number,
            activity=membership.activity,
            birth_date=membership.birth_date,
            affiliation_date=membership.affiliated_on,
            open_employment=facts.open_employment,
            contributor_account=facts.contributor_account,
        ),
        selectors.pack(),
    )
    if not eligibility.eligible(checks):
        raise Ineligible(checks)
    _immatriculate(membership, match=facts.by_national_id, now=now)


# --- quarterly declarations and payment ---------------------------------------------------------


@dataclass(frozen=True)
class QuarterChoice:
    monthly_base: int
    quarters: list[str]
    quote: Quote


def quarters_choose(
    *,
    membership: Membership,
    monthly_base: object,
    quarters: Sequence[object],
    today: dt.date | None = None,
) -> QuarterChoice:
    """Check the member's choice (base and quarters) and compute what it costs; writes nothing.
    Every refusal names the field and, for a quarter, the quarter and the rule."""
    if membership.status != MembershipStatus.ACTIVE or membership.account is None:
        raise refuse("membership", "not_active")
    day = today or _today()
    pack = selectors.pack()
    currency = pack.currency
    check = Problems()
    base = 0
    try:
        text = squash(monthly_base).replace(" ", "").replace(",", ".")
        base = currency.parse(text, field="monthly_base")
        if base <= 0:
            raise InvalidAmount("monthly_base: not positive")
    except InvalidAmount:
        check.add(
            "monthly_base",
            "not_an_amount",
            currency=currency.code,
            example=currency.format(7_200_000),
        )
    chosen = []
    for raw in quarters:
        period = parse_quarter(str(raw))
        if period is None:
            check.add("quarters", "not_a_quarter", value=str(raw)[:20])
        elif period not in chosen:
            chosen.append(period)
    if not check.has("quarters"):
        check.extend(
            check_quarters(
                pack,
                chosen,
                affiliated_on=membership.affiliated_on,
                today=day,
                declared=selectors.declared_quarters(membership=membership),
            )
        )
    if not check.has("monthly_base") and not check.has("quarters"):
        check.extend(check_base(pack, base, chosen))
    check.raise_if_any()
    result = quote(
        monthly_base=base, chosen=chosen, affiliated_on=membership.affiliated_on, today=day
    )
    return QuarterChoice(
        monthly_base=base, quarters=[p.label for p in sorted(chosen)], quote=result
    )


def quarters_declare(
    *,
    membership: Membership,
    user: User,
    monthly_base: object,
    quarters: Sequence[object],
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> QuarterChoice:
    """Declare the chosen quarters: one declaration row per quarter, their dues posted to the
    member's account (one ``due`` per branch), then the late-payment surcharges the ledger owes
    on ``today`` under the ``dz-abroad`` schedule. All or nothing."""
    day = today or _today()
    moment = now or timezone.now()
    with transaction.atomic():
        # One declaration of a member at a time: the "already declared" check holds.
        Membership.objects.select_for_update().filter(pk=membership.pk).first()
        choice = quarters_choose(
            membership=membership, monthly_base=monthly_base, quarters=quarters, today=day
        )
        account = membership.account
        assert account is not None
        rows = []
        for line in choice.quote.lines:
            source = f"voluntary:{membership.pk}:{line.period.label}"
            ledger_post_dues(
                employer=account,
                source=source,
                period_label=line.period.label,
                due_date=line.due,
                currency=choice.quote.currency.code,
                amounts=line.amounts,
                created_by=user,
            )
            rows.append(
                QuarterDeclaration(
                    membership=membership,
                    quarter=line.period.label,
                    period_start=line.period.start,
                    kind=line.kind,
                    monthly_base=line.monthly_base,
                    contribution=line.contribution,
                    surcharge=line.surcharge,
                    currency=choice.quote.currency.code,
                    due_date=line.due,
                    source=source,
                    declared_at=moment,
                    declared_by=user,
                )
            )
        QuarterDeclaration.objects.bulk_create(rows)
        ledger_post_penalties(employer=account, on=day, created_by=user, regime=REGIME)
    return choice


def quarters_pay_start(
    *,
    membership: Membership,
    user: User,
    idempotency_key: str,
    return_url: str,
    callback_url: str,
    today: dt.date | None = None,
) -> tuple[PaymentIntent, str]:
    """Start the card payment of everything still open on the member's account (the quarters
    just declared, and any left unpaid before) through the payments app's gateway."""
    if membership.status != MembershipStatus.ACTIVE or membership.account is None:
        raise refuse("membership", "not_active")
    state = selectors.coverage(membership=membership, today=today or _today())
    return payment_start(
        employer=membership.account,
        amount=state.open_total,
        user=user,
        idempotency_key=idempotency_key,
        return_url=return_url,
        callback_url=callback_url,
    )
