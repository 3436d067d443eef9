"""API authentication: ``Authorization: Bearer tdm_<prefix>_<secret>``.

``EmployerKeyAuth(scope)`` and ``PartnerKeyAuth()`` are django-ninja auth classes; on success
``request.auth`` is the :class:`~tadamun.api.models.ApiKey`. A missing, malformed, unknown, wrong,
expired or revoked key gets one and the same 401 (it never says whether the key existed). A live
key of the wrong kind is also that 401; a live employer key without the scope gets 403.

Per-object access: :func:`employer_for_key` returns the key's own employer when the URL names it
and raises 404 for any other id, so another employer's objects look like nothing at all::

    @router.get("/employers/{employer_id}/x", auth=EmployerKeyAuth("read"))
    def x(request, employer_id: int):
        employer = employer_for_key(request, employer_id)

For the partner rights API (issue 6)::

    from tadamun.api.auth import PartnerKeyAuth, partner_for_request
    from tadamun.api.ratelimit import limit

    @router.get("/rights/{number}", auth=PartnerKeyAuth(), throttle=limit("rights", "600/m"))
    def rights(request, number: str):
        partner = partner_for_request(request)   # the Partner (name, kind, agency)
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from tadamun.api import keycache, services
from tadamun.api.models import ApiKey, Partner, Scope
from tadamun.registry.models import Employer

#: Scopes that include another one.
_INCLUDES: dict[str, frozenset[str]] = {
    Scope.READ: frozenset({Scope.READ}),
    Scope.DECLARE: frozenset({Scope.READ, Scope.DECLARE}),
    Scope.RIGHTS: frozenset({Scope.RIGHTS}),
}


class ScopeRefused(HttpError):
    """A live key that may not do this (403)."""

    def __init__(self, scope: str) -> None:
        super().__init__(403, "scope")
        self.scope = scope


class _KeyAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        # A header that is not "Bearer …" is refused like a wrong key (ninja's base class would
        # only log it).
        header = request.headers.get(self.header)
        if not header or not header.lower().startswith("bearer "):
            return None
        return self.authenticate(request, header[7:])

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = services.api_key_authenticate(token=token)
        if key is None or not self.accepts(key):
            return None
        return key

    def accepts(self, key: ApiKey) -> bool:
        raise NotImplementedError


class EmployerKeyAuth(_KeyAuth):
    """A live key of an employer holding ``scope`` (``read`` or ``declare``)."""

    def __init__(self, scope: str = Scope.READ) -> None:
        super().__init__()
        if scope not in (Scope.READ, Scope.DECLARE):
            raise ValueError(f"employer scope must be read or declare, not {scope!r}")
        self.scope = scope

    def accepts(self, key: ApiKey) -> bool:
        if key.employer_id is None:
            return False
        if self.scope not in _INCLUDES.get(key.scope, frozenset()):
            raise ScopeRefused(key.scope)
        return True


class PartnerKeyAuth(_KeyAuth):
    """A live key of a partner (pharmacy, doctor…) that is not suspended.

    A live key is remembered in the process for a few seconds (:mod:`tadamun.api.keycache`:
    revocation and suspension reach the other processes within that delay; expiry at once)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        digest = services.secret_hash(token.strip())
        key = keycache.get(digest)
        if key is not None and key.expires_at > timezone.now():
            return key
        key = super().authenticate(request, token)
        if key is not None:
            keycache.put(digest, key)
        return key

    def accepts(self, key: ApiKey) -> bool:
        return key.partner_id is not None and key.scope == Scope.RIGHTS


def key_for_request(request: HttpRequest) -> ApiKey:
    key = getattr(request, "auth", None)
    if not isinstance(key, ApiKey):
        raise Http404("no key")
    return key


def employer_for_key(request: HttpRequest, employer_id: int) -> Employer:
    """The key's employer when ``employer_id`` is its id; 404 for any other (1 query at most:
    none, the employer came with the key)."""
    key = key_for_request(request)
    if key.employer is None or key.employer_id != employer_id:
        raise Http404("no such employer")
    return key.employer


def partner_for_request(request: HttpRequest) -> Partner:
    """The partner whose key signed this request."""
    key = key_for_request(request)
    if key.partner is None:
        raise Http404("no partner")
    return key.partner
