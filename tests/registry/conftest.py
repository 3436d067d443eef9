from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.registry import services
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tests.registry.factories import agency_for, employer_for, person_fields


@pytest.fixture(autouse=True)
def _algeria(settings: SettingsWrapper) -> None:
    """Tests that use the current fund run as CNAS Algeria, whatever TADAMUN_FUND says."""
    settings.TADAMUN_FUND = "dz-cnas"


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency)


@pytest.fixture
def make_person(db: None) -> Callable[..., InsuredPerson]:
    def make(fund: str = "dz-cnas", serial: int = 1, **overrides: Any) -> InsuredPerson:
        return services.insured_person_create(**person_fields(fund, serial, **overrides))

    return make


@pytest.fixture
def person(make_person: Callable[..., InsuredPerson]) -> InsuredPerson:
    return make_person()
