"""Writes of the accounts app: one function per action, keyword-only, all or nothing.

Every refusal is an :class:`~tadamun.errors.InvalidInput` naming the field (fr/ar/en) and raised
before anything is written; an action on something the actor may not touch raises
:class:`~django.core.exceptions.PermissionDenied` (pages answer 404). Mails are sent once the
transaction's block is over, in the recipient's language, and never carry a password or a full
identifier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyotp
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tadamun.accounts import selectors
from tadamun.accounts.models import (
    ActivationToken,
    AuditAction,
    AuditEvent,
    EmployerMembership,
    Language,
    RecoveryCode,
    Role,
    SignInThrottle,
    SignupRequest,
    SignupStatus,
    StaffProfile,
    StaffRole,
    ThrottleKind,
    User,
)
from tadamun.accounts.problems import Problems, label, refuse
from tadamun.errors import SEPARATOR, InvalidInput, Problem
from tadamun.funds import FundProfile, current_fund, get_fund
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tadamun.registry.validation import squash

log = logging.getLogger(__name__)

#: Failed sign-ins (password or second factor) on one account within the window before it locks.
ACCOUNT_FAILURES_BEFORE_LOCK = 5
#: Failed sign-ins from one address within the window before that address is held back.
IP_FAILURES_BEFORE_LOCK = 20
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_DURATION = dt.timedelta(minutes=15)
ACTIVATION_VALIDITY = dt.timedelta(hours=72)
RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "Tadamun"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_email(value: object) -> str:
    return squash(value).lower()


def _clean_email(check: Problems, value: object, field: str = "email") -> str:
    email = normalise_email(value)
    if not email:
        check.add(field, "required")
        return ""
    if len(email) > 254:
        check.add(field, "too_long", max=254)
        return ""
    try:
        validate_email(email)
    except ValidationError:
        check.add(field, "not_an_email")
        return ""
    return email


def _clean_language(value: object) -> str:
    text = squash(value)[:2].lower()
    return text if text in Language.values else Language.FR.value


def mask_identifier(value: str) -> str:
    """``•••••234``: enough for a person to recognise their number, not enough to use it."""
    return "•" * max(len(value) - 3, 0) + value[-3:]


# --- mail ----------------------------------------------------------------------------------------


def _send(*, to: str, template: str, language: str, context: dict[str, object]) -> bool:
    """Render ``accounts/mail/<template>_subject.txt`` and ``_body.txt`` in ``language`` and
    send; False (logged) when the mail server refuses or cannot be reached."""
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"accounts/mail/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"accounts/mail/{template}_body.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError):
        log.exception("mail %s to a user could not be sent", template)
        return False
    return True


def _link(site_url: str, language: str, name: str, **kwargs: str) -> str:
    with translation.override(language):
        return site_url.rstrip("/") + reverse(name, kwargs=kwargs)


def _activation_token_create(*, user: User, now: dt.datetime) -> str:
    token = secrets.token_urlsafe(32)
    ActivationToken.objects.create(
        user=user,
        token_hash=_sha256(token),
        created_at=now,
        expires_at=now + ACTIVATION_VALIDITY,
    )
    return token


# --- employer sign-up ----------------------------------------------------------------------------


def signup_request_submit(
    *,
    affiliate_number: object,
    legal_identifier: object,
    company_name: object,
    contact_name: object,
    email: object,
    language: str = "fr",
    fund: str | None = None,
    now: dt.datetime | None = None,
) -> SignupRequest:
    """An employer asks for an online account. The employer must be registered with that
    affiliate number (key checked) and that legal identifier."""
    profile: FundProfile = current_fund() if fund is None else get_fund(fund)
    check = Problems()
    number = ""
    try:
        number = profile.employer_number.validate(affiliate_number, field="affiliate_number")
    except InvalidInput as exc:
        check.extend(exc.problems)
    legal = ""
    try:
        legal = profile.legal_identifier.validate(legal_identifier, field="legal_identifier")
    except InvalidInput as exc:
        check.extend(exc.problems)
    company = squash(company_name)
    if not company:
        check.add("company_name", "required")
    elif len(company) > 200:
        check.add("company_name", "too_long", max=200)
    contact = squash(contact_name)
    if not contact:
        check.add("contact_name", "required")
    elif len(contact) > 150:
        check.add("contact_name", "too_long", max=150)
    address = _clean_email(check, email)
    employer: Employer | None = None
    if number:
        employer = (
            Employer.objects.select_related("agency")
            .filter(fund=profile.code, affiliate_number=number)
            .first()
        )
        if employer is None:
            check.add("affiliate_number", "unknown_employer")
        elif legal and employer.legal_identifier != legal:
            check.add("legal_identifier", "mismatch")
    if employer is not None and not check.items:
        if EmployerMembership.objects.filter(
            employer=employer, role=Role.OWNER, ended_at__isnull=True
        ).exists():
            check.add("affiliate_number", "has_owner")
        elif SignupRequest.objects.filter(employer=employer, status=SignupStatus.PENDING).exists():
            check.add("affiliate_number", "pending_exists")
    check.raise_if_any()
    assert employer is not None
    return SignupRequest.objects.create(
        fund=profile.code,
        employer=employer,
        company_name=company,
        contact_name=contact,
        email=address,
        language=_clean_language(language),
        created_at=_now(now),
    )


def _staff_agency(staff_user: User) -> Agency:
    agency = selectors.agency_for_staff(user=staff_user)
    if agency is None:
        raise PermissionDenied("not agency staff")
    return agency


@dataclass(frozen=True)
class Decision:
    signup: SignupRequest
    mail_sent: bool


def signup_request_approve(
    *, staff_user: User, signup_id: int, site_url: str, now: dt.datetime | None = None
) -> Decision:
    """Approve a pending request of the staff member's agency: the owner account is created (or
    an existing account is linked), and an activation link is mailed."""
    moment = _now(now)
    agency = _staff_agency(staff_user)
    with transaction.atomic():
        signup = (
            SignupRequest.objects.select_for_update()
            .select_related("employer")
            .filter(pk=signup_id, employer__agency=agency)
            .first()
        )
        if signup is None:
            raise PermissionDenied("not a request of this agency")
        if signup.status != SignupStatus.PENDING:
            raise refuse("request", "already_decided")
        if EmployerMembership.objects.filter(
            employer=signup.employer, role=Role.OWNER, ended_at__isnull=True
        ).exists():
            raise refuse("request", "has_owner")
        user = User.objects.filter(email=signup.email).first()
        token = ""
        if user is None:
            first, _, last = signup.contact_name.partition(" ")
            user = User.objects.create_user(
                email=signup.email,
                first_name=first[:150],
                last_name=last[:150],
                preferred_language=signup.language,
            )
            token = _activation_token_create(user=user, now=moment)
        EmployerMembership.objects.create(
            user=user,
            employer=signup.employer,
            role=Role.OWNER,
            granted_by=staff_user,
            granted_at=moment,
        )
        signup.status = SignupStatus.APPROVED
        signup.decided_by = staff_user
        signup.decided_at = moment
        signup.owner = user
        signup.save(update_fields=["status", "decided_by", "decided_at", "owner"])
    language = user.preferred_language
    context: dict[str, object] = {
        "company": signup.employer.name_latin,
        "number": mask_identifier(signup.employer.affiliate_number),
        "hours": int(ACTIVATION_VALIDITY.total_seconds() // 3600),
    }
    if token:
        context["link"] = _link(site_url, language, "accounts:activate", token=token)
        sent = _send(to=user.email, template="signup_approved", language=language, context=context)
    else:
        context["link"] = _link(site_url, language, "accounts:login")
        sent = _send(to=user.email, template="access_granted", language=language, context=context)
    return Decision(signup=signup, mail_sent=sent)


def signup_request_reject(
    *,
    staff_user: User,
    signup_id: int,
    reason: object,
    site_url: str,
    now: dt.datetime | None = None,
) -> Decision:
    """Reject a pending request of the staff member's agency, with the reason the applicant
    receives by mail."""
    moment = _now(now)
    agency = _staff_agency(staff_user)
    text = squash(reason)
    check = Problems()
    if not text:
        check.add("reason", "required")
    elif len(text) > 500:
        check.add("reason", "too_long", max=500)
    with transaction.atomic():
        signup = (
            SignupRequest.objects.select_for_update()
            .select_related("employer")
            .filter(pk=signup_id, employer__agency=agency)
            .first()
        )
        if signup is None:
            raise PermissionDenied("not a request of this agency")
        if signup.status != SignupStatus.PENDING:
            check.add("request", "already_decided")
        check.raise_if_any()
        signup.status = SignupStatus.REJECTED
        signup.decided_by = staff_user
        signup.decided_at = moment
        signup.reason = text
        signup.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    sent = _send(
        to=signup.email,
        template="signup_rejected",
        language=signup.language,
        context={
            "company": signup.employer.name_latin,
            "number": mask_identifier(signup.employer.affiliate_number),
            "reason": text,
            "link": _link(site_url, signup.language, "accounts:signup"),
        },
    )
    return Decision(signup=signup, mail_sent=sent)


# --- activation ----------------------------------------------------------------------------------


def activation_token_check(*, token: str, now: dt.datetime | None = None) -> ActivationToken:
    """The activation token, or :class:`InvalidInput` on field ``token`` (unknown, used,
    expired)."""
    found = ActivationToken.objects.select_related("user").filter(token_hash=_sha256(token)).first()
    if found is None or not found.user.is_active:
        raise refuse("token", "unknown_token")
    if found.used_at is not None:
        raise refuse("token", "used")
    if found.expires_at <= _now(now):
        raise refuse("token", "expired")
    return found


def _password_problems(check: Problems, password: str, user: User | None) -> None:
    """Django's password validators, each message taken in the three languages."""
    try:
        validate_password(password, user)
    except ValidationError:
        pass
    else:
        return
    texts: dict[str, list[str]] = {}
    for language in ("fr", "ar", "en"):
        with translation.override(language):
            try:
                validate_password(password, user)
            except ValidationError as exc:
                texts[language] = [str(m) for m in exc.messages]
    labels = label("password")
    for index in range(len(texts["en"])):
        check.items.append(
            Problem(
                field="password",
                code="password_rule",
                texts={
                    lang: f"{labels[lang]}{SEPARATOR[lang]}{texts[lang][index]}"
                    for lang in ("fr", "ar", "en")
                },
            )
        )


def user_activate(
    *, token: str, password: str, password_again: str, now: dt.datetime | None = None
) -> User:
    """Set the password of the account the activation link was sent for; the link is then
    spent."""
    moment = _now(now)
    with transaction.atomic():
        found = activation_token_check(token=token, now=moment)
        locked = ActivationToken.objects.select_for_update().get(pk=found.pk)
        if locked.used_at is not None:
            raise refuse("token", "used")
        user = found.user
        check = Problems()
        if not password:
            check.add("password", "required")
        elif password != password_again:
            check.add("password", "password_mismatch")
        else:
            _password_problems(check, password, user)
        check.raise_if_any()
        user.set_password(password)
        user.save(update_fields=["password"])
        ActivationToken.objects.filter(user=user, used_at__isnull=True).update(used_at=moment)
    return user


# --- delegation ----------------------------------------------------------------------------------


def membership_invite(
    *,
    owner: User,
    employer: Employer,
    email: object,
    site_url: str,
    language: str = "fr",
    now: dt.datetime | None = None,
) -> EmployerMembership:
    """The owner delegates to an accountant by e-mail: an existing account is linked, otherwise
    an account is created and an activation link is mailed."""
    moment = _now(now)
    if not selectors.is_owner(user=owner, employer=employer):
        raise PermissionDenied("only an owner of the employer may delegate")
    check = Problems()
    address = _clean_email(check, email)
    check.raise_if_any()
    with transaction.atomic():
        user = User.objects.filter(email=address).first()
        token = ""
        if user is not None:
            if StaffProfile.objects.filter(user=user).exists():
                raise refuse("email", "is_staff")
            if EmployerMembership.objects.filter(
                user=user, employer=employer, ended_at__isnull=True
            ).exists():
                raise refuse("email", "already_member")
        else:
            user = User.objects.create_user(
                email=address, preferred_language=_clean_language(language)
            )
            token = _activation_token_create(user=user, now=moment)
        try:
            with transaction.atomic():
                membership = EmployerMembership.objects.create(
                    user=user,
                    employer=employer,
                    role=Role.ACCOUNTANT,
                    granted_by=owner,
                    granted_at=moment,
                )
        except IntegrityError:
            raise refuse("email", "already_member") from None
    recipient_language = user.preferred_language
    context: dict[str, object] = {
        "company": employer.name_latin,
        "number": mask_identifier(employer.affiliate_number),
        "hours": int(ACTIVATION_VALIDITY.total_seconds() // 3600),
    }
    if token:
        context["link"] = _link(site_url, recipient_language, "accounts:activate", token=token)
        _send(to=user.email, template="invited", language=recipient_language, context=context)
    else:
        context["link"] = _link(site_url, recipient_language, "accounts:login")
        _send(
            to=user.email, template="access_granted", language=recipient_language, context=context
        )
    return membership


def membership_end(
    *, owner: User, employer: Employer, membership_id: int, now: dt.datetime | None = None
) -> EmployerMembership:
    """The owner ends an accountant's delegation: access stops at once; the row is kept."""
    moment = _now(now)
    if not selectors.is_owner(user=owner, employer=employer):
        raise PermissionDenied("only an owner of the employer may end a delegation")
    with transaction.atomic():
        membership = (
            EmployerMembership.objects.select_for_update()
            .filter(pk=membership_id, employer=employer)
            .first()
        )
        if membership is None:
            raise PermissionDenied("no such delegation at this employer")
        if membership.ended_at is not None:
            raise refuse("membership", "already_ended")
        if membership.role != Role.ACCOUNTANT:
            raise refuse("membership", "not_accountant")
        membership.ended_at = moment
        membership.ended_by = owner
        membership.save(update_fields=["ended_at", "ended_by"])
    return membership


# --- staff ---------------------------------------------------------------------------------------


def staff_create(
    *,
    email: object,
    agency: Agency,
    role: str = StaffRole.AGENT,
    password: str | None = None,
    language: str = "fr",
) -> StaffProfile:
    """An agency staff account (an administrator's or the demo's action)."""
    check = Problems()
    address = _clean_email(check, email)
    if role not in StaffRole.values:
        check.add("role", "not_a_choice", value=role, choices=", ".join(StaffRole.values))
    if address and User.objects.filter(email=address).exists():
        check.add("email", "duplicate", value=address)
    check.raise_if_any()
    with transaction.atomic():
        user = User.objects.create_user(
            email=address, password=password, preferred_language=_clean_language(language)
        )
        return StaffProfile.objects.create(user=user, agency=agency, role=role)


# --- a person's own account (self-employed, voluntary member) -----------------------------------


def person_user_problems(
    *, email: object, password: object, password_again: object
) -> tuple[str, list[Problem]]:
    """Check a person's sign-up e-mail and password (Django's validators) without writing: the
    clean address and the problems, so a form can show them with its own fields' problems."""
    check = Problems()
    address = _clean_email(check, email)
    if address and User.objects.filter(email=address).exists():
        check.add("email", "duplicate", value=address)
    secret = password if isinstance(password, str) else ""
    if not secret:
        check.add("password", "required")
    elif secret != password_again:
        check.add("password", "password_mismatch")
    else:
        _password_problems(check, secret, User(email=address))
    return address, check.items


def person_user_create(
    *,
    email: object,
    password: object,
    password_again: object,
    language: str = "fr",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """A person's account with their password (hashed with Argon2); the second factor is
    enrolled at the first sign-in (:func:`totp_enrolment_start`)."""
    address, problems = person_user_problems(
        email=email, password=password, password_again=password_again
    )
    if problems:
        raise InvalidInput(problems)
    assert isinstance(password, str)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=address,
                password=password,
                preferred_language=_clean_language(language),
                first_name=first_name[:150],
                last_name=last_name[:150],
            )
    except IntegrityError:
        raise refuse("email", "duplicate", value=address) from None


def holder_account_link(
    *, user: User, insured: InsuredPerson, employer: Employer, now: dt.datetime | None = None
) -> EmployerMembership:
    """``user`` becomes ``insured``'s own account and the owner of the contributor account
    ``employer`` that person holds (self-employed, voluntary member), so the ledger, payment and
    declaration pages serve them as they serve an employer's owner."""
    if employer.holder_id != insured.pk:
        raise PermissionDenied("the contributor account is not held by this person")
    with transaction.atomic():
        if user.insured_id != insured.pk:
            user.insured = insured
            user.save(update_fields=["insured"])
        existing = EmployerMembership.objects.filter(
            user=user, employer=employer, ended_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        return EmployerMembership.objects.create(
            user=user, employer=employer, role=Role.OWNER, granted_at=_now(now)
        )


# --- sign-in: password, throttling ---------------------------------------------------------------


class SignInRefused(Exception):
    """Sign-in refused. ``locked`` says the account or the address is held back for a while;
    neither case says whether the account exists."""

    def __init__(self, *, locked: bool) -> None:
        super().__init__("locked" if locked else "refused")
        self.locked = locked


def _account_key(email: str) -> str:
    return _sha256(normalise_email(email))


def _ip_key(ip: str | None) -> str:
    return _sha256(ip or "unknown")


def _is_locked(kind: str, key: str, now: dt.datetime) -> bool:
    return SignInThrottle.objects.filter(kind=kind, key=key, locked_until__gt=now).exists()


def _record_failure(kind: str, key: str, limit: int, now: dt.datetime) -> None:
    with transaction.atomic():
        row, _ = SignInThrottle.objects.select_for_update().get_or_create(
            kind=kind, key=key, defaults={"window_start": now}
        )
        if row.window_start <= now - FAILURE_WINDOW:
            row.window_start = now
            row.failures = 0
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + LOCK_DURATION
            row.failures = 0
            row.window_start = now
        row.save()


def sign_in_failure_record(*, email: str, ip: str | None, now: dt.datetime | None = None) -> None:
    moment = _now(now)
    _record_failure(ThrottleKind.ACCOUNT, _account_key(email), ACCOUNT_FAILURES_BEFORE_LOCK, moment)
    _record_failure(ThrottleKind.IP, _ip_key(ip), IP_FAILURES_BEFORE_LOCK, moment)


def sign_in_is_locked(*, email: str, ip: str | None, now: dt.datetime | None = None) -> bool:
    moment = _now(now)
    return SignInThrottle.objects.filter(
        models.Q(kind=ThrottleKind.ACCOUNT, key=_account_key(email))
        | models.Q(kind=ThrottleKind.IP, key=_ip_key(ip)),
        locked_until__gt=moment,
    ).exists()


def sign_in_password(
    *,
    request: HttpRequest | None,
    email: object,
    password: object,
    ip: str | None,
    now: dt.datetime | None = None,
) -> User:
    """First step: e-mail and password (Argon2). Raises :class:`SignInRefused` with the same
    answer for an unknown account and a wrong password; 5 failures on one account within
    15 minutes lock it for 15 minutes, 20 from one address lock that address."""
    moment = _now(now)
    address = normalise_email(email)
    secret = password if isinstance(password, str) else ""
    if sign_in_is_locked(email=address, ip=ip, now=moment):
        raise SignInRefused(locked=True)
    user = authenticate(request, username=address, password=secret) if address and secret else None
    if not isinstance(user, User):
        sign_in_failure_record(email=address, ip=ip, now=moment)
        raise SignInRefused(locked=sign_in_is_locked(email=address, ip=ip, now=moment))
    return user


def sign_in_succeeded(*, user: User) -> None:
    """Both factors passed: the account's failure count starts again."""
    SignInThrottle.objects.filter(kind=ThrottleKind.ACCOUNT, key=_account_key(user.email)).delete()


# --- second factor (TOTP, RFC 6238) and recovery codes -------------------------------------------


def totp_uri(*, user: User) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def totp_enrolment_start(*, user: User) -> str:
    """A new secret for a user who has not confirmed one yet (kept while they enrol)."""
    if user.totp_confirmed_at is not None:
        raise PermissionDenied("second factor already enrolled")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.save(update_fields=["totp_secret"])
    return user.totp_secret


def _totp_accept(user: User, code: object, now: dt.datetime) -> bool:
    digits = "".join(str(code or "").split())
    if not user.totp_secret or len(digits) != 6 or not digits.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue  # a code is good once: no replay within its window
        if hmac.compare_digest(totp.generate_otp(step), digits):
            updated = User.objects.filter(pk=user.pk).filter(
                models.Q(totp_last_step__isnull=True) | models.Q(totp_last_step__lt=step)
            )
            if updated.update(totp_last_step=step) != 1:
                return False
            user.totp_last_step = step
            return True
    return False


def _recovery_accept(user: User, code: object, now: dt.datetime) -> bool:
    text = "".join(str(code or "").split()).replace("-", "").upper()
    if len(text) != 10:
        return False
    return (
        RecoveryCode.objects.filter(
            user=user, code_hash=_sha256(text), used_at__isnull=True
        ).update(used_at=now)
        == 1
    )


def _new_recovery_codes(user: User) -> list[str]:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes = [
        "".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_sha256(code)) for code in codes]
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def totp_enrolment_confirm(
    *, user: User, code: object, ip: str | None, now: dt.datetime | None = None
) -> list[str]:
    """The first code proves the app holds the secret: enrolment is confirmed and the recovery
    codes are returned (shown once; only their hashes are kept)."""
    moment = _now(now)
    if user.totp_confirmed_at is not None:
        raise PermissionDenied("second factor already enrolled")
    if sign_in_is_locked(email=user.email, ip=ip, now=moment):
        raise SignInRefused(locked=True)
    if not _totp_accept(user, code, moment):
        sign_in_failure_record(email=user.email, ip=ip, now=moment)
        raise refuse("code", "wrong_code")
    with transaction.atomic():
        user.totp_confirmed_at = moment
        user.save(update_fields=["totp_confirmed_at"])
        return _new_recovery_codes(user)


def sign_in_second_factor(
    *, user: User, code: object, ip: str | None, now: dt.datetime | None = None
) -> None:
    """Second step: a TOTP code or one recovery code. A wrong code counts as a failed sign-in
    (it feeds the same lock as a wrong password)."""
    moment = _now(now)
    if sign_in_is_locked(email=user.email, ip=ip, now=moment):
        raise SignInRefused(locked=True)
    if user.totp_confirmed_at is None:
        raise PermissionDenied("second factor not enrolled")
    if _totp_accept(user, code, moment) or _recovery_accept(user, code, moment):
        sign_in_succeeded(user=user)
        return
    sign_in_failure_record(email=user.email, ip=ip, now=moment)
    if sign_in_is_locked(email=user.email, ip=ip, now=moment):
        raise SignInRefused(locked=True)
    raise refuse("code", "wrong_code")


def recovery_codes_regenerate(*, user: User) -> list[str]:
    with transaction.atomic():
        return _new_recovery_codes(user)


# --- audit trail ---------------------------------------------------------------------------------


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the web server saw it (a trusted proxy sets REMOTE_ADDR)."""
    if request is None:
        return None
    value = request.META.get("REMOTE_ADDR") or None
    return value if isinstance(value, str) else None


def _insured_of(obj: models.Model) -> InsuredPerson | None:
    if isinstance(obj, InsuredPerson):
        return obj
    related = getattr(obj, "insured", None)
    return related if isinstance(related, InsuredPerson) else None


def _audit_event(
    actor: User | None,
    action: str,
    obj: models.Model,
    ip: str | None,
    insured: InsuredPerson | None,
    detail: str,
    now: dt.datetime,
) -> AuditEvent:
    if action not in AuditAction.values:
        raise ValueError(f"audit action {action!r} is not one of {AuditAction.values}")
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        insured=insured if insured is not None else _insured_of(obj),
        at=now,
        ip=ip,
        detail=detail[:500],
    )


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    request: HttpRequest | None = None,
    insured: InsuredPerson | None = None,
    detail: str = "",
    now: dt.datetime | None = None,
) -> AuditEvent:
    """Record that ``actor`` read, created or changed ``obj`` (an insured person, or a row that
    belongs to one: ``obj.insured`` is picked up; or pass ``insured``). 1 query. Append-only."""
    event = _audit_event(actor, action, obj, client_ip(request), insured, detail, _now(now))
    event.save(force_insert=True)
    return event


def audit_record_many(
    *,
    actor: User | None,
    action: str,
    objs: Iterable[models.Model],
    request: HttpRequest | None = None,
    detail: str = "",
    now: dt.datetime | None = None,
) -> int:
    """:func:`audit_record` for a whole list (a page of 2,000 employees): one batched insert."""
    moment = _now(now)
    ip = client_ip(request)
    events: Sequence[AuditEvent] = [
        _audit_event(actor, action, obj, ip, None, detail, moment) for obj in objs
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)
