"""Reads of the dossiers app. A person sees only the dossiers they applied for; agency staff see
only their agency's, and every staff read of a dossier about a person is written to the audit
trail (:func:`dossier_for_staff`)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from tadamun.accounts import selectors as account_selectors
from tadamun.accounts.models import AuditAction, User
from tadamun.accounts.services import audit_record
from tadamun.documents.models import Document
from tadamun.dossiers.models import (
    QUEUE_STATUSES,
    Dossier,
    DossierEvent,
    DossierStatus,
    EventKind,
)
from tadamun.funds import current_fund

AnyUser = User | AnonymousUser


def _signed_in(user: AnyUser | None) -> User | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    return user


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Dossier.DoesNotExist from None


def dossiers_for_user(*, user: AnyUser | None) -> list[Dossier]:
    """The dossiers ``user`` applied for in this fund, newest first (1 query)."""
    signed_in = _signed_in(user)
    if signed_in is None:
        return []
    return list(
        Dossier.objects.filter(applicant=signed_in, fund=current_fund().code).order_by(
            "-created_at", "-id"
        )
    )


def dossier_for_user(*, user: AnyUser | None, dossier_id: int | str) -> Dossier:
    """One of ``user``'s own dossiers; ``Dossier.DoesNotExist`` for any other."""
    signed_in = _signed_in(user)
    pk = _pk(dossier_id)
    if signed_in is None:
        raise Dossier.DoesNotExist
    return Dossier.objects.get(pk=pk, applicant=signed_in, fund=current_fund().code)


def queue_for_staff(
    *,
    user: AnyUser | None,
    statuses: list[str] | None = None,
    kind: str = "",
    assignee: str = "",
    search: str = "",
    limit: int = 200,
) -> list[Dossier]:
    """The dossiers of ``user``'s agency that need a person (``submitted``, ``needs_person``,
    ``in_review`` unless ``statuses`` says otherwise), oldest first, with their applicant and
    assignee (1 query). ``assignee``: ``"me"``, ``"none"`` or a user id; ``search``: the
    reference. Empty for anyone who is not agency staff."""
    profile = account_selectors.staff_profile_for_user(user=user)
    if profile is None:
        return []
    rows = Dossier.objects.filter(agency=profile.agency).select_related("applicant", "assignee")
    rows = rows.filter(status__in=list(statuses or QUEUE_STATUSES))
    if kind:
        rows = rows.filter(kind=kind)
    if assignee == "me":
        rows = rows.filter(assignee_id=profile.user_id)
    elif assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif assignee.isdigit():
        rows = rows.filter(assignee_id=int(assignee))
    if search.strip():
        rows = rows.filter(reference__icontains=search.strip())
    return list(rows.order_by("created_at", "id")[:limit])


def dossier_for_staff(
    *, user: AnyUser | None, dossier_id: int | str, request: HttpRequest | None = None
) -> Dossier:
    """A dossier of ``user``'s agency; ``Dossier.DoesNotExist`` for another agency's or for
    someone who is not staff. The read is written to the audit trail (with the insured person
    when there is one)."""
    profile = account_selectors.staff_profile_for_user(user=user)
    pk = _pk(dossier_id)
    if profile is None:
        raise Dossier.DoesNotExist
    dossier = Dossier.objects.select_related(
        "applicant", "assignee", "insured", "employer", "agency", "decided_by"
    ).get(pk=pk, agency=profile.agency)
    reader = _signed_in(user)
    audit_record(
        actor=reader,
        action=AuditAction.READ,
        obj=dossier,
        request=request,
        insured=dossier.insured,
        detail=f"dossier {dossier.reference}",
    )
    return dossier


def dossier_history(*, dossier: Dossier) -> list[DossierEvent]:
    """The dossier's events, oldest first, with their actor and assignee (1 query)."""
    return list(
        DossierEvent.objects.filter(dossier=dossier)
        .select_related("actor", "assignee")
        .order_by("at", "id")
    )


def dossier_question(*, dossier: Dossier) -> DossierEvent | None:
    """The agency's question the applicant has still to answer (the latest one), or None when
    the dossier is not waiting for the applicant (1 query, none when not waiting)."""
    if dossier.status != DossierStatus.WAITING_APPLICANT:
        return None
    return (
        DossierEvent.objects.filter(dossier=dossier, kind=EventKind.ASKED)
        .order_by("-at", "-id")
        .first()
    )


def dossier_documents(*, dossier: Dossier) -> list[Document]:
    """The documents attached to ``dossier``."""
    return list(dossier.documents.order_by("uploaded_at", "id"))


def agency_colleagues(*, user: AnyUser | None) -> list[User]:
    """The active staff of ``user``'s agency (to assign a dossier to), by e-mail."""
    profile = account_selectors.staff_profile_for_user(user=user)
    if profile is None:
        return []
    return list(
        User.objects.filter(staff_profile__agency=profile.agency, is_active=True).order_by("email")
    )


def dossier_for_subject(*, kind: str, subject_id: str) -> Dossier | None:
    """The dossier opened for the calling app's own request ``subject_id`` of ``kind``."""
    return (
        Dossier.objects.filter(kind=kind, subject_id=str(subject_id))
        .order_by("-created_at", "-id")
        .first()
    )


def dossiers_about(*, agency_id: int, q: Q | None = None) -> QuerySet[Dossier]:
    """The agency's dossiers (optionally filtered), for the agency's own reports."""
    rows = Dossier.objects.filter(agency_id=agency_id)
    return rows.filter(q) if q is not None else rows
