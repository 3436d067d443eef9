"""The download page: the owner and the handling agency's staff (audited); everyone else 404."""

from __future__ import annotations

import pytest
from django.test import Client

from tadamun.accounts.models import AuditEvent, User
from tadamun.documents.models import Document
from tadamun.documents.services import document_hand_to_agency, document_store
from tadamun.registry.models import Agency
from tests.documents import samples
from tests.support.people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(person: User, agency: Agency) -> Document:
    return document_store(
        owner=person,
        kind="consular_registration",
        upload=samples.upload("carte consulaire.pdf", samples.pdf_bytes()),
        agency=agency,
    )


def _url(document: Document) -> str:
    return f"/fr/documents/{document.pk}/download/"


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_the_owner_downloads_it_as_an_attachment(
    client: Client, person: User, document: Document
) -> None:
    sign_in(client, person)
    response = client.get(_url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "carte" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert _body(response) == samples.pdf_bytes()
    assert AuditEvent.objects.count() == 0  # the owner reading their own file is not audited


def test_staff_of_the_handling_agency_download_it_and_the_read_is_audited(
    client: Client, staff: User, person: User, document: Document
) -> None:
    sign_in(client, staff)
    response = client.get(_url(document))
    assert response.status_code == 200
    _body(response)
    [event] = AuditEvent.objects.all()
    assert event.actor == staff and event.action == "read"
    assert event.object_type == "documents.Document" and event.object_id == str(document.pk)


@pytest.mark.parametrize("who", ["other_person", "staff_y"])
def test_anyone_else_gets_404(
    client: Client, request: pytest.FixtureRequest, who: str, document: Document
) -> None:
    sign_in(client, request.getfixturevalue(who))
    assert client.get(_url(document)).status_code == 404
    assert client.get("/fr/documents/999999/download/").status_code == 404
    assert AuditEvent.objects.count() == 0


def test_a_document_handed_to_no_agency_is_only_the_owners(
    client: Client, person: User, staff: User, agency: Agency
) -> None:
    doc = document_store(
        owner=person, kind="id", upload=samples.upload("a.png", samples.image_bytes())
    )
    sign_in(client, staff)
    assert client.get(_url(doc)).status_code == 404
    document_hand_to_agency(document=doc, agency=agency)
    assert client.get(_url(doc)).status_code == 200


def test_a_visitor_is_sent_to_sign_in(client: Client, document: Document) -> None:
    response = client.get(_url(document))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_get(client: Client, person: User, document: Document) -> None:
    sign_in(client, person)
    assert client.post(_url(document)).status_code == 405


def test_the_document_is_never_served_statically(document: Document) -> None:
    # No URL of the site maps to the storage directory: only the checked view serves bytes.
    from django.urls import resolve

    match = resolve(_url(document))
    assert match.view_name == "documents:download"
