"""The OpenAPI document, run against the application in-process (WSGI) with real keys: whatever
schemathesis generates, no 5xx, and every answer conforms to the document (status code, content
type, headers, body schema)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from pytest_django.fixtures import Settings as SettingsWrapper
from schemathesis import checks

from tadamun.accounts.models import User
from tadamun.api import services
from tadamun.api.app import api
from tadamun.api.models import RateCounter
from tadamun.registry.models import Agency, Employer
from tests.api.conftest import owner_of
from tests.registry.factories import agency_for, employer_for

FUND = "ma-cnss"

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api")))
)
schema.app = get_wsgi_application()

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes "obsolete" connections when a request ends, and inside the test's
    transaction PostgreSQL's connection looks obsolete; Django's own test client unhooks this
    the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _morocco(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.TADAMUN_FUND = FUND
    settings.VAR_DIR = tmp_path / "var"
    settings.ALLOWED_HOSTS = ["*"]


@pytest.fixture
def keys(db: None) -> dict[str, Any]:
    agency: Agency = agency_for(FUND, code="01")
    employer: Employer = employer_for(agency)
    owner: User = owner_of(employer, "owner@schema.example")
    from tadamun.accounts.models import StaffProfile
    from tests.support.people import make_user

    staff = make_user("agent@schema.example")
    StaffProfile.objects.create(user=staff, agency=agency)
    partner = services.partner_create(staff_user=staff, name="Pharmacie", kind="pharmacy")
    return {
        "employer": employer,
        "employer_token": services.employer_key_create(
            owner=owner, employer=employer, name="schema", scope="declare"
        ).token,
        "partner_token": services.partner_key_create(
            staff_user=staff, partner_id=partner.pk, name="schema"
        ).token,
    }


def _token_for(case: Any, keys: dict[str, Any]) -> str:
    security = case.operation.definition.raw.get("security") or []
    schemes = {name for requirement in security for name in requirement}
    if schemes == {"PartnerKeyAuth"}:
        return str(keys["partner_token"])
    return str(keys["employer_token"])


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_api_conforms_to_its_document(case: Any, keys: dict[str, Any]) -> None:
    # Each example starts with fresh counters, so the run explores more than 429s.
    RateCounter.objects.all().delete()
    if "employer_id" in (case.path_parameters or {}):
        # Mostly the key's own employer, so the real work runs; sometimes what was generated.
        generated = case.path_parameters["employer_id"]
        if not isinstance(generated, int) or generated % 4 != 0:
            case.path_parameters["employer_id"] = keys["employer"].pk
    case.call_and_validate(
        headers={"Authorization": f"Bearer {_token_for(case, keys)}"}, checks=CHECKS
    )
