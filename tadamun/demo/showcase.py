"""Demo objects that show the insured person's space and the partners' API, for ``tadamun
seed_demo``: a certificate of affiliation for the demo insured person's account (made by
:mod:`tadamun.insured.demo`), and a pharmacy registered at the first agency with a rights-check
key. Through the certificates' and the API's services only. Idempotent: a person who already has
a certificate, or an agency that already has the demo pharmacy, is left as is (the key's secret
is printed once, when it is made).
"""

from __future__ import annotations

from collections.abc import Sequence

from tadamun.accounts.models import StaffProfile, User
from tadamun.api import selectors as api_selectors
from tadamun.api import services as api_services
from tadamun.api.models import PartnerKind
from tadamun.certificates import selectors as certificate_selectors
from tadamun.certificates.models import CertificateKind
from tadamun.certificates.services import certificate_issue
from tadamun.errors import InvalidInput
from tadamun.funds import current_fund
from tadamun.registry.models import Agency

DEMO_PHARMACY = "Pharmacie Ibn Sina (démo)"


def seed_demo_showcase(*, agencies: Sequence[Agency]) -> list[str]:
    """Add the missing showcase objects; returns the lines to print (DEMO DATA ONLY)."""
    lines = ["Showcase (DEMO DATA ONLY):"]
    lines += _certificate_lines()
    if agencies:
        lines += _partner_lines(agencies[0])
    return lines


def _certificate_lines() -> list[str]:
    # The demo insured person's own account, as tadamun.insured.demo made it (read only).
    user = User.objects.filter(insured__isnull=False, email__startswith="insured@").first()
    if user is None or user.insured is None:
        return ["  no insured person's account: no certificate"]
    existing = certificate_selectors.certificates_for_user(user=user, limit=1)
    if existing:
        certificate = existing[0]
    else:
        try:
            certificate = certificate_issue(
                kind=CertificateKind.AFFILIATION, requested_by=user, insured=user.insured
            )
        except InvalidInput as exc:
            return [f"  no certificate for {user.email}: {exc}"]
    return [f"  certificate {certificate.number} ({certificate.kind}) for {user.email}"]


def _partner_lines(agency: Agency) -> list[str]:
    if agency.fund != current_fund().code:
        # Staff act, and keys work, only in the fund this deployment runs.
        return [f"  no partner key: the site runs {current_fund().code}, not {agency.fund}"]
    profile = StaffProfile.objects.filter(agency=agency).select_related("user").first()
    if profile is None:
        return []
    staff = profile.user
    for partner in api_selectors.agency_partners(agency=agency):
        if partner.name == DEMO_PHARMACY:
            return [
                f"  partner {partner.name} at agency {agency.code}: rights-check key already made"
                " (its secret was shown once, when it was made)"
            ]
    partner = api_services.partner_create(
        staff_user=staff, name=DEMO_PHARMACY, kind=PartnerKind.PHARMACY
    )
    new = api_services.partner_key_create(
        staff_user=staff, partner_id=partner.pk, name="Comptoir (démo)"
    )
    return [
        f"  partner {partner.name} at agency {agency.code}, rights-check API key "
        f"(shown once): {new.token}"
    ]
