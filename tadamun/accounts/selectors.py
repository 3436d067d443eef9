"""Reads of the accounts app. ``employer_for_user`` is the one place where an employer user's
access to an employer is decided: every employer page of every app goes through it (directly or
through :func:`tadamun.accounts.decorators.employer_required`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from tadamun.accounts.models import (
    AuditEvent,
    EmployerMembership,
    Role,
    SignupRequest,
    SignupStatus,
    StaffProfile,
    User,
)
from tadamun.funds import current_fund
from tadamun.registry.models import Agency, Employer, InsuredPerson

AnyUser = User | AnonymousUser


def _signed_in(user: AnyUser | None) -> User | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    return user


def insured_for_user(*, user: AnyUser | None) -> InsuredPerson | None:
    """The insured person whose own account ``user`` is, in this fund; None for anyone else."""
    signed_in = _signed_in(user)
    if signed_in is None or signed_in.insured_id is None:
        return None
    return InsuredPerson.objects.filter(pk=signed_in.insured_id, fund=current_fund().code).first()


def employers_for_user(*, user: AnyUser | None) -> QuerySet[Employer]:
    """The employers ``user`` may act for now (active memberships, this fund), with their agency
    (1 query when evaluated)."""
    signed_in = _signed_in(user)
    if signed_in is None:
        return Employer.objects.none()
    return (
        Employer.objects.select_related("agency")
        .filter(
            fund=current_fund().code,
            memberships__user=signed_in,
            memberships__ended_at__isnull=True,
        )
        .order_by("name_latin", "id")
    )


def membership_for_user(
    *, user: AnyUser | None, employer_id: int | str, roles: Iterable[str] | None = None
) -> EmployerMembership | None:
    """The active membership of ``user`` at employer ``employer_id`` with the employer and its
    agency (1 query), or None: no access, no such employer, another fund, or not an allowed
    role. The caller answers 404 in every such case, so nobody learns which employers exist."""
    signed_in = _signed_in(user)
    if signed_in is None:
        return None
    try:
        pk = int(employer_id)
    except (TypeError, ValueError):
        return None
    memberships = EmployerMembership.objects.select_related("employer__agency").filter(
        user=signed_in,
        employer_id=pk,
        employer__fund=current_fund().code,
        ended_at__isnull=True,
    )
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return memberships.first()


def employer_for_user(
    *, user: AnyUser | None, employer_id: int | str, roles: Iterable[str] | None = None
) -> Employer | None:
    """The employer ``employer_id`` if ``user`` may act for it now (optionally only in one of
    ``roles``), else None — the caller answers 404. 1 query."""
    membership = membership_for_user(user=user, employer_id=employer_id, roles=roles)
    return membership.employer if membership is not None else None


def is_owner(*, user: AnyUser | None, employer: Employer) -> bool:
    return membership_for_user(user=user, employer_id=employer.pk, roles=[Role.OWNER]) is not None


def employer_memberships(*, employer: Employer) -> list[EmployerMembership]:
    """Every membership of ``employer``, current first then ended, with the users (1 query)."""
    return list(
        EmployerMembership.objects.filter(employer=employer)
        .select_related("user", "granted_by", "ended_by")
        .order_by("ended_at", "role", "granted_at", "id")
    )


def staff_profile_for_user(*, user: AnyUser | None) -> StaffProfile | None:
    """The staff profile of ``user`` with its agency (1 query), or None when not agency staff of
    this fund."""
    signed_in = _signed_in(user)
    if signed_in is None:
        return None
    return (
        StaffProfile.objects.select_related("agency")
        .filter(user=signed_in, agency__fund=current_fund().code)
        .first()
    )


def agency_for_staff(*, user: AnyUser | None) -> Agency | None:
    profile = staff_profile_for_user(user=user)
    return profile.agency if profile is not None else None


def signup_queue(*, agency: Agency) -> list[SignupRequest]:
    """The agency's pending sign-up requests, oldest first, with the employer (1 query)."""
    return list(
        SignupRequest.objects.filter(
            employer__agency=agency, status=SignupStatus.PENDING, fund=agency.fund
        )
        .select_related("employer")
        .order_by("created_at", "id")
    )


def signup_recent_decisions(*, agency: Agency, limit: int = 20) -> list[SignupRequest]:
    """The agency's last decided sign-up requests, newest first (1 query)."""
    return list(
        SignupRequest.objects.filter(employer__agency=agency, fund=agency.fund)
        .exclude(status=SignupStatus.PENDING)
        .select_related("employer", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def signup_request_for_staff(
    *, user: AnyUser | None, request_id: int | str
) -> SignupRequest | None:
    """A sign-up request of the staff member's own agency (1 query), or None → 404."""
    signed_in = _signed_in(user)
    if signed_in is None:
        return None
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        return None
    return (
        SignupRequest.objects.select_related("employer__agency")
        .filter(
            pk=pk,
            fund=current_fund().code,
            employer__agency__staff__user=signed_in,
        )
        .first()
    )


def audit_history(*, insured: InsuredPerson, limit: int = 500) -> list[AuditEvent]:
    """Who read or changed this person's record, newest first, with the actor (1 query)."""
    return list(
        AuditEvent.objects.filter(insured=insured)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
