"""The agency back office in a real browser: an agent opens a dossier from the queue, downloads
its document, assigns it to a colleague and decides with a reason; the applicant then sees the
new status and the message in their inbox (and by e-mail). And the exchange that saves a trip
to the counter: the agent asks for a document, the applicant sends it from home, the dossier
is back in the queue."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import StaffProfile, StaffRole, User
from tadamun.documents.services import document_store
from tadamun.dossiers.models import Dossier, DossierStatus
from tadamun.dossiers.services import dossier_open
from tests.browser.conftest import Console
from tests.documents.samples import pdf_bytes, upload
from tests.registry.factories import agency_for
from tests.support.mail import Mailbox

PASSWORD = "Dossier-journey-2026"


def _user(email: str, language: str = "fr") -> tuple[User, str]:
    user = User.objects.create_user(email=email, password=PASSWORD, preferred_language=language)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.save()
    return user, secret


def _sign_in(page: Page, site: str, email: str, secret: str, next_path: str) -> None:
    page.goto(f"{site}/fr/accounts/login/?next={next_path}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/verify/"))
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


@dataclass
class World:
    agent: User
    agent_secret: str
    colleague: User
    applicant: User
    applicant_secret: str
    dossier: Dossier
    elsewhere: Dossier


@pytest.fixture
def world(site: str, settings: SettingsWrapper, tmp_path: Path) -> World:
    settings.TADAMUN_DOCUMENT_DIR = tmp_path / "documents"
    settings.TADAMUN_JOBS = "inline"
    agency = agency_for("dz-cnas")
    other = agency_for("dz-cnas", code="3101")
    agent, agent_secret = _user("agent@cnas.example")
    StaffProfile.objects.create(user=agent, agency=agency, role=StaffRole.AGENT)
    colleague, _ = _user("collegue@cnas.example")
    StaffProfile.objects.create(user=colleague, agency=agency, role=StaffRole.AGENT)
    applicant, applicant_secret = _user("amina@example.dz")
    document = document_store(
        owner=applicant,
        kind="consular_registration",
        upload=upload("carte-consulaire.pdf", pdf_bytes()),
    )
    dossier = dossier_open(
        kind="complaint",
        agency=agency,
        applicant=applicant,
        needs_person=True,
        reason="pièce peu lisible",
        documents=[document],
    )
    elsewhere = dossier_open(kind="complaint", agency=other, applicant=applicant)
    return World(agent, agent_secret, colleague, applicant, applicant_secret, dossier, elsewhere)


def test_an_agent_works_the_queue_and_the_applicant_sees_the_decision(
    site: str,
    browser: Browser,
    page: Page,
    console: Console,
    mailbox: Mailbox,
    world: World,
) -> None:
    agent, colleague, applicant = world.agent, world.colleague, world.applicant
    dossier, elsewhere = world.dossier, world.elsewhere

    # The agent: the queue holds this agency's dossier, not the other agency's.
    _sign_in(page, site, agent.email, world.agent_secret, "/fr/dossiers/agency/")
    queue = page.locator("#queue")
    expect(queue).to_contain_text(dossier.reference)
    expect(queue).not_to_contain_text(elsewhere.reference)
    page.get_by_role("link", name=dossier.reference).click()
    expect(page.locator("h1")).to_contain_text(dossier.reference)
    expect(page.locator("main")).to_contain_text("pièce peu lisible")

    # Download the attached document: an attachment with the exact bytes.
    with page.expect_download() as caught:
        page.get_by_role("link", name="carte-consulaire.pdf").click()
    download = caught.value
    assert download.suggested_filename == "carte-consulaire.pdf"
    assert Path(download.path()).read_bytes() == pdf_bytes()

    # Assign to a colleague.
    page.locator("#assignee").select_option(label=colleague.email)
    page.get_by_role("button", name="Attribuer").click()
    expect(page.locator("#dossier-assignee")).to_contain_text(colleague.email)
    expect(page.locator("#dossier-status")).to_have_text("En cours d'examen")

    # Decide: a reason with a full identifier is refused and named, then a proper one.
    page.get_by_label("Refuser").check()
    page.locator("#reason").fill("doublon de 000000123482")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#form-errors")).to_contain_text("Motif")
    page.get_by_label("Refuser").check()
    page.locator("#reason").fill(
        "La carte consulaire est illisible ; déposez une nouvelle demande."
    )
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#dossier-status")).to_have_text("Refusée")
    expect(page.locator("#reason")).to_have_count(0)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REJECTED and dossier.assignee == colleague

    # The same back office in Arabic, right to left.
    page.goto(f"{site}/ar/dossiers/agency/?status=rejected")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("قائمة انتظار الوكالة")
    expect(page.locator("#queue")).to_contain_text(dossier.reference)
    expect(page.locator("#queue")).to_contain_text("مرفوض")

    # The applicant, in a browser of their own.
    context = browser.new_context(locale="fr-FR")
    mine = context.new_page()
    mine.on("console", console.record)
    _sign_in(mine, site, applicant.email, world.applicant_secret, f"/fr/dossiers/{dossier.pk}/")
    expect(mine.locator("#dossier-status")).to_have_text("Refusée")
    expect(mine.locator("main")).to_contain_text("La carte consulaire est illisible")
    expect(mine.locator("#dossier-next")).to_contain_text("votre demande est traitée")
    expect(mine.locator("main")).not_to_contain_text("pièce peu lisible")  # internal
    badge = mine.locator("#inbox-unread")
    expect(badge).to_be_visible()
    mine.locator(".inbox-link").click()
    expect(mine.locator("main")).to_contain_text(f"Votre demande {dossier.reference} : Refusée")
    mine.locator("main .message").first.get_by_role("button", name="Marquer comme lu").click()
    expect(mine.locator("main .message").first).not_to_have_class(re.compile(r"\bunread\b"))
    context.close()

    subjects = [m["Subject"] for m in mailbox.messages]
    assert f"Votre demande {dossier.reference} : Refusée" in subjects
    assert console.csp_violations == []
    assert console.errors == []


def test_the_agent_asks_for_a_document_and_the_applicant_sends_it_from_home(
    site: str,
    browser: Browser,
    page: Page,
    console: Console,
    mailbox: Mailbox,
    world: World,
    tmp_path: Path,
) -> None:
    dossier = world.dossier

    # The agent asks for a readable copy instead of sending the applicant to the counter.
    _sign_in(
        page, site, world.agent.email, world.agent_secret, f"/fr/dossiers/agency/{dossier.pk}/"
    )
    page.get_by_role("button", name="Envoyer la question").click()  # empty: the browser refuses
    expect(page.locator("#dossier-status")).not_to_have_text("En attente de votre réponse")
    page.locator("#message").fill("La carte consulaire est illisible : envoyez un scan net.")
    page.locator("#expected_document").fill("Carte consulaire, scan couleur")
    page.get_by_role("button", name="Envoyer la question").click()
    expect(page.locator("main")).to_contain_text("Déjà demandé, en attente de la réponse")
    page.goto(f"{site}/fr/dossiers/agency/")
    expect(page.locator("main")).not_to_contain_text(dossier.reference)

    # The applicant answers from their own browser with a PDF.
    scan = tmp_path / "carte-nette.pdf"
    scan.write_bytes(pdf_bytes(pages=2))
    context = browser.new_context(locale="fr-FR")
    mine = context.new_page()
    mine.on("console", console.record)
    _sign_in(
        mine, site, world.applicant.email, world.applicant_secret, f"/fr/dossiers/{dossier.pk}/"
    )
    question = mine.locator("#dossier-question")
    expect(question).to_contain_text("envoyez un scan net")
    expect(mine.locator("#dossier-next")).to_contain_text("Carte consulaire, scan couleur")
    mine.locator("#answer-document").set_input_files(str(scan))
    mine.locator("#answer-note").fill("Voici le scan.")
    mine.get_by_role("button", name="Envoyer ma réponse").click()
    expect(mine.locator("#dossier-question")).to_have_count(0)
    expect(mine.locator("main")).to_contain_text("carte-nette.pdf")
    context.close()

    # Back in the agent's queue, with the answer and the new document on the dossier.
    page.goto(f"{site}/fr/dossiers/agency/")
    expect(page.locator("#queue")).to_contain_text(dossier.reference)
    page.get_by_role("link", name=dossier.reference).click()
    expect(page.locator("main")).to_contain_text("Voici le scan.")
    expect(page.get_by_role("link", name="carte-nette.pdf")).to_be_visible()

    subjects = [m["Subject"] for m in mailbox.messages]
    assert any("l'agence vous demande" in s for s in subjects)
    assert console.csp_violations == []
    assert console.errors == []
