"""Dossier pages: the person's own, the agency back office; permissions, audit, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tadamun.accounts.models import AuditEvent, User
from tadamun.dossiers import selectors
from tadamun.dossiers.models import Dossier, DossierStatus
from tadamun.dossiers.services import dossier_decide, dossier_open
from tadamun.registry.models import Agency
from tests.support.people import sign_in

pytestmark = pytest.mark.django_db


def _signed(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


# --- the person ----------------------------------------------------------------------------------


def test_the_person_sees_their_dossiers_history_and_next_step(
    client: Client, applicant: User, dossier: Dossier
) -> None:
    _signed(client, applicant)
    listing = client.get("/fr/dossiers/").content.decode()
    assert dossier.reference in listing and "Réclamation" in listing
    page = client.get(f"/fr/dossiers/{dossier.pk}/").content.decode()
    assert "En attente d&#x27;un agent" in page or "En attente d'un agent" in page
    assert "Rien pour l&#x27;instant" in page or "Rien pour l'instant" in page
    assert "Demande reçue" in page
    assert "unclear document" not in page  # the agency's internal reason stays internal
    assert "carte.pdf" in page
    ar = client.get(f"/ar/dossiers/{dossier.pk}/").content.decode()
    assert "في انتظار موظف" in ar and 'dir="rtl"' in ar


def test_another_persons_dossier_is_404(
    client: Client, applicant_ar: User, dossier: Dossier
) -> None:
    _signed(client, applicant_ar)
    assert client.get(f"/fr/dossiers/{dossier.pk}/").status_code == 404
    assert dossier.reference not in client.get("/fr/dossiers/").content.decode()


def test_staff_pages_are_not_for_people(client: Client, applicant: User, dossier: Dossier) -> None:
    _signed(client, applicant)
    assert client.get("/fr/dossiers/agency/").status_code == 404
    assert client.get(f"/fr/dossiers/agency/{dossier.pk}/").status_code == 404


def test_visitors_are_sent_to_sign_in(client: Client, dossier: Dossier) -> None:
    for url in ("/fr/dossiers/", f"/fr/dossiers/{dossier.pk}/", "/fr/dossiers/agency/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the agency back office ----------------------------------------------------------------------


def test_the_queue_shows_only_the_agencys_dossiers_needing_a_person(
    client: Client, staff: User, dossier: Dossier, agency: Agency, agency_y: Agency, applicant: User
) -> None:
    elsewhere = dossier_open(kind="complaint", agency=agency_y, applicant=applicant)
    done = dossier_open(kind="complaint", agency=agency, applicant=applicant)
    dossier_decide(dossier=done, staff=staff, approve=True, reason="ok")
    page = _signed(client, staff).get("/fr/dossiers/agency/").content.decode()
    assert dossier.reference in page
    assert elsewhere.reference not in page and done.reference not in page
    approved = client.get("/fr/dossiers/agency/?status=approved").content.decode()
    assert done.reference in approved and dossier.reference not in approved
    assert dossier.reference not in client.get("/fr/dossiers/agency/?assignee=me").content.decode()
    assert dossier.reference in client.get("/fr/dossiers/agency/?assignee=none").content.decode()
    assert (
        dossier.reference
        in client.get(f"/fr/dossiers/agency/?q={dossier.reference[-4:]}").content.decode()
    )
    assert dossier.reference not in client.get("/fr/dossiers/agency/?q=ZZZ").content.decode()
    # Unknown filter values are ignored, never an error.
    assert client.get("/fr/dossiers/agency/?status=<x>&kind=nope&assignee=42abc").status_code == 200


def test_staff_of_another_agency_get_404_everywhere(
    client: Client, staff_y: User, dossier: Dossier
) -> None:
    _signed(client, staff_y)
    assert dossier.reference not in client.get("/fr/dossiers/agency/").content.decode()
    assert client.get(f"/fr/dossiers/agency/{dossier.pk}/").status_code == 404
    assert (
        client.post(
            f"/fr/dossiers/agency/{dossier.pk}/assign/", {"assignee": staff_y.pk}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/fr/dossiers/agency/{dossier.pk}/decide/", {"decision": "approve", "reason": "ok"}
        ).status_code
        == 404
    )
    doc = dossier.documents.get()
    assert client.get(f"/fr/documents/{doc.pk}/download/").status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEEDS_PERSON and dossier.assignee is None
    assert AuditEvent.objects.filter(actor=staff_y).count() == 0


def test_every_staff_read_is_audited(client: Client, staff: User, dossier: Dossier) -> None:
    _signed(client, staff)
    page = client.get(f"/fr/dossiers/agency/{dossier.pk}/").content.decode()
    assert dossier.insured is not None
    assert "unclear document" in page and dossier.insured.ssn in page
    [event] = AuditEvent.objects.filter(actor=staff)
    assert event.action == "read" and event.insured == dossier.insured
    assert event.object_type == "dossiers.Dossier"


def test_assign_then_decide(
    client: Client, staff: User, colleague: User, dossier: Dossier, applicant: User
) -> None:
    _signed(client, staff)
    page = client.get(f"/fr/dossiers/agency/{dossier.pk}/").content.decode()
    assert colleague.email in page
    response = client.post(f"/fr/dossiers/agency/{dossier.pk}/assign/", {"assignee": colleague.pk})
    assert response.status_code == 302
    response = client.post(
        f"/fr/dossiers/agency/{dossier.pk}/decide/",
        {"decision": "reject", "reason": "pièce illisible"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REJECTED and dossier.assignee == colleague
    assert [e.kind for e in selectors.dossier_history(dossier=dossier)][-2:] == [
        "assigned",
        "decided",
    ]
    page = client.get(f"/fr/dossiers/agency/{dossier.pk}/").content.decode()
    assert 'name="decision"' not in page and 'name="assignee"' not in page  # nothing left to do


BAD_DECISIONS = [
    ({"decision": "approve", "reason": ""}, "reason", "Motif : est obligatoire"),
    ({"decision": "approve", "reason": "   "}, "reason", "Motif : est obligatoire"),
    ({"decision": "", "reason": "ok"}, "decision", "Décision : est obligatoire"),
    ({"decision": "maybe", "reason": "ok"}, "decision", "n'est pas une valeur admise"),
    ({"reason": ""}, "decision", "Décision : est obligatoire"),
    ({"decision": "reject", "reason": "x" * 1001}, "reason", "1000"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD_DECISIONS)
def test_bad_decisions_are_refused_with_the_reason(
    client: Client, staff: User, dossier: Dossier, data: dict[str, str], field: str, message: str
) -> None:
    _signed(client, staff)
    response = client.post(f"/fr/dossiers/agency/{dossier.pk}/decide/", data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEEDS_PERSON and dossier.decided_by is None


def test_a_reason_with_a_full_identifier_is_refused(
    client: Client, staff: User, dossier: Dossier
) -> None:
    _signed(client, staff)
    assert dossier.insured is not None
    response = client.post(
        f"/en/dossiers/agency/{dossier.pk}/decide/",
        {"decision": "reject", "reason": f"duplicate of {dossier.insured.ssn}"},
    )
    assert response.status_code == 400
    assert "must not contain a full identification number" in response.content.decode()


def test_deciding_an_already_decided_dossier(client: Client, staff: User, dossier: Dossier) -> None:
    dossier_decide(dossier=dossier, staff=staff, approve=True, reason="ok")
    _signed(client, staff)
    response = client.post(
        f"/ar/dossiers/agency/{dossier.pk}/decide/", {"decision": "reject", "reason": "non"}
    )
    assert response.status_code == 400
    assert "مُغلق مسبقًا" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.APPROVED


@pytest.mark.parametrize("value", ["", "abc", "999999", "-1"])
def test_bad_assignees(client: Client, staff: User, dossier: Dossier, value: str) -> None:
    _signed(client, staff)
    response = client.post(f"/en/dossiers/agency/{dossier.pk}/assign/", {"assignee": value})
    assert response.status_code == 400
    assert "Assignee" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.assignee is None


def test_assigning_to_staff_of_another_agency(
    client: Client, staff: User, staff_y: User, applicant: User, dossier: Dossier
) -> None:
    _signed(client, staff)
    for other in (staff_y, applicant):
        response = client.post(f"/en/dossiers/agency/{dossier.pk}/assign/", {"assignee": other.pk})
        assert response.status_code == 400
        assert "not on the staff of the dossier" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.assignee is None


def test_forms_need_post(client: Client, staff: User, dossier: Dossier) -> None:
    _signed(client, staff)
    assert client.get(f"/fr/dossiers/agency/{dossier.pk}/decide/").status_code == 405
    assert client.get(f"/fr/dossiers/agency/{dossier.pk}/assign/").status_code == 405


def test_the_applicant_sees_the_decision(
    client: Client, staff: User, applicant: User, dossier: Dossier
) -> None:
    dossier_decide(dossier=dossier, staff=staff, approve=True, reason="pièces conformes")
    _signed(client, applicant)
    page = client.get(f"/fr/dossiers/{dossier.pk}/").content.decode()
    assert "Acceptée" in page and "pièces conformes" in page
    assert staff.email not in page  # the agent's identity is not shown to the applicant


@pytest.mark.parametrize("size", [3, 30])
def test_page_query_counts_do_not_grow_with_the_queue(
    client: Client,
    staff: User,
    applicant: User,
    agency: Agency,
    size: int,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(size):
        dossier_open(kind="complaint", agency=agency, applicant=applicant, needs_person=True)
    _signed(client, staff)
    # session, user, staff profile (decorator), staff profile (selector), queue, unread badge
    with django_assert_max_num_queries(6):
        assert client.get("/fr/dossiers/agency/").status_code == 200
    client.logout()
    _signed(client, applicant)
    with django_assert_max_num_queries(4):  # session, user, dossiers, unread badge
        assert client.get("/fr/dossiers/").status_code == 200
