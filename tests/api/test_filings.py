"""Declaration files through the API: upload (idempotent on the file's hash), status, result,
error report, pre-filled file — each for the key's own employer only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.api import services
from tadamun.filings.models import Filing
from tadamun.formats import ma_bds
from tadamun.registry import services as registry
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tests.api.conftest import bearer, owner_of
from tests.registry.factories import agency_for, employer_for, person_fields

FUND = "ma-cnss"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _morocco(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.TADAMUN_FUND = FUND
    settings.TADAMUN_JOBS = "inline"
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def ma_agency(db: None) -> Agency:
    return agency_for(FUND, code="01")


@pytest.fixture
def ma_employer(ma_agency: Agency) -> Employer:
    return employer_for(ma_agency)


@pytest.fixture
def ma_other(ma_agency: Agency) -> Employer:
    return employer_for(ma_agency, serial=2, name_latin="Other Firm")


@pytest.fixture
def ma_owner(ma_employer: Employer) -> User:
    return owner_of(ma_employer, "owner@example.ma")


def _token(owner: User, employer: Employer, scope: str = "declare") -> str:
    return services.employer_key_create(
        owner=owner, employer=employer, name="payroll", scope=scope
    ).token


def _hire(employer: Employer, count: int) -> list[InsuredPerson]:
    rows = []
    for i in range(count):
        fields = person_fields(FUND, i + 1, surname_latin=f"Nom{chr(65 + i)}")
        fields.pop("fund")
        rows.append(registry.NewInsuredPerson(**fields))
    people = registry.insured_person_bulk_create(people=rows, fund=FUND)
    registry.employment_bulk_create(
        employer=employer, hires=[registry.NewEmployment(p, dt.date(2025, 1, 1)) for p in people]
    )
    return people


def _bds(employer: Employer, people: list[InsuredPerson], days: int = 26) -> bytes:
    head = ma_bds.Employer(affiliate_number=employer.affiliate_number, period="202601")
    declared = [
        ma_bds.DeclaredEmployee(
            insured_number=p.ssn,
            surname="NOM",
            first_names="PRENOM",
            days=days,
            actual_salary=450_000,
        )
        for p in people
    ]
    return b"".join(ma_bds.write_declaration(head, declared))


def _send(
    client: Client, token: str, employer_id: int, content: bytes | None, **fields: Any
) -> Any:
    data: dict[str, Any] = {"format": "ma-bds", "period": "2026-01", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile("DS_202601.txt", content)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(
        f"/api/v1/employers/{employer_id}/filings",
        data,
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(token),
    )


def test_upload_status_result_and_same_file_again(
    ma_owner: User, ma_employer: Employer, django_capture_on_commit_callbacks: Any
) -> None:
    token = _token(ma_owner, ma_employer)
    content = _bds(ma_employer, _hire(ma_employer, 3))
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, token, ma_employer.pk, content)
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["duplicate"] is False and created["format"] == "ma-bds"
        # Sent again before it was processed (a retry after a timeout): the first filing, 200.
        again = _send(client, token, ma_employer.pk, content)
        assert again.status_code == 200
        assert again.json()["id"] == created["id"] and again.json()["duplicate"] is True
    detail = client.get(
        f"/api/v1/employers/{ma_employer.pk}/filings/{created['id']}", **bearer(token)
    ).json()
    assert detail["status"] == "accepted" and detail["done"] is True, detail
    assert detail["percent"] == 100
    assert detail["receipt_number"].startswith("DEC-")
    assert detail["currency"] == "MAD" and detail["contributions"]
    assert all(isinstance(c["amount"], int) for c in detail["contributions"])
    assert detail["errors_url"] is None
    # Sent again once accepted (a retry that never saw the answer): the same filing, 200.
    late = _send(client, token, ma_employer.pk, content)
    assert late.status_code == 200
    assert late.json()["id"] == created["id"] and late.json()["receipt_number"]
    assert Filing.objects.count() == 1
    listing = client.get(f"/api/v1/employers/{ma_employer.pk}/filings", **bearer(token)).json()
    assert [f["id"] for f in listing["filings"]] == [created["id"]]
    errors = client.get(
        f"/api/v1/employers/{ma_employer.pk}/filings/{created['id']}/errors.csv",
        **bearer(token),
    )
    assert errors.status_code == 409
    assert errors.json()["problems"][0]["code"] == "no_report"


def test_rejected_file_has_a_csv_error_report_in_the_language_asked(
    ma_owner: User, ma_employer: Employer, django_capture_on_commit_callbacks: Any
) -> None:
    token = _token(ma_owner, ma_employer)
    content = _bds(ma_employer, _hire(ma_employer, 2), days=27)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        created = _send(client, token, ma_employer.pk, content).json()
    detail = client.get(
        f"/api/v1/employers/{ma_employer.pk}/filings/{created['id']}", **bearer(token)
    ).json()
    assert detail["status"] == "rejected" and detail["problem_count"] > 0
    assert detail["errors_url"] == (
        f"/api/v1/employers/{ma_employer.pk}/filings/{created['id']}/errors.csv"
    )
    report = client.get(detail["errors_url"] + "?lang=fr", **bearer(token))
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    text = b"".join(report.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert text.splitlines()[0] == "ligne,champ,code,message"
    assert "too_many_days" in text


def test_prefilled_file_of_a_period(ma_owner: User, ma_employer: Employer) -> None:
    token = _token(ma_owner, ma_employer, scope="read")
    people = _hire(ma_employer, 2)
    response = Client().get(
        f"/api/v1/employers/{ma_employer.pk}/periods/2026-01/prefilled", **bearer(token)
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"A00") and all(p.ssn.encode() in body for p in people)
    assert "AFFEBDS_" in response["Content-Disposition"]


@pytest.mark.parametrize("label", ["2026-13", "2026-Q1", "janvier", "2026", ""])
def test_prefilled_wrong_period_label_is_named(
    ma_owner: User, ma_employer: Employer, label: str
) -> None:
    token = _token(ma_owner, ma_employer, scope="read")
    response = Client().get(
        f"/api/v1/employers/{ma_employer.pk}/periods/{label or '%20'}/prefilled?lang=en",
        **bearer(token),
    )
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["problems"]] == ["period"]


def test_prefilled_unknown_format_is_named(ma_owner: User, ma_employer: Employer) -> None:
    token = _token(ma_owner, ma_employer, scope="read")
    response = Client().get(
        f"/api/v1/employers/{ma_employer.pk}/periods/2026-01/prefilled?format=xls",
        **bearer(token),
    )
    assert response.status_code == 400
    assert [(p["field"], p["code"]) for p in response.json()["problems"]] == [
        ("format", "unknown_format")
    ]


@pytest.mark.parametrize(
    ("fields", "content", "expected"),
    [
        ({}, None, {("file", "required")}),
        ({"format": "xls"}, b"B00", {("format", "unknown_format")}),
        ({"format": None}, b"B00", {("format", "required")}),
        ({"period": "2026/01"}, b"B00", {("period", "not_a_period")}),
        ({"period": "2099-01"}, b"B00", {("period", "future_period")}),
        ({"period": None}, b"B00", {("period", "required")}),
    ],
)
def test_bad_upload_fields_are_named_and_nothing_is_stored(
    ma_owner: User,
    ma_employer: Employer,
    fields: dict[str, Any],
    content: bytes | None,
    expected: set[tuple[str, str]],
) -> None:
    token = _token(ma_owner, ma_employer)
    response = _send(Client(), token, ma_employer.pk, content, **fields)
    assert response.status_code in (400, 422), response.content
    assert {(p["field"], p["code"]) for p in response.json()["problems"]} == expected
    assert not Filing.objects.exists()


def test_read_key_cannot_upload(ma_owner: User, ma_employer: Employer) -> None:
    token = _token(ma_owner, ma_employer, scope="read")
    response = _send(Client(), token, ma_employer.pk, b"B00")
    assert response.status_code == 403
    assert response.json()["problems"][0]["code"] == "scope"
    assert not Filing.objects.exists()


def test_another_employers_filings_are_404(
    ma_owner: User,
    ma_employer: Employer,
    ma_other: Employer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    theirs_owner = owner_of(ma_other, "owner@other.ma")
    theirs = _token(theirs_owner, ma_other)
    mine = _token(ma_owner, ma_employer)
    with django_capture_on_commit_callbacks(execute=True):
        filing_id = _send(Client(), mine, ma_employer.pk, _bds(ma_employer, [])).json()["id"]
    client = Client()
    for url in (
        f"/api/v1/employers/{ma_employer.pk}/filings/{filing_id}",
        f"/api/v1/employers/{ma_employer.pk}/filings/{filing_id}/errors.csv",
        f"/api/v1/employers/{ma_employer.pk}/filings",
        f"/api/v1/employers/{ma_employer.pk}/periods/2026-01/prefilled",
        f"/api/v1/employers/{ma_other.pk}/filings/{filing_id}",
    ):
        assert client.get(url, **bearer(theirs)).status_code == 404, url
    assert _send(client, theirs, ma_employer.pk, b"B00").status_code == 404
    assert Filing.objects.count() == 1
