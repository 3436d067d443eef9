"""Writes of the dossiers app: open, move, assign, decide, ask the applicant and take their
answer. Keyword-only, all or nothing.

Every change of status writes a :class:`~tadamun.dossiers.models.DossierEvent` (append-only) and
notifies the applicant in their language (:func:`tadamun.notifications.services.notify`, e-mail
after commit). A decision calls the kind's own decision service named in
:data:`tadamun.dossiers.kinds.KINDS` (``import_string``, no signals) inside the same transaction:
if it refuses, nothing is written. Bad input raises :class:`~tadamun.errors.InvalidInput` naming
the field; a staff member acting on another agency's dossier gets
:class:`~django.core.exceptions.PermissionDenied` (pages answer 404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from tadamun.accounts.models import AuditAction, StaffProfile, User
from tadamun.accounts.services import audit_record
from tadamun.documents import services as document_services
from tadamun.documents.models import Document
from tadamun.dossiers.kinds import EXPECTED, KINDS, kind_spec
from tadamun.dossiers.models import (
    FINAL_STATUSES,
    Dossier,
    DossierEvent,
    DossierStatus,
    EventKind,
)
from tadamun.dossiers.problems import refuse
from tadamun.funds import current_fund
from tadamun.notifications.safety import UnsafeContent, check_text
from tadamun.notifications.services import notify
from tadamun.numbering.services import number_next
from tadamun.registry.models import Agency, Employer, InsuredPerson

REASON_MAX = 1000
#: The document an agent asks for is named in a few words; the message says the rest.
EXPECTED_DOCUMENT_MAX = 200
#: ``Document.kind`` of a file the applicant sends in answer to the agency.
ANSWER_DOCUMENT_KIND = "dossier_answer"
#: Series of :func:`tadamun.numbering.services.number_next` for dossier references.
SERIES = "dossier"

#: What a status expects of the applicant when the caller says nothing more precise.
DEFAULT_EXPECTED: dict[str, str] = {
    DossierStatus.SUBMITTED: "nothing",
    DossierStatus.IN_REVIEW: "nothing",
    DossierStatus.NEEDS_PERSON: "nothing",
    DossierStatus.WAITING_APPLICANT: "send_documents",
    DossierStatus.APPROVED: "done",
    DossierStatus.REJECTED: "done",
    DossierStatus.CLOSED: "done",
}

Decide = Callable[..., object]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _clean_reason(
    value: object, *, required: bool, field: str = "reason", limit: int = REASON_MAX
) -> str:
    text = " ".join(str(value or "").split()) if not isinstance(value, str) else value.strip()
    if required and not text:
        raise refuse(field, "required")
    if len(text) > limit:
        raise refuse(field, "too_long", max=limit)
    try:
        check_text(field, text, current_fund())
    except UnsafeContent:
        raise refuse(field, "holds_identifier") from None
    return text


def _staff_of(*, user: User, agency: Agency) -> StaffProfile:
    profile = StaffProfile.objects.select_related("agency").filter(user=user).first()
    if profile is None or profile.agency_id != agency.pk:
        raise PermissionDenied("not staff of this dossier's agency")
    return profile


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _refuse_if_final(dossier: Dossier) -> None:
    if dossier.status in FINAL_STATUSES:
        raise refuse("dossier", "already_decided", status=dossier.status)


def expected_text(*, dossier: Dossier, language: str) -> str:
    """What is expected of the applicant next, in ``language`` (a code's text, or the free
    text as stored)."""
    code = dossier.expected_next
    lang = language.split("-")[0]
    spec = KINDS.get(dossier.kind)
    texts = (spec.expected.get(code) if spec is not None else None) or EXPECTED.get(code)
    if texts is None:
        return code
    return texts.get(lang, texts["en"])


def _notify_applicant(dossier: Dossier, reason: str) -> None:
    applicant = dossier.applicant
    if applicant is None:
        return
    with translation.override(applicant.preferred_language or "fr"):
        status = str(DossierStatus(dossier.status).label)
    _notify(dossier, "dossiers/notifications/status_changed.txt", status=status, reason=reason)


def _notify(dossier: Dossier, template: str, **context: object) -> None:
    """Tell the applicant (if the dossier has one) about their dossier, in their language."""
    applicant = dossier.applicant
    if applicant is None:
        return
    language = applicant.preferred_language or "fr"
    with translation.override(language):
        link = reverse("dossiers:detail", kwargs={"dossier_id": dossier.pk})
    notify(
        user=applicant,
        template=template,
        context={
            "reference": dossier.reference,
            "kind": kind_spec(dossier.kind).label(language),
            "expected": expected_text(dossier=dossier, language=language),
            **context,
        },
        link=link,
    )


def _event(
    dossier: Dossier,
    *,
    kind: str,
    at: dt.datetime,
    actor: User | None,
    from_status: str = "",
    reason: str = "",
    assignee: User | None = None,
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        at=at,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=dossier.status,
        reason=reason,
        expected_next=dossier.expected_next,
        assignee=assignee,
    )


@transaction.atomic
def dossier_open(
    *,
    kind: str,
    agency: Agency,
    applicant: User | None,
    insured: InsuredPerson | None = None,
    employer: Employer | None = None,
    subject_id: str = "",
    needs_person: bool = False,
    reason: str = "",
    expected_next: str = "",
    documents: Sequence[Document] = (),
    now: dt.datetime | None = None,
) -> Dossier:
    """Open a dossier of ``kind`` (a key of :data:`~tadamun.dossiers.kinds.KINDS`) handled by
    ``agency`` for ``applicant`` (who follows it and is notified; None for a request with no
    account behind it), with its reference number (``D2026-000001``).

    ``needs_person`` puts it straight in the agency's queue (status ``needs_person``, with
    ``reason`` saying why: suspected duplicate, unclear document…); otherwise it is
    ``submitted``. ``subject_id`` is the id of the caller's own request row. ``documents`` are
    attached and handed to the agency. ``ValueError`` for an unknown kind (a programming
    error); :class:`~tadamun.errors.InvalidInput` for a reason too long or holding a full
    identifier.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown dossier kind {kind!r}: add it to tadamun/dossiers/kinds.py")
    text = _clean_reason(reason, required=False)
    at = _now(now)
    year = timezone.localtime(at).year
    number = number_next(series=SERIES, year=year)
    status = DossierStatus.NEEDS_PERSON if needs_person else DossierStatus.SUBMITTED
    dossier = Dossier.objects.create(
        fund=agency.fund,
        reference=f"D{year}-{number:06d}",
        kind=kind,
        agency=agency,
        applicant=applicant,
        insured=insured,
        employer=employer,
        subject_id=str(subject_id)[:64],
        status=status,
        reason=text,
        expected_next=(expected_next or DEFAULT_EXPECTED[status])[:500],
        created_at=at,
        updated_at=at,
    )
    _event(dossier, kind=EventKind.OPENED, at=at, actor=applicant, reason=text)
    for document in documents:
        _attach(dossier, document, actor=applicant, at=at)
    _notify_applicant(dossier, "")
    return dossier


def _attach(dossier: Dossier, document: Document, *, actor: User | None, at: dt.datetime) -> None:
    document_services.document_hand_to_agency(document=document, agency=dossier.agency)
    dossier.documents.add(document)
    _event(
        dossier,
        kind=EventKind.DOCUMENT,
        at=at,
        actor=actor,
        from_status=dossier.status,
        reason=document.kind,
    )


@transaction.atomic
def dossier_attach_document(
    *, dossier: Dossier, document: Document, actor: User | None, now: dt.datetime | None = None
) -> Dossier:
    """Attach ``document`` to ``dossier`` (its agency may then read it); recorded in the
    history. Refused on a closed dossier."""
    locked = _locked(dossier)
    _refuse_if_final(locked)
    _attach(locked, document, actor=actor, at=_now(now))
    return locked


@transaction.atomic
def dossier_transition(
    *,
    dossier: Dossier,
    status: str,
    actor: User | None,
    reason: str = "",
    expected_next: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """Move ``dossier`` to ``status`` and say what is expected of the applicant next
    (``expected_next``: a code of :data:`~tadamun.dossiers.kinds.EXPECTED` or of the kind, or
    free text; the status's default when empty). Written to the history; the applicant is
    notified. A closed (approved, rejected, closed) dossier does not move. Decisions by agency
    staff go through :func:`dossier_decide`; an app may approve or reject here when its own
    automatic checks decide (actor None)."""
    if status not in DossierStatus.values:
        raise refuse(
            "status", "not_a_choice", value=status, choices=", ".join(DossierStatus.values)
        )
    text = _clean_reason(reason, required=status == DossierStatus.REJECTED)
    locked = _locked(dossier)
    _refuse_if_final(locked)
    at = _now(now)
    previous = locked.status
    locked.status = status
    locked.expected_next = (expected_next or DEFAULT_EXPECTED[status])[:500]
    locked.updated_at = at
    if status in (DossierStatus.APPROVED, DossierStatus.REJECTED):
        locked.decided_by = actor
        locked.decided_at = at
        locked.decision_reason = text
    locked.save()
    _event(locked, kind=EventKind.STATUS, at=at, actor=actor, from_status=previous, reason=text)
    _notify_applicant(locked, text)
    return locked


@transaction.atomic
def dossier_assign(
    *, dossier: Dossier, staff: User, assignee: User, now: dt.datetime | None = None
) -> Dossier:
    """``staff`` (of the dossier's agency) gives ``dossier`` to ``assignee``, a colleague of the
    same agency (or themself). Refused (``assignee``) for anyone else, and on a closed dossier.
    A dossier waiting in the queue moves to ``in_review``."""
    _staff_of(user=staff, agency=dossier.agency)
    profile = StaffProfile.objects.filter(user=assignee).first()
    if profile is None or profile.agency_id != dossier.agency_id or not assignee.is_active:
        raise refuse("assignee", "not_same_agency")
    locked = _locked(dossier)
    _refuse_if_final(locked)
    at = _now(now)
    previous = locked.status
    locked.assignee = assignee
    locked.updated_at = at
    moved = previous in (DossierStatus.SUBMITTED, DossierStatus.NEEDS_PERSON)
    if moved:
        locked.status = DossierStatus.IN_REVIEW
    locked.save()
    _event(
        locked, kind=EventKind.ASSIGNED, at=at, actor=staff, from_status=previous, assignee=assignee
    )
    audit_record(
        actor=staff,
        action=AuditAction.CHANGE,
        obj=locked,
        insured=locked.insured,
        detail=f"dossier {locked.reference} assigned to user {assignee.pk}",
        now=at,
    )
    if moved:
        _notify_applicant(locked, "")
    return locked


@transaction.atomic
def dossier_decide(
    *,
    dossier: Dossier,
    staff: User,
    approve: bool,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """``staff`` of the dossier's agency approves or rejects it with a ``reason`` (required,
    at most 1,000 characters, no full identifier). The kind's decision service
    (``KINDS[kind].decide``) runs first, in this transaction, and may refuse with
    InvalidInput; then the status, the history and the applicant's notification are written.
    A dossier already approved, rejected or closed is refused (``dossier``)."""
    _staff_of(user=staff, agency=dossier.agency)
    text = _clean_reason(reason, required=True)
    locked = _locked(dossier)
    _refuse_if_final(locked)
    decide: Decide = import_string(kind_spec(locked.kind).decide)
    decide(dossier=locked, staff=staff, approve=approve, reason=text)
    at = _now(now)
    previous = locked.status
    locked.status = DossierStatus.APPROVED if approve else DossierStatus.REJECTED
    locked.expected_next = DEFAULT_EXPECTED[locked.status]
    locked.decided_by = staff
    locked.decided_at = at
    locked.decision_reason = text
    locked.updated_at = at
    locked.save()
    _event(locked, kind=EventKind.DECIDED, at=at, actor=staff, from_status=previous, reason=text)
    audit_record(
        actor=staff,
        action=AuditAction.CHANGE,
        obj=locked,
        insured=locked.insured,
        detail=f"dossier {locked.reference} {locked.status}",
        now=at,
    )
    _notify_applicant(locked, text)
    return locked


@transaction.atomic
def dossier_ask(
    *,
    dossier: Dossier,
    staff: User,
    message: str,
    expected_document: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """``staff`` of the dossier's agency asks the applicant for something (a missing or
    unreadable document…): ``message`` (required, at most 1,000 characters, no full identifier)
    and, optionally, the ``expected_document`` in a few words (at most 200). The dossier waits
    for the applicant (``waiting_applicant``; what is expected next is that document, or
    "send the documents asked for"); the question is written to the history and sent to the
    applicant in their language. Refused on a closed dossier and on one with no applicant
    account (``dossier``); :class:`PermissionDenied` for staff of another agency."""
    _staff_of(user=staff, agency=dossier.agency)
    text = _clean_reason(message, required=True, field="message")
    wanted = _clean_reason(
        expected_document,
        required=False,
        field="expected_document",
        limit=EXPECTED_DOCUMENT_MAX,
    )
    locked = _locked(dossier)
    _refuse_if_final(locked)
    if locked.applicant_id is None:
        raise refuse("dossier", "no_applicant")
    at = _now(now)
    previous = locked.status
    locked.status = DossierStatus.WAITING_APPLICANT
    locked.expected_next = wanted or DEFAULT_EXPECTED[DossierStatus.WAITING_APPLICANT]
    locked.updated_at = at
    locked.save()
    _event(locked, kind=EventKind.ASKED, at=at, actor=staff, from_status=previous, reason=text)
    audit_record(
        actor=staff,
        action=AuditAction.CHANGE,
        obj=locked,
        insured=locked.insured,
        detail=f"dossier {locked.reference} question to the applicant",
        now=at,
    )
    _notify(locked, "dossiers/notifications/question.txt", message=text)
    return locked


def dossier_answer(
    *,
    dossier: Dossier,
    applicant: User,
    note: str,
    upload: UploadedFile | None,
    now: dt.datetime | None = None,
) -> Dossier:
    """The ``applicant`` (the dossier's own) answers the agency's question with a ``note``
    (optional, at most 1,000 characters, no full identifier) and one document (``upload``,
    required, with every check of :func:`tadamun.documents.services.document_store`). The
    document is attached and handed to the agency, the answer written to the history, and the
    dossier goes back to the agency's queue (``in_review`` when an agent holds it, else
    ``needs_person``). Refused (``dossier``) unless the dossier waits for the applicant; a
    refused file names the ``document`` field. All or nothing: on any refusal no history entry
    is written and no stored file stays behind. :class:`PermissionDenied` for anyone but the
    applicant (pages answer 404)."""
    if dossier.applicant_id is None or dossier.applicant_id != applicant.pk:
        raise PermissionDenied("not the applicant of this dossier")
    text = _clean_reason(note, required=False, field="note")
    stored: list[Document] = []
    try:
        with transaction.atomic():
            locked = _locked(dossier)
            if locked.status != DossierStatus.WAITING_APPLICANT:
                raise refuse("dossier", "not_waiting", status=locked.status)
            if upload is None:
                raise refuse("document", "required")
            at = _now(now)
            stored.append(
                document_services.document_store(
                    owner=applicant,
                    kind=ANSWER_DOCUMENT_KIND,
                    upload=upload,
                    agency=locked.agency,
                    field="document",
                    now=at,
                )
            )
            previous = locked.status
            locked.status = (
                DossierStatus.IN_REVIEW
                if locked.assignee_id is not None
                else DossierStatus.NEEDS_PERSON
            )
            locked.expected_next = DEFAULT_EXPECTED[locked.status]
            locked.updated_at = at
            locked.save()
            _event(
                locked,
                kind=EventKind.ANSWERED,
                at=at,
                actor=applicant,
                from_status=previous,
                reason=text,
            )
            _attach(locked, stored[0], actor=applicant, at=at)
    except BaseException:
        document_services.document_files_remove(documents=stored)
        raise
    return locked


def complaint_decide(*, dossier: Dossier, staff: User, approve: bool, reason: str) -> None:
    """A complaint's decision is its answer: the reason, sent to the applicant; nothing else
    changes."""
