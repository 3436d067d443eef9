"""Services and selectors of the accounts app."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone

from tadamun.accounts import selectors, services
from tadamun.accounts.models import (
    ActivationToken,
    AuditEvent,
    EmployerMembership,
    Role,
    SignupRequest,
    SignupStatus,
    User,
)
from tadamun.errors import InvalidInput
from tadamun.registry import services as registry_services
from tadamun.registry.models import Employer
from tests.accounts.conftest import PASSWORD, Mailbox, make_user
from tests.registry.factories import person_fields

pytestmark = pytest.mark.django_db

SITE = "http://testserver/"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _signup(employer: Employer, **overrides: str) -> SignupRequest:
    fields: dict[str, Any] = {
        "affiliate_number": employer.affiliate_number,
        "legal_identifier": employer.legal_identifier,
        "company_name": "Atlas Industries SARL",
        "contact_name": "Amina Benali",
        "email": "Amina@Atlas.example",
        "language": "fr",
    }
    fields.update(overrides)
    return services.signup_request_submit(**fields)


# --- sign-up -------------------------------------------------------------------------------------


def test_signup_is_pending_and_normalises_email(employer: Employer) -> None:
    signup = _signup(employer)
    assert signup.status == SignupStatus.PENDING
    assert signup.employer == employer
    assert signup.email == "amina@atlas.example"


@pytest.mark.parametrize(
    ("field", "value", "code", "english"),
    [
        ("affiliate_number", "", "required", "Employer affiliate number: is required"),
        (
            "affiliate_number",
            "12AB",
            "not_digits",
            "Employer affiliate number: must contain digits only",
        ),
        (
            "affiliate_number",
            "KEY",
            "bad_key",
            "Employer affiliate number: the check key does not match the other digits",
        ),
        (
            "affiliate_number",
            "UNKNOWN",
            "unknown_employer",
            "Employer affiliate number: no employer is registered under this number",
        ),
        (
            "legal_identifier",
            "000000000009999",
            "mismatch",
            "Company legal identifier: does not match the employer registered under this number",
        ),
        ("legal_identifier", "", "required", "Company legal identifier: is required"),
        ("company_name", "  ", "required", "Company name: is required"),
        ("company_name", "x" * 201, "too_long", "Company name: must not exceed 200 characters"),
        ("contact_name", "", "required", "Contact name: is required"),
        (
            "email",
            "not-an-address",
            "not_an_email",
            "E-mail address: is not a valid e-mail address",
        ),
        ("email", "", "required", "E-mail address: is required"),
    ],
)
def test_signup_bad_input_named(
    employer: Employer, field: str, value: str, code: str, english: str
) -> None:
    number = employer.affiliate_number
    if value == "KEY":
        value = number[:-1] + str((int(number[-1]) + 1) % 10)
    if value == "UNKNOWN":
        from tadamun.funds import get_fund

        issue = get_fund("dz-cnas").employer_number.issue
        assert issue is not None
        value = issue(9999)
    with pytest.raises(InvalidInput) as caught:
        _signup(employer, **{field: value})
    problem = next(p for p in caught.value.problems if p.field == field)
    assert problem.code == code
    assert problem.message("en") == english
    assert problem.message("fr") and problem.message("ar") != problem.message("en")
    assert not SignupRequest.objects.exists()


def test_signup_refused_when_pending_or_owned(employer: Employer, staff: User) -> None:
    signup = _signup(employer)
    with pytest.raises(InvalidInput) as caught:
        _signup(employer, email="other@atlas.example")
    assert caught.value.problems[0].code == "pending_exists"
    services.signup_request_approve(staff_user=staff, signup_id=signup.pk, site_url=SITE)
    with pytest.raises(InvalidInput) as caught:
        _signup(employer, email="other@atlas.example")
    assert caught.value.problems[0].code == "has_owner"


def test_approve_creates_owner_and_mails_activation_link(
    employer: Employer, staff: User, mailbox: Mailbox
) -> None:
    signup = _signup(employer)
    decision = services.signup_request_approve(
        staff_user=staff, signup_id=signup.pk, site_url=SITE, now=NOW
    )
    assert decision.mail_sent
    owner = User.objects.get(email="amina@atlas.example")
    assert not owner.has_usable_password()
    assert owner.preferred_language == "fr"
    assert selectors.employer_for_user(user=owner, employer_id=employer.pk) == employer
    membership = EmployerMembership.objects.get(user=owner)
    assert (membership.role, membership.granted_by) == (Role.OWNER, staff)
    [message] = mailbox.messages
    assert mailbox.recipients == [["amina@atlas.example"]]
    body = Mailbox.body(message)
    assert "http://testserver/fr/accounts/activate/" in body
    assert employer.affiliate_number not in body and employer.affiliate_number[-3:] in body
    assert "password:" not in body.lower() and PASSWORD not in body
    signup.refresh_from_db()
    assert (signup.status, signup.decided_by, signup.owner) == (SignupStatus.APPROVED, staff, owner)


def test_approve_and_reject_only_in_own_agency(
    employer: Employer, staff_y: User, staff: User
) -> None:
    signup = _signup(employer)
    with pytest.raises(PermissionDenied):
        services.signup_request_approve(staff_user=staff_y, signup_id=signup.pk, site_url=SITE)
    with pytest.raises(PermissionDenied):
        services.signup_request_reject(
            staff_user=staff_y, signup_id=signup.pk, reason="no", site_url=SITE
        )
    owner = make_user("someone@x.example")
    with pytest.raises(PermissionDenied):
        services.signup_request_approve(staff_user=owner, signup_id=signup.pk, site_url=SITE)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.PENDING
    assert not EmployerMembership.objects.exists()


def test_reject_needs_reason_and_mails_it(
    employer: Employer, staff: User, mailbox: Mailbox
) -> None:
    signup = _signup(employer)
    with pytest.raises(InvalidInput) as caught:
        services.signup_request_reject(
            staff_user=staff, signup_id=signup.pk, reason=" ", site_url=SITE
        )
    assert caught.value.problems[0].message("en") == "Reason for refusal: is required"
    services.signup_request_reject(
        staff_user=staff, signup_id=signup.pk, reason="Nom du gérant inconnu", site_url=SITE
    )
    signup.refresh_from_db()
    assert signup.status == SignupStatus.REJECTED
    assert "Nom du gérant inconnu" in Mailbox.body(mailbox.messages[0])
    with pytest.raises(InvalidInput) as caught:
        services.signup_request_approve(staff_user=staff, signup_id=signup.pk, site_url=SITE)
    assert caught.value.problems[0].code == "already_decided"
    assert not User.objects.filter(email="amina@atlas.example").exists()


# --- activation ----------------------------------------------------------------------------------


def _token_for(user: User, now: dt.datetime = NOW) -> str:
    return services._activation_token_create(user=user, now=now)


def test_activation_sets_password_once() -> None:
    user = User.objects.create_user(email="new@x.example")
    token = _token_for(user)
    services.user_activate(token=token, password=PASSWORD, password_again=PASSWORD, now=NOW)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.password.startswith("argon2$")
    with pytest.raises(InvalidInput) as caught:
        services.user_activate(token=token, password=PASSWORD, password_again=PASSWORD, now=NOW)
    assert (
        caught.value.problems[0].message("en") == "Activation link: this link has already been used"
    )


def test_activation_expired_and_unknown() -> None:
    user = User.objects.create_user(email="new@x.example")
    token = _token_for(user)
    later = NOW + services.ACTIVATION_VALIDITY + dt.timedelta(seconds=1)
    with pytest.raises(InvalidInput) as caught:
        services.activation_token_check(token=token, now=later)
    assert (
        caught.value.problems[0].message("en")
        == "Activation link: this link has expired: ask for a new one"
    )
    with pytest.raises(InvalidInput) as caught:
        services.activation_token_check(token="forged", now=NOW)
    assert caught.value.problems[0].code == "unknown_token"
    assert not ActivationToken.objects.get().used_at


@pytest.mark.parametrize(
    ("password", "again", "english"),
    [
        ("", "", "Password: is required"),
        (PASSWORD, PASSWORD + "x", "Password: the two entries differ"),
        (
            "short",
            "short",
            "Password: This password is too short. It must contain at least 12 characters.",
        ),
        ("12345678901234", "12345678901234", "Password: This password is entirely numeric."),
    ],
)
def test_activation_bad_password_named(password: str, again: str, english: str) -> None:
    user = User.objects.create_user(email="new@x.example")
    token = _token_for(user)
    with pytest.raises(InvalidInput) as caught:
        services.user_activate(token=token, password=password, password_again=again, now=NOW)
    assert english in caught.value.messages("en")
    assert all(m.startswith("Mot de passe : ") for m in caught.value.messages("fr"))
    user.refresh_from_db()
    assert not user.has_usable_password()


# --- delegation ----------------------------------------------------------------------------------


def test_delegation_granted_then_ended_removes_access_at_once(
    employer: Employer, owner: User, mailbox: Mailbox
) -> None:
    membership = services.membership_invite(
        owner=owner, employer=employer, email="Compta@Cabinet.example", site_url=SITE, language="ar"
    )
    accountant = membership.user
    assert accountant.email == "compta@cabinet.example"
    assert accountant.preferred_language == "ar"
    assert selectors.employer_for_user(user=accountant, employer_id=employer.pk) == employer
    assert (
        selectors.employer_for_user(user=accountant, employer_id=employer.pk, roles=[Role.OWNER])
        is None
    )
    assert "/ar/accounts/activate/" in Mailbox.body(mailbox.messages[0])
    services.membership_end(owner=owner, employer=employer, membership_id=membership.pk)
    assert selectors.employer_for_user(user=accountant, employer_id=employer.pk) is None
    assert list(selectors.employers_for_user(user=accountant)) == []
    membership.refresh_from_db()
    assert membership.ended_by == owner and membership.ended_at is not None
    with pytest.raises(InvalidInput) as caught:
        services.membership_end(owner=owner, employer=employer, membership_id=membership.pk)
    assert caught.value.problems[0].code == "already_ended"
    # history kept; a new delegation may be granted again
    again = services.membership_invite(
        owner=owner, employer=employer, email=accountant.email, site_url=SITE
    )
    assert again.user == accountant
    assert EmployerMembership.objects.filter(user=accountant).count() == 2


def test_delegation_refusals(
    employer: Employer, owner: User, employer_b: Employer, owner_b: User
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.membership_invite(owner=owner, employer=employer, email="nope", site_url=SITE)
    assert caught.value.problems[0].message("en") == "E-mail address: is not a valid e-mail address"
    with pytest.raises(InvalidInput) as caught:
        services.membership_invite(owner=owner, employer=employer, email=owner.email, site_url=SITE)
    assert caught.value.problems[0].code == "already_member"
    with pytest.raises(PermissionDenied):
        services.membership_invite(
            owner=owner, employer=employer_b, email="a@b.example", site_url=SITE
        )
    owner_membership = EmployerMembership.objects.get(user=owner_b)
    with pytest.raises(PermissionDenied):
        services.membership_end(owner=owner, employer=employer, membership_id=owner_membership.pk)
    mine = EmployerMembership.objects.get(user=owner)
    with pytest.raises(InvalidInput) as caught:
        services.membership_end(owner=owner, employer=employer, membership_id=mine.pk)
    assert caught.value.problems[0].code == "not_accountant"


def test_accountant_cannot_delegate(employer: Employer, owner: User) -> None:
    accountant = services.membership_invite(
        owner=owner, employer=employer, email="c@x.example", site_url=SITE
    ).user
    with pytest.raises(PermissionDenied):
        services.membership_invite(
            owner=accountant, employer=employer, email="d@x.example", site_url=SITE
        )


# --- selectors: one place decides ----------------------------------------------------------------


def test_employer_for_user_isolates_employers(
    employer: Employer, owner: User, employer_b: Employer, owner_b: User
) -> None:
    assert selectors.employer_for_user(user=owner, employer_id=employer.pk) == employer
    assert selectors.employer_for_user(user=owner, employer_id=employer_b.pk) is None
    assert selectors.employer_for_user(user=owner_b, employer_id=employer.pk) is None
    assert selectors.employer_for_user(user=owner, employer_id="1 OR 1=1") is None
    assert selectors.employer_for_user(user=None, employer_id=employer.pk) is None
    assert list(selectors.employers_for_user(user=owner)) == [employer]


def test_employer_for_user_other_fund(employer: Employer, owner: User, settings: object) -> None:
    setattr(settings, "TADAMUN_FUND", "ma-cnss")  # noqa: B010
    assert selectors.employer_for_user(user=owner, employer_id=employer.pk) is None


def test_employer_for_user_is_one_query(
    employer: Employer, owner: User, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        found = selectors.employer_for_user(user=owner, employer_id=employer.pk)
        assert found is not None and found.agency.code == "1601"


def test_agency_for_staff(staff: User, owner: User, agency: object) -> None:
    assert selectors.agency_for_staff(user=staff) == agency
    assert selectors.agency_for_staff(user=owner) is None


# --- sign-in, lockout, second factor -------------------------------------------------------------


def test_lockout_after_five_failures_not_before(owner: User) -> None:
    for _ in range(4):
        with pytest.raises(services.SignInRefused) as caught:
            services.sign_in_password(
                request=None, email=owner.email, password="wrong", ip="10.0.0.1", now=NOW
            )
        assert not caught.value.locked
    # the fifth attempt would succeed: four failures do not lock
    assert (
        services.sign_in_password(
            request=None, email=owner.email, password=PASSWORD, ip="10.0.0.1", now=NOW
        )
        == owner
    )
    for _ in range(5):
        with pytest.raises(services.SignInRefused):
            services.sign_in_password(
                request=None, email=owner.email, password="wrong", ip="10.0.0.1", now=NOW
            )
    with pytest.raises(services.SignInRefused) as caught:
        services.sign_in_password(
            request=None, email=owner.email, password=PASSWORD, ip="10.0.0.2", now=NOW
        )
    assert caught.value.locked
    after = NOW + services.LOCK_DURATION + dt.timedelta(seconds=1)
    assert (
        services.sign_in_password(
            request=None, email=owner.email, password=PASSWORD, ip="10.0.0.2", now=after
        )
        == owner
    )


def test_failures_outside_window_do_not_add_up(owner: User) -> None:
    for minutes in (0, 10, 20, 30, 40, 50):  # one every 10 minutes: never 5 within 15
        with pytest.raises(services.SignInRefused) as caught:
            services.sign_in_password(
                request=None,
                email=owner.email,
                password="wrong",
                ip=f"10.0.1.{minutes}",
                now=NOW + dt.timedelta(minutes=minutes * 2),
            )
        assert not caught.value.locked


def test_unknown_account_answers_like_a_wrong_password(owner: User) -> None:
    for email in ("nobody@x.example", owner.email):
        with pytest.raises(services.SignInRefused) as caught:
            services.sign_in_password(
                request=None, email=email, password="wrong", ip="10.0.0.1", now=NOW
            )
        assert str(caught.value) == "refused"
    for _ in range(5):
        with pytest.raises(services.SignInRefused):
            services.sign_in_password(
                request=None, email="nobody@x.example", password="x", ip="10.0.0.3", now=NOW
            )
    with pytest.raises(services.SignInRefused) as caught:
        services.sign_in_password(
            request=None, email="nobody@x.example", password="x", ip="10.0.0.4", now=NOW
        )
    assert caught.value.locked  # same lock for an account that does not exist


def test_ip_throttle(owner: User) -> None:
    for index in range(services.IP_FAILURES_BEFORE_LOCK):
        with pytest.raises(services.SignInRefused):
            services.sign_in_password(
                request=None, email=f"u{index}@x.example", password="x", ip="10.9.9.9", now=NOW
            )
    with pytest.raises(services.SignInRefused) as caught:
        services.sign_in_password(
            request=None, email=owner.email, password=PASSWORD, ip="10.9.9.9", now=NOW
        )
    assert caught.value.locked
    assert (
        services.sign_in_password(
            request=None, email=owner.email, password=PASSWORD, ip="10.9.9.8", now=NOW
        )
        == owner
    )


def test_totp_code_accepted_once_and_wrong_code_named(owner: User) -> None:
    code = pyotp.TOTP(owner.totp_secret).at(NOW)
    services.sign_in_second_factor(user=owner, code=code, ip=None, now=NOW)
    with pytest.raises(InvalidInput) as caught:
        services.sign_in_second_factor(user=owner, code=code, ip=None, now=NOW)  # replay
    assert (
        caught.value.problems[0].message("en")
        == "Verification code: the code is wrong or has expired"
    )
    with pytest.raises(InvalidInput):
        services.sign_in_second_factor(user=owner, code="12ab56", ip=None, now=NOW)


def test_wrong_totp_codes_lock_the_account(owner: User) -> None:
    for _ in range(4):
        with pytest.raises(InvalidInput):
            services.sign_in_second_factor(user=owner, code="000000", ip=None, now=NOW)
    with pytest.raises(services.SignInRefused):
        services.sign_in_second_factor(user=owner, code="000000", ip=None, now=NOW)
    with pytest.raises(services.SignInRefused):
        services.sign_in_password(
            request=None, email=owner.email, password=PASSWORD, ip=None, now=NOW
        )


def test_enrolment_and_recovery_codes() -> None:
    user = make_user("fresh@x.example", totp=False)
    secret = services.totp_enrolment_start(user=user)
    assert services.totp_enrolment_start(user=user) == secret
    with pytest.raises(InvalidInput):
        services.totp_enrolment_confirm(user=user, code="123", ip=None, now=NOW)
    codes = services.totp_enrolment_confirm(
        user=user, code=pyotp.TOTP(secret).at(NOW), ip=None, now=NOW
    )
    assert len(codes) == services.RECOVERY_CODE_COUNT
    assert all(
        code not in str(list(user.recovery_codes.values_list("code_hash", flat=True)))
        for code in codes
    )
    later = NOW + dt.timedelta(minutes=5)
    services.sign_in_second_factor(user=user, code=codes[0].lower(), ip=None, now=later)
    with pytest.raises(InvalidInput):
        services.sign_in_second_factor(user=user, code=codes[0], ip=None, now=later)
    with pytest.raises(PermissionDenied):
        services.totp_enrolment_start(user=user)


# --- audit trail ---------------------------------------------------------------------------------


def test_audit_record_and_history(staff: User) -> None:
    person = registry_services.insured_person_create(**person_fields("dz-cnas", 1))
    other = registry_services.insured_person_create(**person_fields("dz-cnas", 2))
    first = services.audit_record(actor=staff, action="read", obj=person, now=NOW)
    second = services.audit_record(
        actor=staff,
        action="change",
        obj=person,
        detail="birth date",
        now=NOW + dt.timedelta(minutes=1),
    )
    services.audit_record(actor=staff, action="read", obj=other, now=NOW)
    assert first.object_type == "registry.InsuredPerson" and first.object_id == str(person.pk)
    assert selectors.audit_history(insured=person) == [second, first]
    assert services.audit_record_many(actor=staff, action="read", objs=[person, other]) == 2
    assert AuditEvent.objects.count() == 5
    with pytest.raises(ValueError):
        services.audit_record(actor=staff, action="delete", obj=person)


def test_audit_events_cannot_be_changed(staff: User) -> None:
    person = registry_services.insured_person_create(**person_fields("dz-cnas", 1))
    services.audit_record(actor=staff, action="read", obj=person, now=NOW)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="change")
    assert AuditEvent.objects.get().action == "read"


def test_audit_history_is_one_query(staff: User, django_assert_num_queries: object) -> None:
    person = registry_services.insured_person_create(**person_fields("dz-cnas", 1))
    for _ in range(3):
        services.audit_record(actor=staff, action="read", obj=person, now=timezone.now())
    with django_assert_num_queries(1):  # type: ignore[operator]
        events = selectors.audit_history(insured=person)
        assert {event.actor.email for event in events if event.actor} == {staff.email}
