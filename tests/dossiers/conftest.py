from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import StaffProfile, StaffRole, User
from tadamun.documents.models import Document
from tadamun.documents.services import document_store
from tadamun.dossiers.models import Dossier
from tadamun.dossiers.services import dossier_open
from tadamun.registry import services as registry_services
from tadamun.registry.models import Agency, InsuredPerson
from tests.documents import samples
from tests.registry.factories import agency_for, person_fields
from tests.support.people import make_user


@pytest.fixture(autouse=True)
def _setup(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.TADAMUN_FUND = "dz-cnas"
    settings.TADAMUN_JOBS = "inline"
    settings.TADAMUN_DOCUMENT_DIR = tmp_path / "documents"


def _staff(email: str, agency: Agency) -> User:
    user = make_user(email)
    StaffProfile.objects.create(user=user, agency=agency, role=StaffRole.AGENT)
    return user


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def agency_y(db: None) -> Agency:
    return agency_for("dz-cnas", code="3101")


@pytest.fixture
def insured(db: None) -> InsuredPerson:
    return registry_services.insured_person_create(**person_fields("dz-cnas", serial=5))


@pytest.fixture
def applicant(insured: InsuredPerson) -> User:
    user = make_user("amina@example.dz")
    user.preferred_language = "fr"
    user.insured = insured
    user.save()
    return user


@pytest.fixture
def applicant_ar(db: None) -> User:
    user = make_user("karim@example.dz")
    user.preferred_language = "ar"
    user.save()
    return user


@pytest.fixture
def staff(agency: Agency) -> User:
    return _staff("agent@cnas.example", agency)


@pytest.fixture
def colleague(agency: Agency) -> User:
    return _staff("collegue@cnas.example", agency)


@pytest.fixture
def staff_y(agency_y: Agency) -> User:
    return _staff("agent.oran@cnas.example", agency_y)


@pytest.fixture
def document(applicant: User) -> Document:
    return document_store(
        owner=applicant,
        kind="consular_registration",
        upload=samples.upload("carte.pdf", samples.pdf_bytes()),
    )


@pytest.fixture
def dossier(agency: Agency, applicant: User, insured: InsuredPerson, document: Document) -> Dossier:
    return dossier_open(
        kind="complaint",
        agency=agency,
        applicant=applicant,
        insured=insured,
        needs_person=True,
        reason="unclear document",
        documents=[document],
    )
