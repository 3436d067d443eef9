from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, User
from tadamun.declarations import services as declarations
from tadamun.funds import Period
from tadamun.registry import services as registry
from tadamun.registry.models import Employer, InsuredPerson
from tests.registry.factories import agency_for, employer_for, person_fields

FUND = "ma-cnss"
PERIOD = Period.parse("2026-01")
#: Before January 2026's due date (10 February), when a declaration may still be replaced.
BEFORE_DUE = dt.date(2026, 2, 5)


@pytest.fixture(autouse=True)
def _morocco(settings: SettingsWrapper, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.TADAMUN_FUND = FUND


@dataclass
class World:
    employer: Employer
    owner: User
    person: InsuredPerson
    person_user: User
    other_person_user: User


def declare(world: World, wage: str, *, replaces: object = None) -> declarations.Declaration:
    return declarations.declaration_submit(
        employer=world.employer,
        period=PERIOD,
        lines=[declarations.LineInput(insured_id=world.person.pk, days="26", wage=wage)],
        user=world.owner,
        token=secrets.token_urlsafe(24),
        replaces=replaces,  # type: ignore[arg-type]
        kind="normal",
        today=BEFORE_DUE,
    )


@pytest.fixture
def world(db: None) -> World:
    agency = agency_for(FUND, code="01")
    employer = employer_for(agency)
    fields = person_fields(FUND, 1)
    fields.pop("fund")
    person = registry.insured_person_bulk_create(
        people=[registry.NewInsuredPerson(**fields)], fund=FUND
    )[0]
    other_fields = person_fields(FUND, 2, surname_latin="Other")
    other_fields.pop("fund")
    other = registry.insured_person_bulk_create(
        people=[registry.NewInsuredPerson(**other_fields)], fund=FUND
    )[0]
    registry.employment_bulk_create(
        employer=employer, hires=[registry.NewEmployment(person, dt.date(2025, 1, 1))]
    )
    owner = User.objects.create_user(email="owner@atlas.example", password="x-Long-enough-1")
    EmployerMembership.objects.create(
        user=owner, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    person_user = User.objects.create_user(
        email="amina@example.ma", password="x-Long-enough-1", insured=person
    )
    other_user = User.objects.create_user(
        email="other@example.ma", password="x-Long-enough-1", insured=other
    )
    return World(employer, owner, person, person_user, other_user)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
