"""The agency asks the applicant for a document; the applicant answers from their dossier's page:
the whole exchange, and every refusal (nothing written, no file left behind)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import AuditEvent, User
from tadamun.documents import storage
from tadamun.documents.models import Document
from tadamun.dossiers import selectors
from tadamun.dossiers.models import Dossier, DossierEvent, DossierStatus
from tadamun.dossiers.services import (
    dossier_answer,
    dossier_ask,
    dossier_assign,
    dossier_decide,
    dossier_open,
)
from tadamun.errors import InvalidInput
from tadamun.notifications.models import Notification
from tadamun.registry.models import Agency
from tests.documents import samples
from tests.support.people import sign_in

pytestmark = pytest.mark.django_db


def _signed(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def _state(dossier: Dossier) -> tuple[object, ...]:
    """Everything a refused request must leave as it was."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.expected_next,
        DossierEvent.objects.filter(dossier=dossier).count(),
        Document.objects.count(),
        fresh.documents.count(),
        Notification.objects.count(),
        sorted(p.name for p in storage.stored_files()),
    )


@pytest.fixture
def waiting(dossier: Dossier, staff: User) -> Dossier:
    return dossier_ask(
        dossier=dossier,
        staff=staff,
        message="La copie de la carte est illisible.",
        expected_document="Carte d'identité, recto verso",
    )


# --- the whole exchange --------------------------------------------------------------------------


def test_ask_notify_answer_back_in_queue_with_the_history_in_order(
    client: Client, staff: User, applicant: User, dossier: Dossier
) -> None:
    _signed(client, staff)
    response = client.post(
        f"/fr/dossiers/agency/{dossier.pk}/ask/",
        {
            "message": "La copie de la carte est illisible.",
            "expected_document": "Carte recto verso",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.WAITING_APPLICANT
    assert dossier.expected_next == "Carte recto verso"
    assert dossier.pk not in [d.pk for d in selectors.queue_for_staff(user=staff)]
    assert AuditEvent.objects.filter(detail__contains="question to the applicant").exists()

    note = Notification.objects.filter(user=applicant).order_by("-id").first()
    assert note is not None and note.language == "fr"
    assert dossier.reference in note.subject and "l'agence vous demande" in note.subject
    assert "La copie de la carte est illisible." in note.body
    assert "Carte recto verso" in note.body
    assert note.link == f"/fr/dossiers/{dossier.pk}/"

    staff_client = client
    client = _signed(Client(), applicant)
    page = client.get(f"/fr/dossiers/{dossier.pk}/").content.decode()
    assert "L&#x27;agence vous demande" in page or "L'agence vous demande" in page
    assert "La copie de la carte est illisible." in page and 'name="document"' in page
    assert "Carte recto verso" in page
    response = client.post(
        f"/fr/dossiers/{dossier.pk}/answer/",
        {
            "note": "Voici une copie lisible.",
            "document": samples.upload("carte.png", samples.image_bytes()),
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEEDS_PERSON and dossier.expected_next == "nothing"
    assert sorted(d.original_name for d in dossier.documents.all()) == ["carte.pdf", "carte.png"]
    answered = dossier.documents.get(original_name="carte.png")
    assert answered.owner == applicant and answered.agency == dossier.agency
    assert answered.content_type == "image/png"
    assert dossier.pk in [d.pk for d in selectors.queue_for_staff(user=staff)]

    history = selectors.dossier_history(dossier=dossier)
    assert [(e.kind, e.to_status) for e in history] == [
        ("opened", "needs_person"),
        ("document", "needs_person"),
        ("asked", "waiting_applicant"),
        ("answered", "needs_person"),
        ("document", "needs_person"),
    ]
    assert history[2].actor == staff and history[2].reason == "La copie de la carte est illisible."
    assert history[3].actor == applicant and history[3].reason == "Voici une copie lisible."
    assert history[3].from_status == "waiting_applicant"

    page = client.get(f"/fr/dossiers/{dossier.pk}/").content.decode()
    assert 'name="document"' not in page  # nothing left to answer
    assert "Voici une copie lisible." in page
    page = staff_client.get(f"/fr/dossiers/agency/{dossier.pk}/").content.decode()
    assert "Voici une copie lisible." in page and "carte.png" in page


def test_an_assigned_dossier_goes_back_in_review_with_its_agent(
    staff: User, applicant: User, dossier: Dossier
) -> None:
    dossier_assign(dossier=dossier, staff=staff, assignee=staff)
    dossier_ask(dossier=dossier, staff=staff, message="Il manque l'attestation de travail.")
    done = dossier_answer(
        dossier=dossier,
        applicant=applicant,
        note="",
        upload=samples.upload("attestation.pdf", samples.pdf_bytes()),
    )
    assert done.status == DossierStatus.IN_REVIEW and done.assignee == staff


def test_the_question_reaches_the_applicant_in_arabic(
    agency: Agency, staff: User, applicant_ar: User
) -> None:
    dossier = dossier_open(kind="complaint", agency=agency, applicant=applicant_ar)
    dossier_ask(dossier=dossier, staff=staff, message="الصورة غير واضحة")
    note = Notification.objects.filter(user=applicant_ar).order_by("-id").first()
    assert note is not None and note.language == "ar"
    assert "الصورة غير واضحة" in note.body and "تطلب منك الوكالة" in note.subject
    assert "أرسل الوثائق التي طلبتها الوكالة." in note.body
    assert note.link == f"/ar/dossiers/{dossier.pk}/"


def test_the_applicant_page_in_english(client: Client, applicant: User, waiting: Dossier) -> None:
    _signed(client, applicant)
    page = client.get(f"/en/dossiers/{waiting.pk}/").content.decode()
    assert "The agency asks you" in page and "Send my answer" in page


def test_the_question_and_the_answer_form_in_arabic(
    client: Client, applicant: User, staff: User, waiting: Dossier
) -> None:
    _signed(client, applicant)
    page = client.get(f"/ar/dossiers/{waiting.pk}/").content.decode()
    assert 'dir="rtl"' in page
    assert "تطلب منك الوكالة" in page and "إرسال ردّي" in page and 'name="document"' in page
    staff_page = _signed(Client(), staff).get(f"/ar/dossiers/agency/{waiting.pk}/")
    assert 'dir="rtl"' in staff_page.content.decode()
    assert "اطلب من صاحب الطلب" in staff_page.content.decode()


# --- refusals when asking ------------------------------------------------------------------------


def test_staff_of_another_agency_cannot_ask(
    client: Client, staff_y: User, dossier: Dossier
) -> None:
    before = _state(dossier)
    _signed(client, staff_y)
    response = client.post(f"/fr/dossiers/agency/{dossier.pk}/ask/", {"message": "Envoyez"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        dossier_ask(dossier=dossier, staff=staff_y, message="Envoyez")
    assert _state(dossier) == before


def test_a_person_cannot_ask(client: Client, applicant: User, dossier: Dossier) -> None:
    _signed(client, applicant)
    response = client.post(f"/fr/dossiers/agency/{dossier.pk}/ask/", {"message": "Envoyez"})
    assert response.status_code == 404


BAD_QUESTIONS = [
    ({"message": ""}, "Message : est obligatoire"),
    ({"message": "   "}, "Message : est obligatoire"),
    ({}, "Message : est obligatoire"),
    ({"message": "x" * 1001}, "1000"),
    ({"message": "Envoyez la carte", "expected_document": "y" * 201}, "Pièce attendue"),
]


@pytest.mark.parametrize(("data", "message"), BAD_QUESTIONS)
def test_bad_questions_are_refused_naming_the_field(
    client: Client, staff: User, dossier: Dossier, data: dict[str, str], message: str
) -> None:
    before = _state(dossier)
    _signed(client, staff)
    response = client.post(f"/fr/dossiers/agency/{dossier.pk}/ask/", data)
    assert response.status_code == 400
    assert message in _errors(response.content.decode())
    assert _state(dossier) == before


def test_asking_on_a_decided_dossier_is_refused(staff: User, dossier: Dossier) -> None:
    dossier_decide(dossier=dossier, staff=staff, approve=True, reason="ok")
    before = _state(dossier)
    with pytest.raises(InvalidInput) as caught:
        dossier_ask(dossier=dossier, staff=staff, message="Envoyez la carte")
    assert caught.value.problems[0].field == "dossier"
    assert _state(dossier) == before


def test_asking_without_an_applicant_account_is_refused(agency: Agency, staff: User) -> None:
    dossier = dossier_open(kind="complaint", agency=agency, applicant=None)
    with pytest.raises(InvalidInput) as caught:
        dossier_ask(dossier=dossier, staff=staff, message="Envoyez la carte")
    assert caught.value.problems[0].code == "no_applicant"


# --- refusals when answering ---------------------------------------------------------------------


def test_only_the_owner_may_answer(
    client: Client, applicant_ar: User, staff: User, waiting: Dossier
) -> None:
    before = _state(waiting)
    _signed(client, applicant_ar)
    response = client.post(
        f"/fr/dossiers/{waiting.pk}/answer/",
        {"document": samples.upload("carte.pdf", samples.pdf_bytes())},
    )
    assert response.status_code == 404
    for someone in (applicant_ar, staff):
        with pytest.raises(PermissionDenied):
            dossier_answer(
                dossier=waiting,
                applicant=someone,
                note="",
                upload=samples.upload("carte.pdf", samples.pdf_bytes()),
            )
    assert _state(waiting) == before


def test_visitors_cannot_answer(client: Client, waiting: Dossier) -> None:
    before = _state(waiting)
    response = client.post(f"/fr/dossiers/{waiting.pk}/answer/", {})
    assert response.status_code == 302 and "login" in response["Location"]
    assert _state(waiting) == before


def test_answering_a_dossier_that_is_not_waiting_is_refused(
    client: Client, applicant: User, dossier: Dossier
) -> None:
    before = _state(dossier)
    _signed(client, applicant)
    response = client.post(
        f"/fr/dossiers/{dossier.pk}/answer/",
        {"document": samples.upload("carte.pdf", samples.pdf_bytes())},
    )
    assert response.status_code == 400
    assert "Dossier : ce dossier n&#x27;attend pas de réponse" in _errors(response.content.decode())
    assert _state(dossier) == before


def test_answering_twice_is_refused(applicant: User, waiting: Dossier) -> None:
    dossier_answer(
        dossier=waiting,
        applicant=applicant,
        note="",
        upload=samples.upload("carte.pdf", samples.pdf_bytes()),
    )
    before = _state(waiting)
    with pytest.raises(InvalidInput) as caught:
        dossier_answer(
            dossier=waiting,
            applicant=applicant,
            note="",
            upload=samples.upload("carte2.pdf", samples.pdf_bytes(pages=2)),
        )
    assert caught.value.problems[0].field == "dossier"
    assert caught.value.problems[0].code == "not_waiting"
    assert _state(waiting) == before


BAD_FILES = [
    ("", b"", "Document : est obligatoire"),  # no file at all
    ("carte.pdf", b"", "Document : le fichier est vide"),
    ("carte.pdf", samples.image_bytes(), "Document : le nom annonce un fichier PDF"),
    ("carte.exe", b"MZ\x90\x00" + b"\x00" * 60, "Document : "),
    ("carte.pdf", samples.pdf_bytes(tweak="javascript"), "Document : le PDF contient du contenu"),
    ("carte.pdf", samples.pdf_with_eicar(), "Document : l&#x27;analyse antivirus"),
]


def _errors(page: str) -> str:
    start = page.index('id="form-errors"')
    return page[start : page.index("</ul>", start)]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    BAD_FILES,
    ids=["missing", "empty", "png_named_pdf", "exe", "pdf_javascript", "eicar"],
)
def test_a_bad_file_is_refused_naming_the_field_and_nothing_is_written(
    client: Client, applicant: User, waiting: Dossier, name: str, data: bytes, message: str
) -> None:
    before = _state(waiting)
    _signed(client, applicant)
    payload: dict[str, object] = {"note": "voici"}
    if name:
        payload["document"] = samples.upload(name, data)
    response = client.post(f"/fr/dossiers/{waiting.pk}/answer/", payload)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in _errors(page)
    assert 'name="document"' in page and "voici" in page  # the form is still there, note kept
    assert _state(waiting) == before


def test_a_too_large_file_is_refused(
    client: Client, settings: SettingsWrapper, applicant: User, waiting: Dossier
) -> None:
    settings.TADAMUN_DOCUMENT_MAX_BYTES = 1024
    data = samples.pdf_bytes(pages=40)
    assert len(data) > 1024
    before = _state(waiting)
    _signed(client, applicant)
    response = client.post(
        f"/fr/dossiers/{waiting.pk}/answer/", {"document": samples.upload("carte.pdf", data)}
    )
    assert response.status_code == 400
    assert "Document : le fichier dépasse" in _errors(response.content.decode())
    assert _state(waiting) == before


def test_a_failure_after_the_file_is_stored_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, applicant: User, waiting: Dossier
) -> None:
    from tadamun.dossiers import services

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    before = _state(waiting)
    monkeypatch.setattr(services, "_attach", broken)
    with pytest.raises(RuntimeError):
        dossier_answer(
            dossier=waiting,
            applicant=applicant,
            note="",
            upload=samples.upload("carte.pdf", samples.pdf_bytes()),
        )
    assert _state(waiting) == before


def test_a_note_holding_a_full_identifier_or_too_long_is_refused(
    applicant: User, waiting: Dossier
) -> None:
    assert waiting.insured is not None
    before = _state(waiting)
    for note in ("x" * 1001, f"mon numéro est {waiting.insured.ssn}"):
        with pytest.raises(InvalidInput) as caught:
            dossier_answer(
                dossier=waiting,
                applicant=applicant,
                note=note,
                upload=samples.upload("carte.pdf", samples.pdf_bytes()),
            )
        assert caught.value.problems[0].field == "note"
    assert _state(waiting) == before
