"""Demo accounts for ``tadamun seed_demo``: an owner per demo employer, one accountant with a
delegation, one staff member per agency, each with a password and a TOTP secret, printed so
that ``make run`` shows how to sign in. Idempotent: existing accounts are kept.

The demo password is a constant only when TADAMUN_DEBUG is on; otherwise each new account gets
a random password, printed once and stored nowhere but as its Argon2 hash.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from tadamun.accounts import services
from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, StaffRole, User
from tadamun.registry.models import Agency, Employer

DEMO_DOMAIN = "demo.tadamun.example"
#: Only used when TADAMUN_DEBUG is on (``make run``); never in production.
_DEBUG_DEMO_PASSWORD = "Tadamun-demo-2026!"


def _password() -> str:
    return _DEBUG_DEMO_PASSWORD if settings.DEBUG else secrets.token_urlsafe(12)


def _account(email: str, lines: list[str], what: str) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    created = user is None
    password = _password()
    if user is None:
        user = User.objects.create_user(email=email, password=password)
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    shown = password if created or settings.DEBUG else "(unchanged)"
    lines.append(f"  {what:<34} {email}  password: {shown}")
    lines.append(f"  {'':<34} TOTP: {services.totp_uri(user=user)}")
    return user, created


def seed_demo_accounts(*, employers: Sequence[Employer], agencies: Sequence[Agency]) -> list[str]:
    """Create the demo accounts (those missing) and return the lines to print."""
    lines = [
        "Demo sign-ins (DEMO DATA ONLY — never use these accounts or secrets in production).",
        "Add the TOTP URI to an authenticator app, or compute a code with:",
        "  .venv/bin/python -c \"import pyotp; print(pyotp.parse_uri('<URI>').now())\"",
    ]
    if not settings.DEBUG:
        lines.append("  (TADAMUN_DEBUG is off: new accounts get random passwords, shown once.)")
    now = timezone.now()
    with transaction.atomic():
        owners: list[User] = []
        for employer in employers:
            email = f"{slugify(employer.name_latin)}@{DEMO_DOMAIN}"
            owner, _ = _account(email, lines, f"owner of {employer.name_latin}")
            owners.append(owner)
            if not EmployerMembership.objects.filter(
                user=owner, employer=employer, ended_at__isnull=True
            ).exists():
                EmployerMembership.objects.create(
                    user=owner, employer=employer, role=Role.OWNER, granted_at=now
                )
        if employers:
            accountant, _ = _account(
                f"accountant@{DEMO_DOMAIN}", lines, f"accountant of {employers[0].name_latin}"
            )
            if not EmployerMembership.objects.filter(
                user=accountant, employer=employers[0], ended_at__isnull=True
            ).exists():
                EmployerMembership.objects.create(
                    user=accountant,
                    employer=employers[0],
                    role=Role.ACCOUNTANT,
                    granted_by=owners[0],
                    granted_at=now,
                )
        for agency in agencies:
            email = f"agent.{slugify(agency.code)}@{DEMO_DOMAIN}"
            staff, _ = _account(email, lines, f"staff of agency {agency.code} {agency.name_fr}")
            if not StaffProfile.objects.filter(user=staff).exists():
                StaffProfile.objects.create(user=staff, agency=agency, role=StaffRole.MANAGER)
    return lines
