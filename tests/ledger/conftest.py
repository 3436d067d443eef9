from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.registry.models import Agency, Employer
from tests.registry.factories import agency_for, employer_for


@pytest.fixture(autouse=True)
def _algeria(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = "dz-cnas"


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency)


@pytest.fixture
def other_employer(agency: Agency) -> Employer:
    return employer_for(agency, serial=2, name_latin="Other Firm")
