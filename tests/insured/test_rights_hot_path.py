"""The rights check's hot path: the partner key remembered a few seconds per process (revocation
effective within that delay, at once in the revoking process; expiry at once), the logs written
in one statement outside any transaction, and the lean WSGI handler."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import StaffProfile, User
from tadamun.api import keycache
from tadamun.api import services as api_services
from tadamun.api.models import ApiKey, ApiRequest, Partner
from tadamun.api.ratelimit import RateLimit
from tadamun.insured import api as rights_api
from tadamun.insured import services
from tadamun.insured.models import LookupResult, RightsLookup
from tadamun.registry.models import Agency, InsuredPerson
from tests.support.people import make_user


@pytest.fixture(autouse=True)
def _fresh(settings: SettingsWrapper) -> None:
    settings.TADAMUN_RIGHTS_RATE = "100/m"
    settings.TADAMUN_RIGHTS_IP_RATE = "100/m"
    settings.TADAMUN_API_KEY_CACHE_SECONDS = 5
    rights_api._LIMIT = None
    keycache.forget_all()


@pytest.fixture
def staff(agency: Agency) -> User:
    user = make_user("agent@agency.example")
    StaffProfile.objects.create(user=user, agency=agency)
    return user


@pytest.fixture
def partner(staff: User) -> Partner:
    return api_services.partner_create(staff_user=staff, name="Pharmacie", kind="pharmacy")


@pytest.fixture
def token(staff: User, partner: Partner) -> str:
    return api_services.partner_key_create(
        staff_user=staff, partner_id=partner.pk, name="counter 1"
    ).token


@pytest.fixture
def covered(declared: InsuredPerson) -> InsuredPerson:
    services.care_card_issue(insured=declared)
    services.rights_refresh(insured_ids=[declared.pk])
    return declared


def status_of(token: str, number: str) -> int:
    response = Client().get(f"/api/v1/rights/{number}", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code


def age_cache(seconds: float) -> None:
    """Make every remembered key ``seconds`` older (what another process sees later)."""
    for digest, (stored_at, key) in list(keycache._entries.items()):
        keycache._entries[digest] = (stored_at - seconds, key)


@pytest.mark.django_db
def test_a_key_revoked_elsewhere_is_refused_once_the_delay_is_over(
    token: str, covered: InsuredPerson
) -> None:
    assert status_of(token, covered.ssn) == 200
    # Revoked by another process: this one does not hear of it, and remembers the key.
    ApiKey.objects.update(revoked_at=timezone.now())
    assert status_of(token, covered.ssn) == 200
    age_cache(5)
    assert status_of(token, covered.ssn) == 401


@pytest.mark.django_db
def test_a_partner_suspended_elsewhere_is_refused_once_the_delay_is_over(
    token: str, covered: InsuredPerson, partner: Partner
) -> None:
    assert status_of(token, covered.ssn) == 200
    Partner.objects.filter(pk=partner.pk).update(suspended_at=timezone.now())
    age_cache(4.9)
    assert status_of(token, covered.ssn) == 200
    age_cache(0.1)
    assert status_of(token, covered.ssn) == 401


@pytest.mark.django_db
def test_revoking_or_suspending_in_this_process_is_immediate(
    token: str, covered: InsuredPerson, staff: User, partner: Partner
) -> None:
    assert status_of(token, covered.ssn) == 200
    api_services.partner_key_revoke(
        staff_user=staff, partner_id=partner.pk, key_id=ApiKey.objects.get().pk
    )
    assert status_of(token, covered.ssn) == 401
    second = api_services.partner_key_create(
        staff_user=staff, partner_id=partner.pk, name="counter 2"
    ).token
    assert status_of(second, covered.ssn) == 200
    api_services.partner_suspend(staff_user=staff, partner_id=partner.pk)
    assert status_of(second, covered.ssn) == 401


@pytest.mark.django_db
def test_a_remembered_key_that_expires_is_refused_at_once(
    token: str, covered: InsuredPerson
) -> None:
    assert status_of(token, covered.ssn) == 200
    # The key reaches its expiry date while remembered (the row and the copy say the same).
    past = timezone.now() - dt.timedelta(seconds=1)
    ApiKey.objects.update(expires_at=past)
    for _, key in keycache._entries.values():
        key.expires_at = past
    assert status_of(token, covered.ssn) == 401


@pytest.mark.django_db
def test_no_cache_when_the_delay_is_zero(
    token: str, covered: InsuredPerson, settings: SettingsWrapper
) -> None:
    settings.TADAMUN_API_KEY_CACHE_SECONDS = 0
    assert status_of(token, covered.ssn) == 200
    assert keycache._entries == {}
    ApiKey.objects.update(revoked_at=timezone.now())
    assert status_of(token, covered.ssn) == 401


@pytest.mark.django_db
def test_a_wrong_key_is_never_remembered(covered: InsuredPerson, token: str) -> None:
    wrong = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    assert status_of(wrong, covered.ssn) == 401
    assert keycache._entries == {}


#: The relaxed-commit path exists only on PostgreSQL; and on SQLite a transactional test cannot
#: flush the append-only ledger the fixtures write.
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="relaxed log commits are PostgreSQL's"
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_logs_are_written_outside_a_transaction(
    token: str, covered: InsuredPerson, partner: Partner
) -> None:
    assert not connection.in_atomic_block
    for _ in range(3):
        assert status_of(token, covered.ssn) == 200
    assert status_of(token, covered.ssn[:-1] + str((int(covered.ssn[-1]) + 1) % 10)) == 400
    results = list(RightsLookup.objects.order_by("id").values_list("result", "partner_id"))
    assert results == [(LookupResult.COVERED, partner.pk)] * 3 + [
        (LookupResult.INVALID, partner.pk)
    ]
    assert list(ApiRequest.objects.order_by("id").values_list("status", flat=True)) == [
        200,
        200,
        200,
        400,
    ]
    row = api_services.api_request_record(
        key=None, method="GET", route="x", status=204, duration_ms=1, ip="10.0.0.1"
    )
    assert row.pk is not None
    assert ApiRequest.objects.get(pk=row.pk).ip == "10.0.0.1"


def _wsgi_get(path: str, token: str) -> tuple[str, dict[str, str], Any]:
    from tadamun.wsgi import application

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        answer["status"] = status
        answer["headers"] = dict(headers)

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], json.loads(body) if body[:1] == b"{" else body


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_lean_handler_answers_and_logs(
    token: str, covered: InsuredPerson, settings: SettingsWrapper
) -> None:
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    started = time.monotonic()
    status, headers, body = _wsgi_get(f"/api/v1/rights/{covered.ssn}", token)
    assert status.startswith("200")
    assert body["covered"] is True
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in headers
    assert RightsLookup.objects.get().result == LookupResult.COVERED
    assert ApiRequest.objects.get().status == 200
    status, _, _ = _wsgi_get(f"/api/v1/rights/{covered.ssn}", "tdm_wrong_key")
    assert status.startswith("401")
    assert time.monotonic() >= started


@pytest.mark.django_db
@pytest.mark.parametrize("prepared", [True, False])
def test_the_answer_is_the_json_of_the_documented_schema(
    token: str, covered: InsuredPerson, settings: SettingsWrapper, prepared: bool
) -> None:
    """The view writes the JSON itself (tadamun.insured.api): the bytes ninja would render from
    RightsOut, whichever way the statements go (prepared or through Django's cursor)."""
    from ninja.responses import NinjaJSONEncoder

    settings.TADAMUN_PREPARED_STATEMENTS = prepared
    response = Client().get(f"/api/v1/rights/{covered.ssn}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    expected = rights_api.RightsOut.model_validate(data).model_dump()
    assert response.content == json.dumps(expected, cls=NinjaJSONEncoder).encode()
    assert data["covered"] is True and data["valid_from"] and data["valid_until"]
    unknown = Client().get(
        f"/api/v1/rights/{_unissued_number()}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert unknown.status_code == 200
    assert json.loads(unknown.content)["covered"] is False
    assert json.loads(unknown.content)["valid_from"] is None


def _unissued_number() -> str:
    from tadamun.funds import current_fund

    issue = current_fund().insured_number.issue
    assert issue is not None
    return issue(9_123_456)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_between_requests_is_reopened(
    token: str, covered: InsuredPerson
) -> None:
    """No health-check round trip before the prepared statements (tadamun.hotsql): a persistent
    connection the server dropped is reopened on first use, and the look-up still answers."""
    import psycopg

    # Counters outside the database (as with Redis in production): the rights read is the
    # request's first statement. (Django's test client never resets the per-request health
    # check, so a database counter would meet the dead connection first.)
    rights_api._LIMIT = RateLimit("rights", "100/m", counter=_CountNothing())
    assert status_of(token, covered.ssn) == 200
    connection.ensure_connection()
    victim = connection.connection.info.backend_pid
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [victim])
    time.sleep(0.3)  # the server closes the socket asynchronously
    assert status_of(token, covered.ssn) == 200
    assert connection.connection.info.backend_pid != victim
    assert RightsLookup.objects.count() == 2


class _CountNothing:
    name = "nothing"

    def hit(self, bucket: str, slot: int, seconds: int) -> tuple[int, int]:
        return 1, 0
