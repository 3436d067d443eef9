"""Dossier services: open, transition, assign, decide — history, notifications, refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.utils import DatabaseError, IntegrityError

from tadamun.accounts.models import AuditEvent, User
from tadamun.documents.models import Document
from tadamun.documents.services import document_store
from tadamun.dossiers import selectors
from tadamun.dossiers.kinds import KINDS, KindSpec
from tadamun.dossiers.models import Dossier, DossierEvent, DossierStatus
from tadamun.dossiers.services import (
    dossier_assign,
    dossier_attach_document,
    dossier_decide,
    dossier_open,
    dossier_transition,
    expected_text,
)
from tadamun.errors import InvalidInput
from tadamun.funds import get_fund
from tadamun.notifications.models import Notification
from tadamun.registry.models import Agency, InsuredPerson
from tests.documents import samples

pytestmark = pytest.mark.django_db

CALLS: list[dict[str, object]] = []


def recording_decide(*, dossier: Dossier, staff: User, approve: bool, reason: str) -> None:
    CALLS.append({"dossier": dossier.pk, "staff": staff.pk, "approve": approve, "reason": reason})


def refusing_decide(*, dossier: Dossier, staff: User, approve: bool, reason: str) -> None:
    from tadamun.dossiers.problems import refuse

    raise refuse("decision", "not_a_choice", value="x", choices="y")


@pytest.fixture
def recording_kind(monkeypatch: pytest.MonkeyPatch) -> str:
    CALLS.clear()
    monkeypatch.setitem(
        KINDS,
        "test_recording",
        KindSpec(
            labels={"fr": "Essai", "ar": "تجربة", "en": "Test"},
            decide="tests.dossiers.test_services.recording_decide",
            expected={
                "bring_card": {
                    "fr": "Apportez la carte",
                    "ar": "أحضر البطاقة",
                    "en": "Bring the card",
                }
            },
        ),
    )
    monkeypatch.setitem(
        KINDS,
        "test_refusing",
        KindSpec(
            labels={"fr": "R", "ar": "R", "en": "R"},
            decide="tests.dossiers.test_services.refusing_decide",
        ),
    )
    return "test_recording"


def test_open_numbers_records_history_attaches_and_notifies(
    dossier: Dossier, applicant: User, document: Document, agency: Agency
) -> None:
    assert dossier.reference.startswith("D20") and dossier.reference.endswith("000001")
    assert dossier.status == DossierStatus.NEEDS_PERSON
    assert dossier.expected_next == "nothing"
    kinds = [e.kind for e in selectors.dossier_history(dossier=dossier)]
    assert kinds == ["opened", "document"]
    assert list(dossier.documents.all()) == [document]
    document.refresh_from_db()
    assert document.agency == agency  # handed to the agency with the dossier
    [note] = Notification.objects.filter(user=applicant)
    assert dossier.reference in note.subject and note.language == "fr"
    assert note.link == f"/fr/dossiers/{dossier.pk}/"


def test_references_follow_each_other(agency: Agency, applicant: User) -> None:
    a = dossier_open(kind="complaint", agency=agency, applicant=applicant)
    b = dossier_open(kind="complaint", agency=agency, applicant=None)
    assert int(b.reference[-6:]) == int(a.reference[-6:]) + 1
    assert a.status == DossierStatus.SUBMITTED


def test_open_refuses_an_unknown_kind_and_a_reason_with_a_full_identifier(
    agency: Agency, applicant: User, insured: InsuredPerson
) -> None:
    with pytest.raises(ValueError, match="unknown dossier kind"):
        dossier_open(kind="nope", agency=agency, applicant=applicant)
    with pytest.raises(InvalidInput) as refused:
        dossier_open(
            kind="complaint", agency=agency, applicant=applicant, reason=f"same as {insured.ssn}"
        )
    assert refused.value.problems[0].code == "holds_identifier"
    assert Dossier.objects.count() == 0


def test_transition_writes_history_and_notifies_in_the_applicants_language(
    agency: Agency, applicant_ar: User
) -> None:
    dossier = dossier_open(kind="complaint", agency=agency, applicant=applicant_ar)
    dossier_transition(
        dossier=dossier, status="waiting_applicant", actor=None, reason="la photo est floue"
    )
    dossier.refresh_from_db()
    assert dossier.expected_next == "send_documents"
    assert expected_text(dossier=dossier, language="ar") == "أرسل الوثائق التي طلبتها الوكالة."
    last = Notification.objects.filter(user=applicant_ar).order_by("-id").first()
    assert last is not None and last.language == "ar"
    assert "في انتظار ردّك" in last.body and "la photo est floue" in last.body
    event = selectors.dossier_history(dossier=dossier)[-1]
    assert (event.from_status, event.to_status) == ("submitted", "waiting_applicant")


def test_transition_bad_input(dossier: Dossier) -> None:
    with pytest.raises(InvalidInput) as refused:
        dossier_transition(dossier=dossier, status="lost", actor=None)
    assert refused.value.fields == ("status",)
    with pytest.raises(InvalidInput) as refused:
        dossier_transition(dossier=dossier, status="rejected", actor=None, reason="  ")
    assert refused.value.fields == ("reason",)
    with pytest.raises(InvalidInput) as refused:
        dossier_transition(dossier=dossier, status="in_review", actor=None, reason="x" * 1001)
    assert refused.value.problems[0].code == "too_long"
    dossier_transition(dossier=dossier, status="closed", actor=None)
    with pytest.raises(InvalidInput) as refused:
        dossier_transition(dossier=dossier, status="in_review", actor=None)
    assert refused.value.problems[0].code == "already_decided"


def test_a_kind_may_bring_its_own_expected_texts(
    agency: Agency, applicant: User, recording_kind: str
) -> None:
    dossier = dossier_open(
        kind=recording_kind, agency=agency, applicant=applicant, expected_next="bring_card"
    )
    assert expected_text(dossier=dossier, language="fr") == "Apportez la carte"
    free = dossier_transition(
        dossier=dossier, status="in_review", actor=None, expected_next="Appelez-nous"
    )
    assert expected_text(dossier=free, language="ar") == "Appelez-nous"


def test_assign_to_a_colleague_moves_to_review_and_is_audited(
    dossier: Dossier, staff: User, colleague: User
) -> None:
    dossier_assign(dossier=dossier, staff=staff, assignee=colleague)
    dossier.refresh_from_db()
    assert dossier.assignee == colleague and dossier.status == DossierStatus.IN_REVIEW
    event = selectors.dossier_history(dossier=dossier)[-1]
    assert event.kind == "assigned" and event.assignee == colleague and event.actor == staff
    assert AuditEvent.objects.filter(actor=staff, action="change", insured=dossier.insured).exists()


def test_assign_refusals(dossier: Dossier, staff: User, staff_y: User, applicant: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        dossier_assign(dossier=dossier, staff=staff, assignee=staff_y)  # other agency
    assert refused.value.problems[0].field == "assignee"
    assert refused.value.problems[0].code == "not_same_agency"
    with pytest.raises(InvalidInput):
        dossier_assign(dossier=dossier, staff=staff, assignee=applicant)  # not staff at all
    with pytest.raises(PermissionDenied):
        dossier_assign(dossier=dossier, staff=staff_y, assignee=staff_y)
    dossier.refresh_from_db()
    assert dossier.assignee is None


def test_decide_calls_the_kinds_service_then_notifies(
    agency: Agency, applicant: User, staff: User, recording_kind: str
) -> None:
    dossier = dossier_open(
        kind=recording_kind, agency=agency, applicant=applicant, needs_person=True
    )
    decided = dossier_decide(
        dossier=dossier, staff=staff, approve=True, reason="  pièces conformes "
    )
    assert [
        {"dossier": dossier.pk, "staff": staff.pk, "approve": True, "reason": "pièces conformes"}
    ] == CALLS
    assert decided.status == DossierStatus.APPROVED
    assert decided.decided_by == staff and decided.decision_reason == "pièces conformes"
    last = Notification.objects.filter(user=applicant).order_by("-id").first()
    assert last is not None and "Acceptée" in last.subject and "pièces conformes" in last.body


def test_a_kind_that_refuses_leaves_everything_as_it_was(
    agency: Agency, applicant: User, staff: User, recording_kind: str
) -> None:
    dossier = dossier_open(
        kind="test_refusing", agency=agency, applicant=applicant, needs_person=True
    )
    before = (
        DossierEvent.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(InvalidInput):
        dossier_decide(dossier=dossier, staff=staff, approve=False, reason="non")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEEDS_PERSON and dossier.decided_by is None
    assert (
        DossierEvent.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    ) == before


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "required"), ("   ", "required"), ("x" * 1001, "too_long"), ("ssn", "holds_identifier")],
)
def test_decide_bad_reason(
    dossier: Dossier, staff: User, insured: InsuredPerson, reason: str, code: str
) -> None:
    text = f"doublon de {insured.ssn}" if reason == "ssn" else reason
    with pytest.raises(InvalidInput) as refused:
        dossier_decide(dossier=dossier, staff=staff, approve=False, reason=text)
    assert refused.value.problems[0].field == "reason"
    assert refused.value.problems[0].code == code
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEEDS_PERSON


def test_deciding_twice_or_from_another_agency_is_refused(
    dossier: Dossier, staff: User, staff_y: User
) -> None:
    with pytest.raises(PermissionDenied):
        dossier_decide(dossier=dossier, staff=staff_y, approve=True, reason="ok")
    dossier_decide(dossier=dossier, staff=staff, approve=False, reason="pièce illisible")
    with pytest.raises(InvalidInput) as refused:
        dossier_decide(dossier=dossier, staff=staff, approve=True, reason="en fait oui")
    assert refused.value.problems[0].code == "already_decided"
    with pytest.raises(InvalidInput):
        dossier_assign(dossier=dossier, staff=staff, assignee=staff)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REJECTED


def test_attach_document_later(dossier: Dossier, applicant: User) -> None:
    doc = document_store(
        owner=applicant, kind="photo", upload=samples.upload("p.png", samples.image_bytes())
    )
    dossier_attach_document(dossier=dossier, document=doc, actor=applicant)
    assert doc in dossier.documents.all()
    doc.refresh_from_db()
    assert doc.agency_id == dossier.agency_id


def test_the_history_is_append_only(dossier: Dossier) -> None:
    event = DossierEvent.objects.filter(dossier=dossier).first()
    assert event is not None
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        DossierEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            DossierEvent.objects.filter(pk=event.pk).delete()


def test_no_full_identifier_reaches_a_message(dossier: Dossier, insured: InsuredPerson) -> None:
    fund = get_fund("dz-cnas")
    assert fund.insured_number.length == len(insured.ssn)
    for note in Notification.objects.all():
        assert insured.ssn not in note.subject + note.body
