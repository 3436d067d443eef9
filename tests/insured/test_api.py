"""GET /api/v1/rights/{number}: partner key, covered / not covered and the dates only, bad
numbers, unknown numbers, expired keys, bursts (429, flagged), every look-up logged."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import StaffProfile, User
from tadamun.api import services as api_services
from tadamun.api.models import ApiKey, Partner
from tadamun.funds import get_fund
from tadamun.insured import api as rights_api
from tadamun.insured import services
from tadamun.insured.models import CareCard, LookupResult, RightsLookup, RightsStatus
from tadamun.registry.models import Agency, InsuredPerson
from tests.support.people import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limit(settings: SettingsWrapper) -> None:
    settings.TADAMUN_RIGHTS_RATE = "5/m"
    settings.TADAMUN_RIGHTS_IP_RATE = "100/m"
    rights_api._LIMIT = None


@pytest.fixture
def staff(agency: Agency) -> User:
    user = make_user("agent@agency.example")
    StaffProfile.objects.create(user=user, agency=agency)
    return user


@pytest.fixture
def partner(staff: User) -> Partner:
    return api_services.partner_create(
        staff_user=staff, name="Pharmacie du Centre", kind="pharmacy"
    )


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


def get(token: str, number: str, **extra: Any) -> tuple[int, dict[str, Any]]:
    response = Client().get(
        f"/api/v1/rights/{number}", HTTP_AUTHORIZATION=f"Bearer {token}", **extra
    )
    return response.status_code, json.loads(response.content)


def test_a_covered_person_by_insured_number_reveals_only_cover_and_dates(
    token: str, covered: InsuredPerson, partner: Partner
) -> None:
    status, body = get(token, covered.ssn)
    assert status == 200
    assert set(body) == {"covered", "valid_from", "valid_until", "checked_on"}
    assert body["covered"] is True
    assert body["valid_until"] >= timezone.localdate().isoformat()
    text = json.dumps(body)
    assert covered.surname_latin not in text and "Atlas" not in text
    lookup = RightsLookup.objects.get()
    assert lookup.partner_id == partner.pk
    assert lookup.result == LookupResult.COVERED
    assert covered.ssn not in lookup.number_masked and lookup.number_masked.endswith(
        covered.ssn[-3:]
    )


def test_by_card_number(token: str, covered: InsuredPerson) -> None:
    card = CareCard.objects.get(insured=covered, revoked_at__isnull=True).number
    status, body = get(token, f"{card[:4]} {card[4:8]} {card[8:12]} {card[12:]}")
    assert status == 200 and body["covered"] is True


def test_not_covered_has_no_dates(token: str, person: InsuredPerson) -> None:
    services.rights_refresh(insured_ids=[person.pk])
    status, body = get(token, person.ssn)
    assert status == 200
    assert body["covered"] is False and body["valid_from"] is None and body["valid_until"] is None


def test_a_stored_cover_past_its_date_is_not_covered(token: str, covered: InsuredPerson) -> None:
    RightsStatus.objects.filter(insured=covered).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert get(token, covered.ssn)[1]["covered"] is False


def test_an_unknown_valid_number_gets_the_not_covered_answer(
    token: str, person: InsuredPerson
) -> None:
    services.rights_refresh(insured_ids=[person.pk])
    unknown = get_fund("dz-cnas").insured_number.issue(987_654)  # type: ignore[misc]
    known_status, known = get(token, person.ssn)
    status, body = get(token, unknown)
    assert (status, body["covered"], body["valid_from"]) == (known_status, known["covered"], None)
    assert set(body) == set(known)
    assert RightsLookup.objects.filter(result=LookupResult.UNKNOWN).count() == 1


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("12345", "wrong_length"),
        ("abcdefghijkl", "not_digits"),
        ("BADKEY", "bad_key"),
        ("6270000000000001", "wrong_length"),  # a card number whose Luhn key is wrong
    ],
)
def test_a_mistyped_number_is_400_invalid_and_logged(
    token: str, person: InsuredPerson, number: str, code: str
) -> None:
    if number == "BADKEY":
        number = person.ssn[:-1] + str((int(person.ssn[-1]) + 1) % 10)
    status, body = get(token, number, HTTP_ACCEPT_LANGUAGE="fr")
    assert status == 400
    assert body["problems"][0]["field"] == "number"
    assert body["problems"][0]["code"] == code
    assert "Numéro" in body["problems"][0]["message"]
    assert RightsLookup.objects.get().result == LookupResult.INVALID


def test_expired_or_missing_key_is_401(token: str, covered: InsuredPerson) -> None:
    assert Client().get(f"/api/v1/rights/{covered.ssn}").status_code == 401
    ApiKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    status, body = get(token, covered.ssn)
    assert status == 401
    assert body["problems"][0]["code"] == "invalid_key"
    assert RightsLookup.objects.count() == 0


def test_an_employer_key_cannot_check_rights(covered: InsuredPerson, employer: Any) -> None:
    owner = make_user("boss@example.dz")
    from tadamun.accounts.models import EmployerMembership, Role

    EmployerMembership.objects.create(
        user=owner, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    key = api_services.employer_key_create(
        owner=owner, employer=employer, name="payroll", scope="read"
    ).token
    assert get(key, covered.ssn)[0] == 401


def test_a_burst_is_429_and_flagged_as_possible_enumeration(
    token: str, covered: InsuredPerson, caplog: pytest.LogCaptureFixture
) -> None:
    fund = get_fund("dz-cnas")
    numbers = [fund.insured_number.issue(500 + i) for i in range(5)]  # type: ignore[misc]
    for number in numbers:
        assert get(token, number)[0] == 200
    status, body = get(token, covered.ssn)
    assert status == 429
    assert body["problems"][0]["code"] == "rate_limited"
    flagged = RightsLookup.objects.get(flagged=True)
    assert flagged.result == LookupResult.THROTTLED
    assert any("enumeration" in r.getMessage() for r in caplog.records)
    assert RightsLookup.objects.count() == 6


def test_the_lookup_reads_one_indexed_row(
    token: str, covered: InsuredPerson, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get(token, covered.ssn)  # the key's last use is noted once a minute: not in the count
    with CaptureQueriesContext(connection) as queries:
        get(token, covered.ssn)
    rights_reads = [q["sql"] for q in queries if "insured_rightsstatus" in q["sql"]]
    assert len(rights_reads) == 1
    assert "JOIN" not in rights_reads[0].upper()
    # The key (remembered by the process after the first request: 0 here); the rate counters
    # per key and per address (2 each here, in the database; one Redis round trip for both in
    # production); the rights row; the look-up log; the request log.
    assert len(queries) <= 8
