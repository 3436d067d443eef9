"""Writes of the insured person's space: one function per action, keyword-only, all or nothing.

Self-registration (:func:`registration_start` → :func:`registration_verify` →
:func:`registration_complete`) is enumeration-safe: whatever the number and birth date, the
visitor gets the same answer ("if the details match a registered person, a code has been sent")
and the same next page; only a person whose details match receives a code, by e-mail. Codes are
6 digits, stored as a keyed hash, valid 15 minutes, 5 attempts; a number gets at most 3
attempts an hour and an address 10, each refusal logged with the number masked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tadamun.accounts.models import User
from tadamun.accounts.services import mask_identifier
from tadamun.api.services import log_row_insert
from tadamun.errors import SEPARATOR, InvalidInput, Problem
from tadamun.funds import current_fund, get_fund
from tadamun.insured import cards, selectors, tasks
from tadamun.insured.models import (
    CareCard,
    EmailChallenge,
    FamilyMember,
    LookupResult,
    Relation,
    RightsLookup,
    RightsStatus,
)
from tadamun.insured.problems import LABELS, problem, refuse
from tadamun.jobs import enqueue
from tadamun.registry.models import InsuredPerson
from tadamun.registry.validation import squash

log = logging.getLogger(__name__)

CODE_VALIDITY = dt.timedelta(minutes=15)
CODE_ATTEMPTS = 5
#: After the code is accepted, how long the visitor has to choose a password.
PASSWORD_WINDOW = dt.timedelta(minutes=30)
THROTTLE_WINDOW = dt.timedelta(hours=1)
PER_NUMBER_PER_WINDOW = 3
PER_IP_PER_WINDOW = 10
#: What the registration mail job sends.
MAIL_NONE = "none"
MAIL_CODE = "code"
MAIL_ALREADY_REGISTERED = "already_registered"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _keyed(text: str) -> str:
    """HMAC-SHA256 with the site's secret: a number or a code can be compared, not recovered."""
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def _code_hash(challenge_salt: str, code: str) -> str:
    return _keyed(f"code:{challenge_salt}:{code}")


# --- self-registration ---------------------------------------------------------------------------


class RegistrationThrottled(Exception):
    """Too many registration attempts for this number or from this address: try later."""


@dataclass(frozen=True)
class RegistrationStarted:
    challenge: EmailChallenge


def _clean_birth_date(value: object, today: dt.date, check: list[Problem]) -> dt.date | None:
    text = squash(value)
    if not text:
        check.append(problem("birth_date", "required"))
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        check.append(problem("birth_date", "not_a_date"))
        return None
    if day > today:
        check.append(problem("birth_date", "future_date"))
        return None
    if day.year < 1900:
        check.append(
            problem("birth_date", "implausible_date", min="1900-01-01", max=today.isoformat())
        )
        return None
    return day


def _clean_email(value: object, check: list[Problem]) -> str:
    email = squash(value).lower()
    if not email:
        check.append(problem("email", "required"))
        return ""
    if len(email) > 254:
        check.append(problem("email", "too_long", max=254))
        return ""
    try:
        validate_email(email)
    except ValidationError:
        check.append(problem("email", "not_an_email"))
        return ""
    return email


def _send(*, to: str, template: str, language: str, context: dict[str, object]) -> bool:
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"insured/mail/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"insured/mail/{template}_body.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError):
        log.exception("insured mail %s could not be sent", template)
        return False
    return True


def registration_start(
    *,
    number: object,
    birth_date: object,
    email: object,
    language: str = "fr",
    ip: str | None = None,
    fund: str | None = None,
    now: dt.datetime | None = None,
) -> RegistrationStarted:
    """Step 1. Malformed input (a number whose key is wrong, a date that is not one, an address
    that is not one) is refused, naming the field: that reveals nothing about who is
    registered. Otherwise a challenge is written whether or not the details match anyone, and a
    code is mailed only when they match a person who has no account yet."""
    moment = _now(now)
    profile = get_fund(fund) if fund else current_fund()
    check: list[Problem] = []
    ssn = ""
    try:
        ssn = profile.insured_number.validate(number, field="ssn")
    except InvalidInput as exc:
        for p in exc.problems:
            check.append(problem("number", p.code, **p.params))
    day = _clean_birth_date(birth_date, timezone.localdate(moment), check)
    address = _clean_email(email, check)
    if check or day is None:
        raise InvalidInput(check)
    number_hash = _keyed(f"number:{profile.code}:{ssn}")
    masked = mask_identifier(ssn)
    since = moment - THROTTLE_WINDOW
    if EmailChallenge.objects.filter(
        number_hash=number_hash, created_at__gt=since
    ).count() >= PER_NUMBER_PER_WINDOW or (
        ip is not None
        and EmailChallenge.objects.filter(ip=ip, created_at__gt=since).count() >= PER_IP_PER_WINDOW
    ):
        log.warning("insured registration throttled: number %s from %s", masked, ip)
        raise RegistrationThrottled()
    person = InsuredPerson.objects.filter(fund=profile.code, ssn=ssn, birth_date=day).first()
    has_account = person is not None and User.objects.filter(insured=person).exists()
    lang = language if language in ("fr", "ar", "en") else "fr"
    challenge = EmailChallenge.objects.create(
        fund=profile.code,
        insured=person if person is not None and not has_account else None,
        number_hash=number_hash,
        number_masked=masked,
        email=address,
        language=lang,
        code_hash="",  # drawn by the mail job: the code never travels through the broker
        created_at=moment,
        expires_at=moment + CODE_VALIDITY,
        ip=ip,
    )
    if person is None:
        log.info("insured registration: no match for number %s from %s", masked, ip)
        mail = MAIL_NONE
    elif has_account:
        log.info("insured registration: number %s already has an account", masked)
        mail = MAIL_ALREADY_REGISTERED
    else:
        log.info("insured registration: code to send for number %s", masked)
        mail = MAIL_CODE
    # The same work in the request whatever the details match (one job queued after the commit,
    # one that does nothing when nobody matched): sending the mail here would make the answer
    # slower exactly when the number belongs to someone, and the timing would tell.
    enqueue(tasks.registration_mail, challenge.pk, mail)
    return RegistrationStarted(challenge=challenge)


def registration_mail(*, challenge_id: int, mail: str, now: dt.datetime | None = None) -> bool:
    """The job behind :func:`registration_start`: draw the code and mail it, or tell the person
    they already have an account, or nothing. Run again (a redelivered job), it draws a new code
    and mails it: the latest code is the valid one. Returns whether a mail went out."""
    if mail == MAIL_NONE:
        return False
    moment = _now(now)
    with transaction.atomic():
        challenge = EmailChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        if challenge is None or challenge.expires_at <= moment or challenge.verified_at:
            return False
        if mail == MAIL_ALREADY_REGISTERED:
            template = "already_registered"
            context: dict[str, object] = {"number": challenge.number_masked}
        elif mail == MAIL_CODE and challenge.insured_id is not None:
            code = f"{secrets.randbelow(1_000_000):06d}"
            salt = secrets.token_hex(8)
            challenge.code_hash = f"{salt}${_code_hash(salt, code)}"
            challenge.save(update_fields=["code_hash"])
            template = "code"
            context = {
                "code": code,
                "number": challenge.number_masked,
                "minutes": int(CODE_VALIDITY.total_seconds() // 60),
            }
        else:
            return False
    return _send(
        to=challenge.email, template=template, language=challenge.language, context=context
    )


def _challenge(challenge_id: int) -> EmailChallenge:
    found = EmailChallenge.objects.select_for_update().filter(pk=challenge_id).first()
    if found is None:
        raise refuse("registration", "expired")
    return found


def registration_verify(
    *, challenge_id: int, code: object, now: dt.datetime | None = None
) -> EmailChallenge:
    """Step 2: the code from the e-mail. A challenge that matched nobody refuses every code with
    the same message as a wrong code."""
    moment = _now(now)
    digits = "".join(str(code or "").split())
    # The attempt is counted in its own transaction, committed before any refusal is raised.
    refusal = ""
    with transaction.atomic():
        challenge = _challenge(challenge_id)
        if challenge.expires_at <= moment or challenge.verified_at is not None:
            refusal = "wrong_code"
        elif challenge.attempts >= CODE_ATTEMPTS:
            refusal = "too_many_attempts"
        else:
            challenge.attempts += 1
            salt, _, stored = challenge.code_hash.partition("$")
            good = (
                bool(stored)
                and len(digits) == 6
                and digits.isdigit()
                and hmac.compare_digest(stored, _code_hash(salt, digits))
                and challenge.insured_id is not None
            )
            if good:
                challenge.verified_at = moment
            else:
                log.info(
                    "insured registration: wrong code for %s (attempt %d)",
                    challenge.number_masked,
                    challenge.attempts,
                )
                refusal = (
                    "too_many_attempts" if challenge.attempts >= CODE_ATTEMPTS else "wrong_code"
                )
            challenge.save(update_fields=["attempts", "verified_at"])
    if refusal:
        raise refuse("code", refusal)
    return challenge


def _password_problems(password: str, user: User) -> list[Problem]:
    try:
        validate_password(password, user)
    except ValidationError:
        pass
    else:
        return []
    texts: dict[str, list[str]] = {}
    for language in ("fr", "ar", "en"):
        with translation.override(language):
            try:
                validate_password(password, user)
            except ValidationError as exc:
                texts[language] = [str(m) for m in exc.messages]
    labels = LABELS["password"]
    return [
        Problem(
            field="password",
            code="password_rule",
            texts={
                lang: f"{labels[lang]}{SEPARATOR[lang]}{texts[lang][i]}"
                for lang in ("fr", "ar", "en")
            },
        )
        for i in range(len(texts["en"]))
    ]


def registration_complete(
    *,
    challenge_id: int,
    password: object,
    password_again: object,
    now: dt.datetime | None = None,
) -> User:
    """Step 3: the account is created (Argon2 password), linked to the person. When the address
    already has an account (an employer's owner who is also insured), that account is linked
    and keeps its password."""
    moment = _now(now)
    secret = password if isinstance(password, str) else ""
    again = password_again if isinstance(password_again, str) else ""
    with transaction.atomic():
        challenge = _challenge(challenge_id)
        if (
            challenge.verified_at is None
            or challenge.completed_at is not None
            or challenge.insured_id is None
            or challenge.verified_at + PASSWORD_WINDOW <= moment
        ):
            raise refuse("registration", "expired")
        person = InsuredPerson.objects.select_for_update().get(pk=challenge.insured_id)
        if User.objects.filter(insured=person).exists():
            raise refuse("registration", "expired")
        existing = User.objects.filter(email=challenge.email).first()
        if existing is not None:
            if existing.insured_id is not None:
                raise refuse("registration", "expired")
            existing.insured = person
            existing.save(update_fields=["insured"])
            user = existing
        else:
            user = User(
                email=challenge.email,
                preferred_language=challenge.language,
                first_name=person.first_names_latin[:150],
                last_name=person.surname_latin[:150],
                insured=person,
            )
            problems: list[Problem] = []
            if not secret:
                problems.append(problem("password", "required"))
            elif secret != again:
                problems.append(problem("password", "password_mismatch"))
            else:
                problems.extend(_password_problems(secret, user))
            if problems:
                raise InvalidInput(problems)
            user.set_password(secret)
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:
                raise refuse("registration", "expired") from None
        challenge.completed_at = moment
        challenge.save(update_fields=["completed_at"])
    log.info("insured registration completed for %s", challenge.number_masked)
    return user


# --- family and cards ----------------------------------------------------------------------------


def family_member_add(
    *,
    insured: InsuredPerson,
    relation: str,
    surname_latin: str,
    first_names_latin: str,
    birth_date: dt.date,
    surname_arabic: str = "",
    first_names_arabic: str = "",
    student: bool = False,
    now: dt.datetime | None = None,
) -> FamilyMember:
    """A spouse or a child recorded by the agency (or the demo)."""
    check: list[Problem] = []
    if relation not in Relation.values:
        check.append(
            problem("relation", "not_a_choice", value=relation, choices=", ".join(Relation.values))
        )
    if not squash(surname_latin):
        check.append(problem("surname_latin", "required"))
    if not squash(first_names_latin):
        check.append(problem("first_names_latin", "required"))
    if birth_date > timezone.localdate(_now(now)):
        check.append(problem("birth_date", "future_date"))
    if check:
        raise InvalidInput(check)
    return FamilyMember.objects.create(
        insured=insured,
        relation=relation,
        surname_latin=squash(surname_latin),
        first_names_latin=squash(first_names_latin),
        surname_arabic=squash(surname_arabic),
        first_names_arabic=squash(first_names_arabic),
        birth_date=birth_date,
        student=student,
        created_at=_now(now),
    )


def care_card_issue(*, insured: InsuredPerson, now: dt.datetime | None = None) -> CareCard:
    """A new care card for the person (the previous one, if any, is revoked); the stored rights
    follow the new number."""
    moment = _now(now)
    with transaction.atomic():
        CareCard.objects.filter(insured=insured, revoked_at__isnull=True).update(revoked_at=moment)
        serial = CareCard.objects.filter(fund=insured.fund).count() + insured.pk
        while True:
            number = cards.card_number(serial)
            if not CareCard.objects.filter(fund=insured.fund, number=number).exists():
                break
            serial += 1
        card = CareCard.objects.create(
            fund=insured.fund, insured=insured, number=number, issued_at=moment
        )
        RightsStatus.objects.filter(insured=insured).update(card_number=number)
    return card


# --- rights --------------------------------------------------------------------------------------


def rights_refresh(
    *, insured_ids: Iterable[int], on: dt.date | None = None, now: dt.datetime | None = None
) -> int:
    """Recompute and store the rights of these people (the services that record declarations
    and payments call it for the people concerned; ``tadamun insured refresh-rights`` runs it
    for everyone at night, since rights also lapse with time). Returns the rows written."""
    moment = _now(now)
    day = on if on is not None else timezone.localdate(moment)
    written = 0
    people = InsuredPerson.objects.filter(pk__in=list(insured_ids))
    for person in people:
        decision = selectors.rights_decision(insured=person, on=day)
        card = selectors.active_card(insured=person)
        RightsStatus.objects.update_or_create(
            insured=person,
            defaults={
                "fund": person.fund,
                "ssn": person.ssn,
                "card_number": card.number if card is not None else None,
                "covered": decision.covered,
                "ground": decision.ground.value,
                "reason": decision.reason.value,
                "regime": decision.regime,
                "valid_from": decision.valid_from,
                "valid_until": decision.valid_until,
                "computed_at": moment,
            },
        )
        written += 1
    return written


@dataclass(frozen=True)
class RightsAnswer:
    """What a partner may learn: covered or not, and the validity dates. Nothing else."""

    result: str  # a LookupResult value
    covered: bool
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    flagged: bool = False


class LookupThrottled(Exception):
    """Too many look-ups from this partner: refused (429) and flagged."""


def rights_check(
    *,
    number: object,
    fund: str,
    partner_id: int | None,
    key_id: int | None,
    ip: str | None = None,
    over_limit: bool = False,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RightsAnswer:
    """A partner's look-up by insured or card number; every look-up is logged (number masked).

    A number whose key is wrong raises :class:`InvalidInput` on ``number`` (the key is public
    arithmetic: saying so reveals nothing). A well-formed number that matches nobody gets
    exactly the answer of a person who is not covered, so that a partner cannot learn which
    numbers are issued. A look-up over the partner's rate (``over_limit``, decided by the API's
    shared limiter) raises :class:`LookupThrottled` and is flagged as possible enumeration.
    """
    moment = _now(now)
    day = today if today is not None else timezone.localdate(moment)
    text = cards.normalise(number)
    profile = get_fund(fund)
    is_card = cards.is_card_number(text)
    ssn = ""
    problems: tuple[Problem, ...] = ()
    if not is_card:
        try:
            ssn = profile.insured_number.validate(text, field="ssn")
        except InvalidInput as exc:
            problems = tuple(problem("number", p.code, **p.params) for p in exc.problems)
    masked = mask_identifier(text[:24]) if text else ""
    number_hash = _keyed(f"lookup:{fund}:{text}")

    def record(result: str, flagged: bool = False) -> None:
        # One statement, committed without waiting for the WAL flush (see log_row_insert: the
        # log may lose its last ~200 ms of lines if the database server crashes).
        log_row_insert(
            RightsLookup(
                fund=fund,
                partner_id=partner_id,
                key_id=key_id,
                number_masked=masked[-24:],
                number_hash=number_hash,
                result=result,
                flagged=flagged,
                at=moment,
                ip=ip,
            )
        )

    if over_limit:
        record(LookupResult.THROTTLED, flagged=True)
        log.warning(
            "rights look-ups over the rate from partner %s: possible enumeration", partner_id
        )
        raise LookupThrottled()
    if problems:
        record(LookupResult.INVALID)
        raise InvalidInput(problems)
    status = selectors.rights_status_by_number(fund=fund, ssn=ssn, card=text if is_card else "")
    if status is None:
        record(LookupResult.UNKNOWN)
        return RightsAnswer(result=LookupResult.NOT_COVERED, covered=False)
    covered = (
        status.covered
        and status.valid_until is not None
        and status.valid_until >= day
        and (status.valid_from is None or status.valid_from <= day)
    )
    record(LookupResult.COVERED if covered else LookupResult.NOT_COVERED)
    if not covered:
        return RightsAnswer(result=LookupResult.NOT_COVERED, covered=False)
    return RightsAnswer(
        result=LookupResult.COVERED,
        covered=True,
        valid_from=status.valid_from,
        valid_until=status.valid_until,
    )
