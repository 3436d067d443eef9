"""Issuing, re-checking and revoking certificates, and verifying a presented one.

A certificate states a situation — an affiliation in force, the wages declared for a year, an
employer with nothing overdue — as facts read from the record when it is issued. Those facts are
signed (:mod:`tadamun.certificates.signing`) and stored. Whenever the fund is asked about a
certificate (the public verification page) and by the periodic sweep, the facts are read again:
if the situation they state no longer holds, the certificate is revoked then, with the reason.
Re-reading rather than hooking every write of the ledger, the declarations and the registry keeps
those apps unaware of certificates (no signals), and a verifier is never told "valid" about a
situation that has changed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.accounts.services import mask_identifier
from tadamun.certificates import keys, signing
from tadamun.certificates.models import Certificate, CertificateKind, RevocationReason
from tadamun.declarations.selectors import PeriodState, insured_declared_year, periods_due
from tadamun.errors import InvalidInput, Problem
from tadamun.ledger.selectors import ledger_due_schedule
from tadamun.numbering.services import number_next
from tadamun.registry.models import Employer, InsuredPerson
from tadamun.registry.selectors import accounts_held, insured_person_employments

log = logging.getLogger("tadamun.certificates")

#: How long a certificate may be relied upon after its date of issue.
VALIDITY = dt.timedelta(days=90)
#: How many recent periods an employer must have declared to be "up to date".
PERIODS_CHECKED = 12


def _problem(field: str, code: str, fr: str, ar: str, en: str) -> InvalidInput:
    return InvalidInput([Problem(field=field, code=code, texts={"fr": fr, "ar": ar, "en": en})])


# --- the facts each kind states ------------------------------------------------------------------


def _affiliation_facts(insured: InsuredPerson, today: dt.date) -> dict[str, str]:
    employments = insured_person_employments(insured=insured)
    held = accounts_held(insured=insured)
    starts = [e.start_date for e in employments] + [a.created_at.date() for a in held]
    active = bool(held) or any(
        e.start_date <= today and (e.end_date is None or e.end_date >= today) for e in employments
    )
    return {
        "since": min(starts).isoformat() if starts else "",
        "active": "yes" if active else "no",
    }


def _wages_facts(insured: InsuredPerson, year: int) -> dict[str, str]:
    declared = insured_declared_year(insured_id=insured.pk, fund=insured.fund, year=year)
    return {
        "year": str(year),
        "currency": declared.currency,
        "wages": str(declared.wages),
        "days": str(declared.days),
        "employers": str(declared.employers),
    }


def _employer_facts(employer: Employer, today: dt.date) -> dict[str, str]:
    schedule = ledger_due_schedule(employer=employer, on=today)
    overdue = sum(line.open for line in schedule.lines if line.overdue)
    opened = employer.created_at.date()
    late = [
        row
        for row in periods_due(employer=employer, today=today, count=PERIODS_CHECKED)
        if row.state == PeriodState.LATE and row.period.end >= opened
    ]
    return {
        "currency": schedule.currency,
        "overdue": str(overdue),
        "late_periods": str(len(late)),
    }


def _facts_now(certificate: Certificate, today: dt.date) -> dict[str, str]:
    if certificate.kind == CertificateKind.AFFILIATION:
        assert certificate.insured is not None
        return _affiliation_facts(certificate.insured, today)
    if certificate.kind == CertificateKind.WAGES:
        assert certificate.insured is not None and certificate.year is not None
        return _wages_facts(certificate.insured, certificate.year)
    assert certificate.employer is not None
    return _employer_facts(certificate.employer, today)


def _changed(certificate: Certificate, now: dict[str, str]) -> str:
    """The code of why the situation ``certificate`` states no longer holds, or ``""``."""
    stated = certificate.facts
    if certificate.kind == CertificateKind.AFFILIATION:
        return RevocationReason.AFFILIATION_ENDED if now["active"] != "yes" else ""
    if certificate.kind == CertificateKind.WAGES:
        changed = any(now[key] != stated.get(key) for key in ("wages", "days", "employers"))
        return RevocationReason.WAGES_CHANGED if changed else ""
    if now["overdue"] != "0" or now["late_periods"] != "0":
        return RevocationReason.EMPLOYER_OVERDUE
    return ""


# --- issuing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    holder: str
    identifier_masked: str
    fund: str


def _subject(insured: InsuredPerson | None, employer: Employer | None) -> Subject:
    if insured is not None:
        name = f"{insured.surname_latin} {insured.first_names_latin}".strip()
        if insured.surname_arabic:
            name = f"{name} / {insured.surname_arabic} {insured.first_names_arabic}".strip()
        return Subject(name, mask_identifier(insured.ssn), insured.fund)
    assert employer is not None
    name = employer.name_latin
    if employer.name_arabic:
        name = f"{name} / {employer.name_arabic}"
    # An employer's number is public (it is printed on every payslip): kept whole so that a
    # buyer checking a tender can match it.
    return Subject(name, employer.affiliate_number, employer.fund)


def certificate_issue(
    *,
    kind: str,
    requested_by: User,
    insured: InsuredPerson | None = None,
    employer: Employer | None = None,
    year: int | None = None,
    now: dt.datetime | None = None,
) -> Certificate:
    """Issue a certificate of ``kind`` about ``insured`` (affiliation, wages for ``year``) or
    ``employer`` (up to date), signed with the fund's key. The caller has checked that
    ``requested_by`` may act for the subject. Refused, with the reason, when the situation to
    certify does not hold."""
    moment = now or timezone.now()
    today = timezone.localtime(moment).date()
    if kind not in CertificateKind.values:
        raise _problem(
            "kind",
            "unknown_kind",
            "ce type d'attestation n'existe pas",
            "هذا النوع من الشهادات غير موجود",
            "there is no such kind of certificate",
        )
    person_kind = kind in (CertificateKind.AFFILIATION, CertificateKind.WAGES)
    if (person_kind and insured is None) or (not person_kind and employer is None):
        raise _problem(
            "kind",
            "wrong_subject",
            "ce type d'attestation ne concerne pas ce compte",
            "هذا النوع من الشهادات لا يخص هذا الحساب",
            "this kind of certificate is not about this account",
        )
    if kind == CertificateKind.WAGES:
        if year is None or not (1950 <= year <= today.year):
            raise _problem(
                "year",
                "bad_year",
                f"indiquez une année entre 1950 et {today.year}",
                f"أدخل سنة بين 1950 و{today.year}",
                f"give a year between 1950 and {today.year}",
            )
        facts = _wages_facts(insured, year)  # type: ignore[arg-type]
        if facts["wages"] == "0" and facts["days"] == "0":
            raise _problem(
                "year",
                "nothing_declared",
                f"aucun salaire n'a été déclaré pour vous en {year}",
                f"لم يُصرَّح بأي أجر باسمك سنة {year}",
                f"no wages were declared for you in {year}",
            )
    elif kind == CertificateKind.AFFILIATION:
        facts = _affiliation_facts(insured, today)  # type: ignore[arg-type]
        if facts["active"] != "yes":
            raise _problem(
                "kind",
                "not_affiliated",
                "aucune affiliation en cours à attester",
                "لا يوجد انتساب سارٍ للإشهاد عليه",
                "there is no affiliation in force to certify",
            )
        year = None
    else:
        facts = _employer_facts(employer, today)  # type: ignore[arg-type]
        if facts["overdue"] != "0" or facts["late_periods"] != "0":
            raise _problem(
                "kind",
                "not_up_to_date",
                "des cotisations ou des déclarations sont en retard : régularisez d'abord",
                "توجد اشتراكات أو تصريحات متأخرة: قم بتسويتها أولًا",
                "contributions or declarations are overdue: settle them first",
            )
        facts["as_of"] = today.isoformat()
        year = None
    subject = _subject(insured, employer)
    private_key = keys.private_key()
    with transaction.atomic():
        serial = number_next(series="certificate", year=today.year)
        number = f"CERT-{today.year}-{serial:06d}"
        statement = signing.Statement(
            kid=signing.key_id(private_key.public_key()),
            fund=subject.fund,
            kind=kind,
            number=number,
            holder=subject.holder,
            identifier=subject.identifier_masked,
            issued=today,
            valid_until=today + VALIDITY,
            facts=facts,
        )
        certificate = Certificate.objects.create(
            number=number,
            fund=subject.fund,
            kind=kind,
            insured=insured,
            employer=employer,
            year=year,
            holder=subject.holder,
            identifier_masked=subject.identifier_masked,
            facts=facts,
            issued_on=today,
            valid_until=statement.valid_until,
            issued_at=moment,
            requested_by=requested_by,
            key_id=statement.kid,
            token=signing.sign(statement, private_key),
        )
    log.info("certificate issued number=%s kind=%s", number, kind)
    return certificate


def certificate_revoke(
    *, certificate: Certificate, reason: str, now: dt.datetime | None = None
) -> Certificate:
    """Revoke ``certificate`` for ``reason`` (a :class:`RevocationReason`) — once: a
    revoked certificate keeps its first reason."""
    updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now(), revoked_reason=reason
    )
    if updated:
        log.info("certificate revoked number=%s reason=%s", certificate.number, reason)
    certificate.refresh_from_db(fields=["revoked_at", "revoked_reason"])
    return certificate


def certificate_revalidate(
    *, certificate: Certificate, now: dt.datetime | None = None
) -> Certificate:
    """Read the record again and revoke ``certificate`` if what it states no longer holds."""
    if certificate.revoked_at is not None:
        return certificate
    moment = now or timezone.now()
    reason = _changed(certificate, _facts_now(certificate, timezone.localtime(moment).date()))
    if reason:
        return certificate_revoke(certificate=certificate, reason=reason, now=moment)
    return certificate


def certificates_sweep(*, now: dt.datetime | None = None) -> int:
    """Re-check every certificate still in force (the periodic job); the number revoked."""
    moment = now or timezone.now()
    today = timezone.localtime(moment).date()
    revoked = 0
    live = Certificate.objects.filter(revoked_at__isnull=True, valid_until__gte=today)
    for certificate in live.select_related("insured", "employer").iterator(chunk_size=500):
        if certificate_revalidate(certificate=certificate, now=moment).revoked_at is not None:
            revoked += 1
    return revoked


# --- verifying -----------------------------------------------------------------------------------


class Outcome:
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    FORGED = "forged"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    UNKNOWN = "unknown"  # well signed, but this fund has no such certificate


@dataclass(frozen=True)
class Verification:
    outcome: str
    statement: signing.Statement | None = None
    certificate: Certificate | None = None


def certificate_verify(
    *, token: str, now: dt.datetime | None = None, client: str = ""
) -> Verification:
    """What the fund says about a presented token: valid, revoked (and why), expired, or not a
    certificate of this fund — and why not. Every verification is logged (outcome, number, the
    client's address), a tampered token included."""
    moment = now or timezone.now()
    try:
        statement = signing.verify(token, keys.public_keys())
    except signing.TokenError as exc:
        log.warning("certificate verification refused outcome=%s client=%s", exc.code, client)
        return Verification(outcome=exc.code)
    certificate = (
        Certificate.objects.select_related("insured", "employer")
        .filter(number=statement.number, fund=statement.fund)
        .first()
    )
    if certificate is None or certificate.token != token.strip():
        # Signed by our key but never issued as such: a leaked key or a restored database.
        outcome = Outcome.UNKNOWN
    else:
        certificate = certificate_revalidate(certificate=certificate, now=moment)
        if certificate.revoked_at is not None:
            outcome = Outcome.REVOKED
        elif certificate.valid_until < timezone.localtime(moment).date():
            outcome = Outcome.EXPIRED
        else:
            outcome = Outcome.VALID
    log.info(
        "certificate verified outcome=%s number=%s client=%s", outcome, statement.number, client
    )
    if outcome == Outcome.UNKNOWN:
        return Verification(outcome=outcome, statement=statement)
    return Verification(outcome=outcome, statement=statement, certificate=certificate)
