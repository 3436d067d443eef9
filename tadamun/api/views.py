"""Pages for API keys: an employer's owner creates and revokes the employer's keys; agency staff
register partners (pharmacies, doctors…) and manage their keys. A new key's secret is shown once,
on the answer to the form that created it, and never again."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from tadamun.accounts.decorators import employer_required_for, staff_required
from tadamun.accounts.models import Role, StaffProfile, User
from tadamun.api import selectors, services
from tadamun.api.models import ApiKey, Partner, PartnerKind, Scope
from tadamun.errors import InvalidInput
from tadamun.registry.models import Employer


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


def _errors(exc: InvalidInput) -> dict[str, list[str]]:
    language = _language()
    return {
        field: [p.message(language) for p in problems] for field, problems in exc.by_field().items()
    }


#: The secret of a key just created waits here for the one page that shows it (the answer to
#: the form redirects, so reloading that page never creates a second key); popped when shown.
NEW_TOKEN = "_tadamun_new_api_key"


def _remember(request: HttpRequest, new: services.NewKey) -> None:
    request.session[NEW_TOKEN] = {"token": new.token, "key_id": new.key.pk}


def _shown_once(request: HttpRequest, keys: list[ApiKey]) -> services.NewKey | None:
    stored = request.session.pop(NEW_TOKEN, None)
    if not isinstance(stored, dict):
        return None
    for key in keys:
        if key.pk == stored.get("key_id"):
            return services.NewKey(key=key, token=str(stored.get("token", "")))
    return None


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- an employer's keys --------------------------------------------------------------------------

EMPLOYER_SCOPES = (Scope.READ, Scope.DECLARE)


def _employer_page(
    request: HttpRequest,
    employer: Employer,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    keys = selectors.employer_keys(employer=employer)
    return render(
        request,
        "api/employer_keys.html",
        {
            "employer": employer,
            "keys": keys,
            "now": timezone.now(),
            "scopes": [(s.value, s.label) for s in EMPLOYER_SCOPES],
            "new": _shown_once(request, keys) if status == 200 else None,
            "errors": errors or {},
            "values": values or {"scope": Scope.READ},
        },
        status=status,
    )


@never_cache
@require_safe
@employer_required_for(Role.OWNER)
def employer_keys(request: HttpRequest, employer: Employer) -> HttpResponse:
    return _employer_page(request, employer)


@never_cache
@require_POST
@employer_required_for(Role.OWNER)
def employer_key_create(request: HttpRequest, employer: Employer) -> HttpResponse:
    values = {f: request.POST.get(f, "") for f in ("name", "scope", "expires_on")}
    try:
        new = services.employer_key_create(
            owner=_user(request),
            employer=employer,
            name=values["name"],
            scope=values["scope"],
            expires_on=values["expires_on"],
        )
    except InvalidInput as exc:
        return _employer_page(request, employer, errors=_errors(exc), values=values, status=400)
    _remember(request, new)
    return redirect("apikeys:employer_keys", employer_id=employer.pk)


@require_POST
@employer_required_for(Role.OWNER)
def employer_key_revoke(request: HttpRequest, employer: Employer, key_id: int) -> HttpResponse:
    try:
        services.employer_key_revoke(owner=_user(request), employer=employer, key_id=key_id)
    except PermissionDenied:
        raise Http404("no such key") from None
    except InvalidInput as exc:
        return _employer_page(request, employer, errors=_errors(exc), status=400)
    return redirect("apikeys:employer_keys", employer_id=employer.pk)


# --- the agency's partners -----------------------------------------------------------------------


def _partners_page(
    request: HttpRequest,
    staff: StaffProfile,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "api/partners.html",
        {
            "agency": staff.agency,
            "partners": selectors.agency_partners(agency=staff.agency),
            "kinds": PartnerKind.choices,
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@never_cache
@require_safe
@staff_required
def partners(request: HttpRequest, staff: StaffProfile) -> HttpResponse:
    return _partners_page(request, staff)


@require_POST
@staff_required
def partner_create(request: HttpRequest, staff: StaffProfile) -> HttpResponse:
    values = {f: request.POST.get(f, "") for f in ("name", "kind")}
    try:
        partner = services.partner_create(
            staff_user=staff.user, name=values["name"], kind=values["kind"]
        )
    except InvalidInput as exc:
        return _partners_page(request, staff, errors=_errors(exc), values=values, status=400)
    return redirect("apikeys:partner", partner_id=partner.pk)


def _partner_of(request: HttpRequest, partner_id: int) -> Partner:
    partner = selectors.partner_for_staff(user=_user(request), partner_id=partner_id)
    if partner is None:
        raise Http404("no such partner")
    return partner


def _partner_page(
    request: HttpRequest,
    partner: Partner,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    keys = selectors.partner_keys(partner=partner)
    context: dict[str, Any] = {
        "partner": partner,
        "keys": keys,
        "now": timezone.now(),
        "requests": selectors.partner_requests(partner=partner),
        "new": _shown_once(request, keys) if status == 200 else None,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "api/partner.html", context, status=status)


@never_cache
@require_safe
@staff_required
def partner(request: HttpRequest, staff: StaffProfile, partner_id: int) -> HttpResponse:
    return _partner_page(request, _partner_of(request, partner_id))


@never_cache
@require_POST
@staff_required
def partner_key_create(request: HttpRequest, staff: StaffProfile, partner_id: int) -> HttpResponse:
    partner = _partner_of(request, partner_id)
    values = {f: request.POST.get(f, "") for f in ("name", "expires_on")}
    try:
        new = services.partner_key_create(
            staff_user=staff.user,
            partner_id=partner.pk,
            name=values["name"],
            expires_on=values["expires_on"],
        )
    except PermissionDenied:
        raise Http404("no such partner") from None
    except InvalidInput as exc:
        return _partner_page(request, partner, errors=_errors(exc), values=values, status=400)
    _remember(request, new)
    return redirect("apikeys:partner", partner_id=partner.pk)


@require_POST
@staff_required
def partner_key_revoke(
    request: HttpRequest, staff: StaffProfile, partner_id: int, key_id: int
) -> HttpResponse:
    partner = _partner_of(request, partner_id)
    try:
        services.partner_key_revoke(staff_user=staff.user, partner_id=partner.pk, key_id=key_id)
    except PermissionDenied:
        raise Http404("no such key") from None
    except InvalidInput as exc:
        return _partner_page(request, partner, errors=_errors(exc), status=400)
    return redirect("apikeys:partner", partner_id=partner.pk)


@require_POST
@staff_required
def partner_suspend(request: HttpRequest, staff: StaffProfile, partner_id: int) -> HttpResponse:
    partner = _partner_of(request, partner_id)
    services.partner_suspend(staff_user=staff.user, partner_id=partner.pk)
    return redirect("apikeys:partner", partner_id=partner.pk)
