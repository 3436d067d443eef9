from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import StaffProfile, StaffRole, User
from tadamun.registry.models import Agency
from tests.registry.factories import agency_for
from tests.support.people import make_user


@pytest.fixture(autouse=True)
def _documents(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.TADAMUN_FUND = "dz-cnas"
    settings.TADAMUN_DOCUMENT_DIR = tmp_path / "documents"
    return tmp_path / "documents"


@pytest.fixture
def document_dir(_documents: Path) -> Path:
    return _documents


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def agency_y(db: None) -> Agency:
    return agency_for("dz-cnas", code="3101")


@pytest.fixture
def person(db: None) -> User:
    return make_user("amina@example.dz")


@pytest.fixture
def other_person(db: None) -> User:
    return make_user("karim@example.dz")


@pytest.fixture
def staff(agency: Agency) -> User:
    user = make_user("agent@cnas.example")
    StaffProfile.objects.create(user=user, agency=agency, role=StaffRole.AGENT)
    return user


@pytest.fixture
def staff_y(agency_y: Agency) -> User:
    user = make_user("agent.oran@cnas.example")
    StaffProfile.objects.create(user=user, agency=agency_y, role=StaffRole.AGENT)
    return user
