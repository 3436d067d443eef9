"""The demo's showcase objects: the insured person's account with a certificate, and a
pharmacy with a rights-check key — made once, through the services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from tadamun.accounts.models import User
from tadamun.api.models import ApiKey, Partner
from tadamun.certificates.models import Certificate
from tadamun.declarations.models import Declaration
from tadamun.demo.showcase import DEMO_PHARMACY

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int, int]:
    return (
        User.objects.count(),
        Certificate.objects.count(),
        Partner.objects.count(),
        ApiKey.objects.count(),
        Declaration.objects.count(),
    )


def test_seed_adds_the_showcase_once(settings: Settings) -> None:
    settings.TADAMUN_FUND = "dz-cnas"
    out = io.StringIO()
    call_command("seed_demo", "--fund", "dz-cnas", "--big-employer-size", "10", stdout=out)
    text = out.getvalue()
    user = User.objects.get(email="insured@demo.tadamun.example")
    assert user.insured is not None and user.totp_confirmed_at is not None
    # a person with a declared history, from an employer with twelve declared periods
    employer = user.insured.employments.get().employer
    assert Declaration.objects.filter(employer=employer).count() >= 12
    certificate = Certificate.objects.get(insured=user.insured)
    assert certificate.kind == "affiliation" and certificate.requested_by == user
    assert f"certificate {certificate.number}" in text
    partner = Partner.objects.get(name=DEMO_PHARMACY)
    key = ApiKey.objects.get(partner=partner)
    assert key.revoked_at is None and key.prefix in text
    assert "DEMO DATA ONLY" in text
    counts = _counts()
    again = io.StringIO()
    call_command("seed_demo", "--fund", "dz-cnas", "--big-employer-size", "10", stdout=again)
    assert _counts() == counts
    assert "already made" in again.getvalue()
    assert "tdm_" not in again.getvalue().split("Showcase")[1]
