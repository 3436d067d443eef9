"""Demo data of the insured person's space for ``tadamun seed_demo``: three employees of the
first demo employer get a care card, a family (a spouse and children, one a student past the
child age limit) and their stored rights; the first also gets their own account, printed like
the other demo sign-ins. Idempotent: a person who already has a card is left as is.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.accounts.services import totp_uri
from tadamun.insured import services
from tadamun.insured.models import CareCard, Relation
from tadamun.registry.models import Employer, InsuredPerson
from tadamun.registry.selectors import employer_workforce

DEMO_DOMAIN = "demo.tadamun.example"
#: Only used when TADAMUN_DEBUG is on (``make run``), as for the other demo accounts.
DEMO_PASSWORD = "Tadamun-demo-2026!"

_FAMILIES: tuple[tuple[tuple[str, str, str, dt.date, bool], ...], ...] = (
    (
        (Relation.SPOUSE, "Samira", "سميرة", dt.date(1988, 6, 14), False),
        (Relation.CHILD, "Yacine", "ياسين", dt.date(2014, 3, 2), False),
        (Relation.CHILD, "Lina", "لينا", dt.date(2019, 11, 20), False),
    ),
    ((Relation.CHILD, "Rayan", "ريان", dt.date(2006, 9, 1), True),),
    ((Relation.CHILD, "Nour", "نور", dt.date(2004, 1, 15), False),),
)


def seed_demo_insured(*, employers: Sequence[Employer], today: dt.date) -> list[str]:
    """Seed the insured persons' demo data; returns the lines to print."""
    if not employers:
        return []
    workforce = employer_workforce(employer=employers[0], on=today)[: len(_FAMILIES)]
    people: list[InsuredPerson] = [e.insured for e in workforce]
    lines = ["Insured persons (care cards, families, rights):"]
    with transaction.atomic():
        for person, family in zip(people, _FAMILIES, strict=False):
            if CareCard.objects.filter(insured=person).exists():
                continue
            for relation, first, first_ar, birth, student in family:
                services.family_member_add(
                    insured=person,
                    relation=relation,
                    surname_latin=person.surname_latin,
                    first_names_latin=first,
                    surname_arabic=person.surname_arabic,
                    first_names_arabic=first_ar,
                    birth_date=birth,
                    student=student,
                )
            services.care_card_issue(insured=person)
        services.rights_refresh(insured_ids=[p.pk for p in people], on=today)
    for person in people:
        card = CareCard.objects.filter(insured=person, revoked_at__isnull=True).first()
        status = getattr(person, "rights_status", None)
        lines.append(
            f"  {person.first_names_latin} {person.surname_latin}: insured number {person.ssn}, "
            f"born {person.birth_date.isoformat()}, card {card.number if card else '-'}, "
            f"covered {'yes' if status is not None and status.covered else 'no'}"
        )
    if people:
        holder = people[0]
        email = f"insured@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        password = DEMO_PASSWORD if settings.DEBUG else secrets.token_urlsafe(12)
        if user is None:
            user = User.objects.create_user(email=email, password=password, insured=holder)
            user.totp_secret = pyotp.random_base32()
            user.totp_confirmed_at = timezone.now()
            user.save(update_fields=["totp_secret", "totp_confirmed_at"])
        elif not settings.DEBUG:
            password = "(unchanged)"
        lines.append(f"  {'insured person ' + holder.ssn:<34} {email}  password: {password}")
        lines.append(f"  {'':<34} TOTP: {totp_uri(user=user)}")
    return lines
