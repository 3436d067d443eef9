from __future__ import annotations

import datetime as dt
import io
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, User
from tadamun.filings import services
from tadamun.filings.models import Filing
from tadamun.formats import ma_bds
from tadamun.funds import Period
from tadamun.registry import services as registry
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tests.registry.factories import agency_for, employer_for, person_fields

FUND = "ma-cnss"
PERIOD = Period.parse("2026-01")
MONTH = "202601"
WAGE = 450_000  # 4,500.00 MAD
#: The Redis database the broker tests use (one for all: Celery's producer pool keeps the first
#: broker a process publishes to).
TEST_BROKER = os.environ.get("TADAMUN_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


@pytest.fixture(autouse=True)
def _morocco(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.TADAMUN_FUND = FUND
    settings.TADAMUN_JOBS = "inline"
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for(FUND, code="01")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency)


@pytest.fixture
def other_employer(agency: Agency) -> Employer:
    return employer_for(agency, serial=2, name_latin="Other Firm")


Hire = Callable[..., list[InsuredPerson]]


@pytest.fixture
def hire(db: None) -> Hire:
    serials = iter(range(1, 1_000_000))

    def make(
        employer: Employer, count: int, start: dt.date = dt.date(2025, 1, 1)
    ) -> list[InsuredPerson]:
        rows = []
        for i in range(count):
            fields = person_fields(FUND, next(serials), surname_latin=f"Nom{chr(65 + i % 26)}")
            fields.pop("fund")
            rows.append(registry.NewInsuredPerson(**fields))
        people = registry.insured_person_bulk_create(people=rows, fund=FUND)
        registry.employment_bulk_create(
            employer=employer, hires=[registry.NewEmployment(p, start) for p in people]
        )
        return people

    return make


def member(employer: Employer, email: str, role: str = Role.OWNER) -> User:
    user = get_user_model().objects.create_user(email=email, password=secrets.token_urlsafe(16))
    assert isinstance(user, User)
    EmployerMembership.objects.create(
        user=user, employer=employer, role=role, granted_at=timezone.now()
    )
    return user


@pytest.fixture
def user(employer: Employer) -> User:
    return member(employer, "owner@example.ma")


def bds(
    employer: Employer,
    people: list[InsuredPerson],
    *,
    wage: int = WAGE,
    month: str = MONTH,
    affiliate: str | None = None,
    newline: bytes = b"\n",
    **overrides: Any,
) -> bytes:
    """A valid Morocco B00–B06 file declaring ``people`` at ``wage`` each."""
    head = ma_bds.Employer(affiliate_number=affiliate or employer.affiliate_number, period=month)
    fields: dict[str, Any] = {"surname": "NOM", "first_names": "PRENOM", "days": 26}
    fields.update(overrides)
    declared = [
        ma_bds.DeclaredEmployee(insured_number=p.ssn, actual_salary=wage, **fields) for p in people
    ]
    return b"".join(ma_bds.write_declaration(head, declared, newline=newline))


def upload(
    employer: Employer,
    user: User,
    data: bytes,
    *,
    fmt: str = "ma-bds",
    period: str = "2026-01",
    filename: str = "DS.txt",
) -> Filing:
    return services.filing_upload(
        employer=employer,
        user=user,
        period=period,
        fmt=fmt,
        stream=io.BytesIO(data),
        filename=filename,
    )


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks: Any) -> Callable[[], Iterator[None]]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def broker_prefix() -> str:
    """This run's own Redis keys (its test database's name): runs sharing the Redis server
    never take each other's messages."""
    return f"{settings.DATABASES['default']['NAME']}:"


def forget_broker_keys(client: redis.Redis, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
