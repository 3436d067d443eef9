"""Reads of the API app: keys of an employer, partners of an agency, the request log."""

from __future__ import annotations

from django.db.models import Count, Q

from tadamun.accounts.models import User
from tadamun.accounts.selectors import staff_profile_for_user
from tadamun.api.models import ApiKey, ApiRequest, Partner
from tadamun.registry.models import Agency, Employer


def employer_keys(*, employer: Employer) -> list[ApiKey]:
    """Every key of ``employer``, newest first, revoked ones included (1 query)."""
    return list(ApiKey.objects.filter(employer=employer).select_related("created_by", "revoked_by"))


def agency_partners(*, agency: Agency) -> list[Partner]:
    """The agency's partners with how many live keys each has (1 query)."""
    return list(
        Partner.objects.filter(agency=agency, fund=agency.fund).annotate(
            live_keys=Count("keys", filter=Q(keys__revoked_at__isnull=True))
        )
    )


def partner_for_staff(*, user: User, partner_id: int | str) -> Partner | None:
    """A partner of the staff member's own agency, else None → 404 (2 queries)."""
    profile = staff_profile_for_user(user=user)
    if profile is None:
        return None
    try:
        pk = int(partner_id)
    except (TypeError, ValueError):
        return None
    return Partner.objects.filter(pk=pk, agency=profile.agency).first()


def partner_keys(*, partner: Partner) -> list[ApiKey]:
    """Every key of ``partner``, newest first (1 query)."""
    return list(ApiKey.objects.filter(partner=partner).select_related("created_by"))


def key_requests(*, key: ApiKey, limit: int = 50) -> list[ApiRequest]:
    """The key's latest requests, newest first (1 query)."""
    return list(ApiRequest.objects.filter(key=key).order_by("-at", "-id")[:limit])


def partner_requests(*, partner: Partner, limit: int = 50) -> list[ApiRequest]:
    """The latest requests made with any of ``partner``'s keys, newest first (1 query)."""
    return list(
        ApiRequest.objects.filter(key__partner=partner)
        .select_related("key")
        .order_by("-at", "-id")[:limit]
    )
