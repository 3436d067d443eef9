"""People declared by an employer, for the insured space's tests and its browser journey."""

from __future__ import annotations

import datetime as dt
import uuid

from tadamun.accounts.models import EmployerMembership, Role, User
from tadamun.declarations.services import LineInput, declaration_submit
from tadamun.funds import Period
from tadamun.registry import services as registry
from tadamun.registry.models import Employer, InsuredPerson
from tests.registry.factories import person_fields
from tests.support.people import make_user


def make_person(serial: int, **overrides: object) -> InsuredPerson:
    return registry.insured_person_create(**person_fields("dz-cnas", serial=serial, **overrides))


def declare(
    employer: Employer, people: list[InsuredPerson], months: list[str], days: int = 22
) -> None:
    """Employ ``people`` and declare them for ``months`` (each a ``YYYY-MM`` label)."""
    owner = User.objects.filter(memberships__employer=employer).first()
    if owner is None:
        owner = make_user(f"owner{employer.pk}@example.dz")
        EmployerMembership.objects.create(
            user=owner, employer=employer, role=Role.OWNER, granted_at=dt.datetime.now(dt.UTC)
        )
    for p in people:
        if not p.employments.filter(employer=employer).exists():
            registry.employment_create(
                employer=employer,
                insured=p,
                start_date=dt.date.today() - dt.timedelta(days=3 * 365),
            )
    for label in months:
        period = Period.parse(label)
        declaration_submit(
            employer=employer,
            period=period,
            lines=[LineInput(insured_id=p.pk, days=days, wage="45000.00") for p in people],
            user=owner,
            token=uuid.uuid4().hex,
            today=period.end + dt.timedelta(days=5),
        )
