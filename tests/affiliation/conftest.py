"""Fixtures of the affiliation tests: a CNAS employer with its owner and an agent; a CASNOS
agency with an agent, and a self-employed trader's valid sign-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, StaffRole, User
from tadamun.registry.models import Agency, Employer
from tests.documents.samples import image_bytes, pdf_bytes
from tests.registry.factories import agency_for, employer_for
from tests.support.people import PASSWORD, make_user


#: A valid Algerian NIN (18 digits, no key) per serial.
def nin(serial: int) -> str:
    return f"1{serial:017d}"


@pytest.fixture(autouse=True)
def _documents(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.TADAMUN_FUND = "dz-cnas"
    settings.TADAMUN_DOCUMENT_DIR = tmp_path / "documents"
    return tmp_path / "documents"


@dataclass
class Firm:
    agency: Agency
    employer: Employer
    owner: User
    agent: User


def _firm(fund: str, serial: int, email: str, code: str = "1601") -> Firm:
    agency = Agency.objects.filter(fund=fund, code=code).first() or agency_for(fund, code)
    employer = employer_for(agency, serial=serial, declaration_periodicity=None)
    owner = make_user(email)
    EmployerMembership.objects.create(
        user=owner, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    agent_email = f"agent.{fund}.{code}@fund.example"
    agent = User.objects.filter(email=agent_email).first()
    if agent is None:
        agent = make_user(agent_email)
        StaffProfile.objects.create(user=agent, agency=agency, role=StaffRole.AGENT)
    return Firm(agency=agency, employer=employer, owner=owner, agent=agent)


@pytest.fixture
def firm(db: None) -> Firm:
    return _firm("dz-cnas", 11, "owner@atlas.example")


@pytest.fixture
def other_firm(db: None) -> Firm:
    return _firm("dz-cnas", 12, "owner@other.example")


def employee(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "surname_latin": "Benali",
        "first_names_latin": "Amina",
        "surname_arabic": "بن علي",
        "first_names_arabic": "أمينة",
        "birth_date": "1990-04-12",
        "birth_place": "Alger",
        "sex": "F",
        "national_id": nin(1),
        "hire_date": timezone.localdate().isoformat(),
    }
    fields.update(overrides)
    return fields


# --- CASNOS --------------------------------------------------------------------------------------


@dataclass
class Casnos:
    agency: Agency
    agent: User


@pytest.fixture
def casnos(db: None, settings: SettingsWrapper) -> Casnos:
    settings.TADAMUN_FUND = "dz-casnos"
    agency = agency_for("dz-casnos", "1601")
    agent = make_user("agent@casnos.example")
    StaffProfile.objects.create(user=agent, agency=agency, role=StaffRole.AGENT)
    return Casnos(agency=agency, agent=agent)


def signup_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "email": "karim@trader.example",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "language": "fr",
        "surname_latin": "Haddad",
        "first_names_latin": "Karim",
        "surname_arabic": "حداد",
        "first_names_arabic": "كريم",
        "birth_date": "1985-02-03",
        "birth_place": "Oran",
        "sex": "M",
        "national_id": nin(500),
        "category": "trader",
        "profession": "",
        "register_number": "16/00-1234567 B 20",
        "activity_start": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "agency": "1601",
    }
    fields.update(overrides)
    return fields


def trader_uploads() -> dict[str, SimpleUploadedFile]:
    return {
        "identity_document": SimpleUploadedFile("cni.png", image_bytes("PNG")),
        "commerce_register": SimpleUploadedFile("registre.pdf", pdf_bytes()),
    }
