from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, User
from tadamun.payments import sandbox
from tadamun.registry.models import Agency, Employer
from tests.registry.factories import agency_for, employer_for

SECRET = "test-sandbox-secret-0123456789"


@pytest.fixture(autouse=True)
def _sandbox(settings: SettingsWrapper) -> Iterator[None]:
    settings.TADAMUN_FUND = "dz-cnas"
    settings.TADAMUN_SANDBOX_GATEWAY_SECRET = SECRET
    settings.TADAMUN_SANDBOX_DELIVERY = "outbox"
    settings.TADAMUN_SANDBOX_DELAY_SECONDS = 0
    settings.TADAMUN_SANDBOX_DUPLICATES = 0
    sandbox.take_outbox()
    yield
    sandbox.take_outbox()


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency)


@pytest.fixture
def other_employer(agency: Agency) -> Employer:
    return employer_for(agency, serial=2, name_latin="Other Firm")


def member(employer: Employer, email: str) -> User:
    user = User.objects.create_user(email, "a long enough password 42")
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    return user


@pytest.fixture
def user(employer: Employer) -> User:
    return member(employer, "owner@atlas.example")


@pytest.fixture
def client_a(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def deliver(client: Client, delivery: sandbox.Delivery) -> tuple[int, dict[str, str]]:
    """POST a sandbox callback to our endpoint through the test client (an HTTP request)."""
    response = client.post(
        urlsplit(delivery.url).path,
        data=delivery.body,
        content_type="application/json",
        headers={k: v for k, v in delivery.headers.items() if k != "Content-Type"},
    )
    return response.status_code, response.json()
