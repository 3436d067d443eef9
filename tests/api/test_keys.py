"""API keys: created once, hashed at rest, expiry, revocation, scope, per-object access."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.api import services
from tadamun.api.models import ApiKey, ApiRequest, Partner
from tadamun.errors import InvalidInput
from tadamun.registry.models import Employer
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {
    "problems": [
        {
            "field": "Authorization",
            "code": "invalid_key",
            "message": "Authorization header: the key is missing, unknown, expired or revoked",
        }
    ]
}


def _get(token: str | None, url: str, **extra: str) -> tuple[int, object, dict[str, str]]:
    headers = bearer(token) if token is not None else {}
    extra.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    response = Client().get(url, **headers, **extra)  # type: ignore[arg-type]
    return response.status_code, response.json(), dict(response.headers)


def test_secret_is_shown_once_and_only_its_sha256_is_kept(owner: User, employer: Employer) -> None:
    new = services.employer_key_create(owner=owner, employer=employer, name="x", scope="read")
    key = ApiKey.objects.get()
    assert new.token.startswith(f"tdm_{key.prefix}_")
    assert key.secret_hash == hashlib.sha256(new.token.encode()).hexdigest()
    stored = " ".join(str(v) for v in ApiKey.objects.values().get().values())
    assert new.token.split("_", 2)[2] not in stored
    assert key.expires_at.date() > timezone.localdate() + dt.timedelta(days=360)


def test_key_answers_for_its_own_employer(read_token: str, employer: Employer) -> None:
    status, body, _ = _get(read_token, f"/api/v1/employers/{employer.pk}")
    assert status == 200
    assert body == {
        "id": employer.pk,
        "affiliate_number": employer.affiliate_number,
        "name": employer.name_latin,
        "name_arabic": employer.name_arabic,
        "kind": "employer",
        "declaration_periodicity": employer.declaration_periodicity,
    }
    assert ApiKey.objects.get().last_used_at is not None
    (logged,) = ApiRequest.objects.all()
    assert logged.key is not None and logged.status == 200
    assert logged.route == "api/v1/employers/<employer_id>"


def test_another_employers_id_is_404_like_an_unknown_one(
    read_token: str, other_employer: Employer
) -> None:
    status, body, _ = _get(read_token, f"/api/v1/employers/{other_employer.pk}")
    unknown_status, unknown_body, _ = _get(read_token, "/api/v1/employers/999999")
    assert status == unknown_status == 404
    assert body == unknown_body
    assert body == {
        "problems": [{"field": "request", "code": "not_found", "message": "Request: not found"}]
    }


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer tdm_short_x",
        "Bearer tdm_abcdefghijkm_" + "x" * 43,
        "Token whatever",
        "Bearer " + "é" * 40,
    ],
)
def test_missing_or_malformed_or_unknown_key_is_401(header: str | None, employer: Employer) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    extra["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = Client().get(f"/api/v1/employers/{employer.pk}", **extra)  # type: ignore[arg-type]
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_secret_with_a_real_prefix_is_the_same_401(
    read_token: str, employer: Employer
) -> None:
    forged = read_token[:-4] + ("AAAA" if not read_token.endswith("AAAA") else "BBBB")
    assert _get(forged, f"/api/v1/employers/{employer.pk}")[:2] == (401, UNAUTHORIZED)


def test_expired_key_is_the_same_401(read_token: str, employer: Employer) -> None:
    ApiKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _get(read_token, f"/api/v1/employers/{employer.pk}")[:2] == (401, UNAUTHORIZED)


def test_revoked_key_is_the_same_401(read_token: str, owner: User, employer: Employer) -> None:
    assert _get(read_token, f"/api/v1/employers/{employer.pk}")[0] == 200
    services.employer_key_revoke(owner=owner, employer=employer, key_id=ApiKey.objects.get().pk)
    assert _get(read_token, f"/api/v1/employers/{employer.pk}")[:2] == (401, UNAUTHORIZED)


def test_401_messages_follow_the_language(employer: Employer) -> None:
    status, body, _ = _get("nope", f"/api/v1/employers/{employer.pk}?lang=fr")
    assert status == 401
    assert body["problems"][0]["message"] == (  # type: ignore[index]
        "En-tête Authorization : clé absente, inconnue, expirée ou révoquée"
    )
    _, body, _ = _get("nope", f"/api/v1/employers/{employer.pk}", HTTP_ACCEPT_LANGUAGE="ar")
    assert "المفتاح" in body["problems"][0]["message"]  # type: ignore[index]


def test_partner_key_does_not_open_employer_endpoints(
    partner_token: str, employer: Employer
) -> None:
    assert _get(partner_token, f"/api/v1/employers/{employer.pk}")[:2] == (401, UNAUTHORIZED)


def test_key_endpoint_describes_either_kind(read_token: str, partner_token: str) -> None:
    status, body, _ = _get(read_token, "/api/v1/key")
    assert status == 200 and body["scope"] == "read" and body["partner_id"] is None  # type: ignore[index]
    status, body, _ = _get(partner_token, "/api/v1/key")
    assert status == 200 and body["scope"] == "rights" and body["employer_id"] is None  # type: ignore[index]


def test_suspended_partner_keys_stop_working(
    partner_token: str, staff: User, partner: Partner
) -> None:
    assert _get(partner_token, "/api/v1/key")[0] == 200
    services.partner_suspend(staff_user=staff, partner_id=partner.pk)
    assert _get(partner_token, "/api/v1/key")[:2] == (401, UNAUTHORIZED)
    with pytest.raises(InvalidInput) as caught:
        services.partner_key_create(staff_user=staff, partner_id=partner.pk, name="again")
    assert caught.value.fields == ("partner",)


def test_only_an_owner_creates_or_revokes(
    owner: User, employer: Employer, other_owner: User, other_employer: Employer
) -> None:
    with pytest.raises(PermissionDenied):
        services.employer_key_create(owner=other_owner, employer=employer, name="x", scope="read")
    key = services.employer_key_create(owner=owner, employer=employer, name="x", scope="read").key
    with pytest.raises(PermissionDenied):
        services.employer_key_revoke(owner=other_owner, employer=employer, key_id=key.pk)
    with pytest.raises(PermissionDenied):
        services.employer_key_revoke(owner=other_owner, employer=other_employer, key_id=key.pk)
    assert ApiKey.objects.get().revoked_at is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "", "scope": "read"}, [("name", "required")]),
        ({"name": "x" * 101, "scope": "read"}, [("name", "too_long")]),
        ({"name": "x", "scope": "admin"}, [("scope", "not_a_choice")]),
        ({"name": "x", "scope": "rights"}, [("scope", "not_a_choice")]),
        (
            {"name": "x", "scope": "read", "expires_on": "2026-13-01"},
            [("expires_on", "not_a_date")],
        ),
        ({"name": "x", "scope": "read", "expires_on": "2000-01-01"}, [("expires_on", "in_past")]),
        ({"name": "x", "scope": "read", "expires_on": "2999-01-01"}, [("expires_on", "too_far")]),
        (
            {"name": " ", "scope": "", "expires_on": "x"},
            [("name", "required"), ("scope", "not_a_choice"), ("expires_on", "not_a_date")],
        ),
    ],
)
def test_bad_key_fields_are_named_and_nothing_is_written(
    owner: User, employer: Employer, fields: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.employer_key_create(owner=owner, employer=employer, **fields)
    assert [(p.field, p.code) for p in caught.value.problems] == expected
    assert not ApiKey.objects.exists()


def test_revoking_twice_is_named(owner: User, employer: Employer) -> None:
    key = services.employer_key_create(owner=owner, employer=employer, name="x", scope="read").key
    services.employer_key_revoke(owner=owner, employer=employer, key_id=key.pk)
    with pytest.raises(InvalidInput) as caught:
        services.employer_key_revoke(owner=owner, employer=employer, key_id=key.pk)
    assert caught.value.fields == ("key",)


def test_staff_reach_only_their_agency_partners(staff: User, partner: Partner) -> None:
    from tadamun.accounts.models import StaffProfile
    from tests.registry.factories import agency_for
    from tests.support.people import make_user

    elsewhere = make_user("agent@elsewhere.example")
    StaffProfile.objects.create(user=elsewhere, agency=agency_for("dz-cnas", code="3101"))
    with pytest.raises(PermissionDenied):
        services.partner_key_create(staff_user=elsewhere, partner_id=partner.pk, name="x")
    with pytest.raises(PermissionDenied):
        services.partner_suspend(staff_user=elsewhere, partner_id=partner.pk)
    with pytest.raises(InvalidInput) as caught:
        services.partner_create(staff_user=staff, name="", kind="bakery")
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("name", "required"),
        ("kind", "not_a_choice"),
    ]


def test_burst_on_one_key_gets_429_and_other_keys_are_not_held_back(
    read_token: str, partner_token: str
) -> None:
    client = Client()
    statuses = [client.get("/api/v1/key", **bearer(read_token)).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
    refused = client.get("/api/v1/key?lang=en", **bearer(read_token))
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["problems"][0]["message"].startswith("Request: too many requests")
    # Another key from another address still passes.
    other = client.get("/api/v1/key", REMOTE_ADDR="10.9.8.7", **bearer(partner_token))
    assert other.status_code == 200


def test_refusals_are_logged_without_a_key_and_the_log_can_be_purged(employer: Employer) -> None:
    Client().get(f"/api/v1/employers/{employer.pk}", HTTP_AUTHORIZATION="Bearer nope")
    (row,) = ApiRequest.objects.all()
    assert (row.key, row.status, row.ip) == (None, 401, "127.0.0.1")
    assert services.api_requests_purge(older_than=dt.timedelta(days=90)) == 0
    assert services.api_requests_purge(older_than=dt.timedelta(0), now=timezone.now()) == 1


def test_openapi_document_and_docs_page() -> None:
    document = Client().get("/api/openapi.json").json()
    paths = set(document["paths"])
    assert {
        "/api/v1/validate",
        "/api/v1/employers/{employer_id}/filings",
        "/api/v1/employers/{employer_id}/filings/{filing_id}",
        "/api/v1/employers/{employer_id}/filings/{filing_id}/errors.csv",
        "/api/v1/employers/{employer_id}/periods/{period}/prefilled",
    } <= paths
    assert set(document["components"]["securitySchemes"]) >= {"EmployerKeyAuth", "PartnerKeyAuth"}
    assert Client().get("/api/docs").status_code == 200


def test_employer_key_dies_with_its_creators_ownership(
    read_token: str, owner: User, employer: Employer
) -> None:
    from tadamun.accounts.models import EmployerMembership

    assert _get(read_token, f"/api/v1/employers/{employer.pk}")[0] == 200
    EmployerMembership.objects.filter(user=owner).update(ended_at=timezone.now())
    assert _get(read_token, f"/api/v1/employers/{employer.pk}")[:2] == (401, UNAUTHORIZED)


def test_an_authenticated_read_costs_a_fixed_number_of_queries(
    read_token: str, employer: Employer, django_assert_num_queries: Any
) -> None:
    client = Client()
    assert client.get(f"/api/v1/employers/{employer.pk}", **bearer(read_token)).status_code == 200
    # Key (with employer, partner, creator), creator's ownership, two rate-limit counters ×2
    # (per key, per address: upsert + previous window), the log line.
    with django_assert_num_queries(7):
        client.get(f"/api/v1/employers/{employer.pk}", **bearer(read_token))


def test_a_key_with_logged_requests_cannot_be_deleted(read_token: str, employer: Employer) -> None:
    """The request log has no foreign-key constraint in the database (its check cost a row lock
    per request); the ORM still protects the log's keys."""
    from django.db.models import ProtectedError

    assert _get(read_token, f"/api/v1/employers/{employer.pk}")[0] == 200
    with pytest.raises(ProtectedError):
        ApiKey.objects.get().delete()
