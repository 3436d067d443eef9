"""Employers with owners, a partner, and their keys, for the API tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, User
from tadamun.api import services
from tadamun.api.models import Partner
from tadamun.registry.models import Agency, Employer
from tests.registry.factories import agency_for, employer_for
from tests.support.people import make_user


@pytest.fixture(autouse=True)
def _fund(settings: SettingsWrapper) -> Iterator[None]:
    settings.TADAMUN_FUND = "dz-cnas"
    # Counters in the database unless a test asks for Redis.
    settings.TADAMUN_REDIS_URL = ""
    settings.TADAMUN_BROKER_URL = ""
    yield


def owner_of(employer: Employer, email: str) -> User:
    user = make_user(email)
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    return user


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency)


@pytest.fixture
def other_employer(agency: Agency) -> Employer:
    return employer_for(agency, serial=2, name_latin="Other Firm")


@pytest.fixture
def owner(employer: Employer) -> User:
    return owner_of(employer, "owner@atlas.example")


@pytest.fixture
def other_owner(other_employer: Employer) -> User:
    return owner_of(other_employer, "owner@other.example")


@pytest.fixture
def staff(agency: Agency) -> User:
    user = make_user("agent@agency.example")
    StaffProfile.objects.create(user=user, agency=agency)
    return user


@pytest.fixture
def read_token(owner: User, employer: Employer) -> str:
    return services.employer_key_create(
        owner=owner, employer=employer, name="payroll read", scope="read"
    ).token


@pytest.fixture
def declare_token(owner: User, employer: Employer) -> str:
    return services.employer_key_create(
        owner=owner, employer=employer, name="payroll", scope="declare"
    ).token


@pytest.fixture
def other_token(other_owner: User, other_employer: Employer) -> str:
    return services.employer_key_create(
        owner=other_owner, employer=other_employer, name="theirs", scope="declare"
    ).token


@pytest.fixture
def partner(staff: User) -> Partner:
    return services.partner_create(staff_user=staff, name="Pharmacie du Centre", kind="pharmacy")


@pytest.fixture
def partner_token(staff: User, partner: Partner) -> str:
    return services.partner_key_create(
        staff_user=staff, partner_id=partner.pk, name="counter 1"
    ).token


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def api_client() -> Client:
    return Client()
