from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, StaffRole, User
from tadamun.registry.models import Agency, Employer
from tests.registry.factories import agency_for, employer_for
from tests.support.mail import Mailbox
from tests.support.people import PASSWORD, make_user, sign_in

__all__ = ["PASSWORD", "Mailbox", "make_user", "sign_in"]


@pytest.fixture(autouse=True)
def _algeria(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = "dz-cnas"


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def agency_y(db: None) -> Agency:
    return agency_for("dz-cnas", code="3101")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency, serial=1, legal_identifier="000000000002001")


@pytest.fixture
def employer_b(agency_y: Agency) -> Employer:
    return employer_for(
        agency_y, serial=2, name_latin="Boulangerie Essalam", legal_identifier="000000000002002"
    )


@pytest.fixture
def owner(employer: Employer) -> User:
    user = make_user("owner@atlas.example")
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    return user


@pytest.fixture
def owner_b(employer_b: Employer) -> User:
    user = make_user("owner@essalam.example")
    EmployerMembership.objects.create(
        user=user, employer=employer_b, role=Role.OWNER, granted_at=timezone.now()
    )
    return user


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


@pytest.fixture
def signed_in() -> Callable[[Client, User], None]:
    return sign_in
