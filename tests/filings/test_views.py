from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import Role, User
from tadamun.declarations.models import Declaration, DeclarationLine
from tadamun.filings.models import Filing, FilingStatus
from tadamun.ledger.models import Entry
from tadamun.registry.models import Employer
from tests.filings.conftest import Hire, bds, member, upload


@pytest.fixture
def client_for(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def url(employer: Employer, rest: str = "") -> str:
    return f"/en/employers/{employer.pk}/files/{rest}"


def post(
    client: Client, employer: Employer, data: bytes, *, name: str = "DS.txt", **fields: str
) -> Any:
    body = {"fmt": "ma-bds", "period": "2026-01", **fields}
    if data is not None:
        body["file"] = SimpleUploadedFile(name, data, content_type="text/plain")
    return client.post(url(employer, "upload/"), body)


def counts() -> tuple[int, int, int, int]:
    return (
        Filing.objects.count(),
        Declaration.objects.count(),
        DeclarationLine.objects.count(),
        Entry.objects.count(),
    )


def incoming() -> list[Path]:
    folder = Path(settings.VAR_DIR) / "filings" / "incoming"
    return list(folder.iterdir()) if folder.exists() else []


def test_upload_then_accepted_page_with_breakdown_and_receipt(
    client_for: Client, employer: Employer, hire: Hire, django_capture_on_commit_callbacks: Any
) -> None:
    people = hire(employer, 5)
    page = client_for.get(url(employer, "upload/"))
    assert page.status_code == 200 and b'name="file"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for, employer, bds(employer, people))
    assert response.status_code == 302
    filing = Filing.objects.get()
    assert response["Location"] == url(employer, f"{filing.pk}/")
    page = client_for.get(response["Location"])
    text = page.content.decode()
    assert "Accepted" in text and "Contributions by branch" in text
    assert filing.sha256 in text
    declaration = Declaration.objects.get()
    assert f"/en/employers/{employer.pk}/declarations/{declaration.pk}/" in text
    status = client_for.get(url(employer, f"{filing.pk}/status.json")).json()
    assert status["status"] == "accepted" and status["done"] and status["percent"] == 100
    assert status["receipt_number"] == declaration.receipt_number
    listing = client_for.get(url(employer)).content.decode()
    assert declaration.receipt_number in listing
    stored = Path(settings.VAR_DIR) / "filings" / filing.stored_name
    assert stored.read_bytes() == bds(employer, people)  # as received
    assert not incoming()


def test_progress_page_while_queued_has_bar_script_and_noscript_refresh(
    client_for: Client, employer: Employer, hire: Hire
) -> None:
    people = hire(employer, 3)
    post(client_for, employer, bds(employer, people))  # no commit in this test: stays queued
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.QUEUED
    page = client_for.get(url(employer, f"{filing.pk}/")).content.decode()
    assert "<progress" in page and "filings/progress.js" in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "<script>" not in page  # CSP: no inline script


def test_rejected_file_lists_problems_and_offers_the_report(
    client_for: Client, employer: Employer, hire: Hire, django_capture_on_commit_callbacks: Any
) -> None:
    people = hire(employer, 4)
    data = bds(employer, people[:3], days=27)  # days > 26 on every line, and one employee missing
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for, employer, data)
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.REJECTED
    assert counts()[1:] == before[1:]  # no declaration, no line, no ledger entry
    page = client_for.get(response["Location"]).content.decode()
    assert "Rejected: " in page and "nothing was saved" in page
    assert people[3].ssn in page  # the missing employee is named
    report = client_for.get(url(employer, f"{filing.pk}/errors.csv"))
    assert report["Content-Type"].startswith("text/csv")
    body = b"".join(report.streaming_content).decode("utf-8-sig")  # type: ignore[union-attr]
    rows = body.splitlines()
    assert rows[0] == "line,field,code,message"
    assert any(",days,too_many_days," in r for r in rows)
    assert any("missing_employee" in r and people[3].ssn in r for r in rows)
    french = client_for.get(f"/fr/employers/{employer.pk}/files/{filing.pk}/errors.csv")
    text = b"".join(french.streaming_content).decode("utf-8-sig")  # type: ignore[union-attr]
    assert text.splitlines()[0] == "ligne,champ,code,message" and "jours dépassent" in text


def test_the_same_file_twice_points_at_the_first_filing(
    client_for: Client, employer: Employer, hire: Hire, django_capture_on_commit_callbacks: Any
) -> None:
    people = hire(employer, 2)
    data = bds(employer, people)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client_for, employer, data)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = post(client_for, employer, data, name="again.txt")
    assert not callbacks  # nothing queued again
    filing = Filing.objects.get()
    assert first["Location"].endswith(f"/{filing.pk}/")
    assert second["Location"] == first["Location"] + "?duplicate=1"
    page = client_for.get(second["Location"]).content.decode()
    assert "already sent" in page
    assert Declaration.objects.count() == 1 and not incoming()


def test_another_employers_filing_is_404(
    client: Client, employer: Employer, other_employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 2)
    filing = upload(employer, user, bds(employer, people))
    stranger = member(other_employer, "other@example.ma")
    client.force_login(stranger)
    for rest in (f"{filing.pk}/", f"{filing.pk}/status.json", f"{filing.pk}/errors.csv"):
        assert client.get(url(employer, rest)).status_code == 404
        assert client.get(url(other_employer, rest)).status_code == 404
    assert client.get(url(employer, "upload/")).status_code == 404


def test_an_accountant_may_upload(
    client: Client, employer: Employer, hire: Hire, django_capture_on_commit_callbacks: Any
) -> None:
    people = hire(employer, 2)
    client.force_login(member(employer, "accountant@example.ma", Role.ACCOUNTANT))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, employer, bds(employer, people))
    assert response.status_code == 302
    assert Filing.objects.get().status == FilingStatus.ACCEPTED


@pytest.mark.parametrize(
    ("fields", "data", "expected"),
    [
        ({"fmt": "tn-ds"}, b"x", "Format: “tn-ds” is not an accepted format (ma-bds, csv)"),
        ({"fmt": ""}, b"x", "Format: is required"),
        (
            {"period": "2026-Q1"},
            b"x",
            "Period: “2026-Q1” is not one of the employer's declaration periods",
        ),
        ({"period": "2099-01"}, b"x", "Period: the period 2099-01 has not started yet"),
        (
            {"period": "janvier"},
            b"x",
            "Period: “janvier” is not one of the employer's declaration periods",
        ),
        ({}, b"", "File: the file is empty"),
        (
            {},
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
            "File: is not a text file (application/pdf)",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client_for: Client, employer: Employer, fields: dict[str, str], data: bytes, expected: str
) -> None:
    response = post(client_for, employer, data, **fields)
    assert response.status_code == 400
    assert expected in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert counts() == (0, 0, 0, 0) and not incoming()


def test_no_file_at_all(client_for: Client, employer: Employer) -> None:
    response = client_for.post(url(employer, "upload/"), {"fmt": "ma-bds", "period": "2026-01"})
    assert response.status_code == 400 and "File: is required" in response.content.decode()


def test_a_file_for_another_employer_or_period_is_refused(
    client_for: Client, employer: Employer, other_employer: Employer, hire: Hire
) -> None:
    people = hire(employer, 2)
    response = post(
        client_for, employer, bds(employer, people, affiliate=other_employer.affiliate_number)
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert f"File: this file is employer {other_employer.affiliate_number}" in text.replace(
        "&#x27;", "'"
    )
    response = post(client_for, employer, bds(employer, people, month="202512"))
    assert "File: this file is for the period 202512, not 202601" in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_an_already_declared_period_is_refused(
    client_for: Client, employer: Employer, hire: Hire, django_capture_on_commit_callbacks: Any
) -> None:
    people = hire(employer, 2)
    with django_capture_on_commit_callbacks(execute=True):
        post(client_for, employer, bds(employer, people))
    receipt = Declaration.objects.get().receipt_number
    response = post(client_for, employer, bds(employer, people, wage=500_000))
    assert response.status_code == 400
    assert (
        f"Period: the period 2026-01 is already declared (receipt {receipt})"
        in response.content.decode()
    )


def test_an_oversized_upload_is_refused_while_streaming(
    client_for: Client, employer: Employer, settings: SettingsWrapper
) -> None:
    settings.TADAMUN_FILING_MAX_BYTES = 64 * 1024
    response = post(client_for, employer, b"B" * (300 * 1024))
    assert response.status_code == 413
    assert "File: exceeds the largest size accepted" in response.content.decode()
    assert counts() == (0, 0, 0, 0) and not incoming()


def test_a_2_gb_upload_is_refused_before_reading_its_body(
    client_for: Client, employer: Employer
) -> None:
    response = client_for.generic(
        "POST",
        url(employer, "upload/"),
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert response.status_code == 413
    assert "exceeds the largest size accepted, 200 MB" in response.content.decode()
    assert counts() == (0, 0, 0, 0) and not incoming()


def _zip(name: str, data: bytes, **kw: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, **kw) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zipped_file_is_accepted(
    client_for: Client, employer: Employer, hire: Hire, django_capture_on_commit_callbacks: Any
) -> None:
    people = hire(employer, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for, employer, _zip("DS.txt", bds(employer, people)), name="DS.zip")
    assert response.status_code == 302
    filing = Filing.objects.get()
    assert filing.zipped and filing.status == FilingStatus.ACCEPTED


def test_a_zip_bomb_is_refused(
    client_for: Client, employer: Employer, settings: SettingsWrapper
) -> None:
    bomb = _zip("DS.txt", b"0" * (20 * 1024 * 1024))  # 20 MB of zeros in about 20 KB
    response = post(client_for, employer, bomb, name="DS.zip")
    assert response.status_code == 400
    text = response.content.decode().replace("&#x27;", "'")
    assert (
        "“DS.txt” expands 1" in text
        and "times when uncompressed (at most 200): archive refused" in text
    )
    settings.TADAMUN_FILING_MAX_UNZIPPED_BYTES = 1024 * 1024
    response = post(client_for, employer, bomb + b"", name="DS.zip")
    assert (
        "uncompressed, “DS.txt” would be 20 MB, above the largest accepted, 1 MB"
        in response.content.decode()
    )
    assert counts() == (0, 0, 0, 0) and not incoming()


def test_a_zip_that_lies_about_its_size_is_refused(client_for: Client, employer: Employer) -> None:
    data = _zip("DS.txt", b"B00" + b" " * 257 + b"\n")
    # Patch the central directory's uncompressed size (offset 24 in the entry) to a smaller lie.
    central = data.rindex(b"PK\x01\x02")
    lied = data[: central + 24] + (10).to_bytes(4, "little") + data[central + 28 :]
    response = post(client_for, employer, lied, name="DS.zip")
    assert response.status_code == 400
    assert "does not match the size the archive declares (10 bytes)" in response.content.decode()


def test_a_zip_with_two_files_is_refused(client_for: Client, employer: Employer) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", b"a")
        archive.writestr("b.txt", b"b")
    response = post(client_for, employer, buffer.getvalue(), name="two.zip")
    assert (
        "File: the zip archive must hold exactly one file (it holds 2)" in response.content.decode()
    )


def test_a_broken_zip_is_refused(client_for: Client, employer: Employer) -> None:
    response = post(client_for, employer, b"PK\x03\x04" + b"\x00" * 40, name="x.zip")
    assert response.status_code == 400
    assert "File: is not a readable zip archive" in response.content.decode()


def test_csrf_is_checked(employer: Employer, user: User, hire: Hire) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = post(client, employer, bds(employer, hire(employer, 1)))
    assert response.status_code == 403 and counts() == (0, 0, 0, 0)


def test_prefilled_files(client_for: Client, employer: Employer, hire: Hire) -> None:
    people = hire(employer, 3)
    response = client_for.get(url(employer, "prefilled/") + "?period=2026-01&fmt=ma-bds")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[union-attr]
    lines = body.splitlines()
    assert [line[:3] for line in lines] == [b"A00", b"A01", b"A02", b"A02", b"A02", b"A03"]
    assert all(len(line) == 260 for line in lines)
    assert {line[16:25].decode() for line in lines if line.startswith(b"A02")} == {
        p.ssn for p in people
    }
    assert f"AFFEBDS_{employer.affiliate_number}_202601.txt" in response["Content-Disposition"]
    response = client_for.get(url(employer, "prefilled/") + "?period=2026-01&fmt=csv")
    rows = b"".join(response.streaming_content).decode().splitlines()  # type: ignore[union-attr]
    assert (
        rows[0]
        == "period,employer_number,insured_number,surname,first_names,days,gross_wage,situation"
    )
    assert len(rows) == 4 and rows[1].startswith(f"2026-01,{employer.affiliate_number},")
    for query in ("?period=2026-Q1&fmt=csv", "?period=2026-01&fmt=zz", "?period=x&fmt=csv", ""):
        assert client_for.get(url(employer, "prefilled/") + query).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, employer: Employer) -> None:
    response = client.get(url(employer))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
