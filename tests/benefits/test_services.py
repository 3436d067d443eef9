"""Pension estimates from the record and the retirement request, through the agency's decision."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from tadamun.accounts.models import StaffProfile, StaffRole, User
from tadamun.benefits import services
from tadamun.benefits.models import RetirementRequest
from tadamun.documents.models import Document
from tadamun.dossiers import services as dossiers
from tadamun.dossiers.models import Dossier
from tadamun.errors import InvalidInput
from tests.benefits.conftest import Person, career_rows

pytestmark = pytest.mark.django_db

MA_RIB = "011519000001205000534921"


def pdf_file(name: str = "id.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def documents() -> dict[str, SimpleUploadedFile | None]:
    return {"identity_document": pdf_file("id.pdf"), "bank_proof": pdf_file("rib.pdf")}


def test_the_estimate_reads_the_declared_career(person: Person) -> None:
    career_rows(person, first=dt.date(2015, 1, 1), months=130)  # 3,380 days
    result = services.pension_estimate(insured=person.insured, today=dt.date(2026, 11, 23))
    assert result.regime == "ma-cnss"
    assert result.career.declared_months == 130
    assert result.result is not None and result.result.eligible
    assert result.result.start == dt.date(2026, 6, 1)  # first of the month after the 60th birthday
    # 50 % of the average of the last 96 months (6,000.00 MAD): 3,000.00 MAD.
    assert result.result.monthly_gross == 300_000
    assert result.result.steps[0].key == "start"


def test_future_years_make_a_short_career_eligible(person: Person) -> None:
    career_rows(person, first=dt.date(2022, 1, 1), months=40)  # 1,040 days: below 1,320
    short = services.pension_estimate(insured=person.insured, start=dt.date(2030, 1, 1))
    assert short.result is not None and not short.result.eligible
    longer = services.pension_estimate(
        insured=person.insured, extra_years=1, start=dt.date(2030, 1, 1)
    )
    assert longer.career.future_months == 12
    assert longer.result is not None and longer.result.outcome == "flat_pension"


def test_nothing_declared_says_so(person: Person) -> None:
    result = services.pension_estimate(insured=person.insured)
    assert result.result is None and result.unavailable == "nothing_declared"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"extra_years": "46"}, "extra_years"),
        ({"extra_years": "-1"}, "extra_years"),
        ({"extra_years": "x"}, "extra_years"),
        ({"future_wage": "abc"}, "future_wage"),
        ({"future_wage": "-5"}, "future_wage"),
        ({"future_wage": "1.234"}, "future_wage"),
        ({"future_wage": "NaN"}, "future_wage"),
        ({"children": "21"}, "children"),
        ({"start": "2030-02-30"}, "start"),
    ],
)
def test_bad_estimate_options_name_their_field(fields: dict[str, str], field: str) -> None:
    options = {"extra_years": "", "future_wage": "", "children": "", "start": ""} | fields
    with pytest.raises(InvalidInput) as caught:
        services.parse_options(**options, currency="MAD")
    assert [p.field for p in caught.value.problems] == [field]


def test_estimate_options_read_the_currency_minor_units() -> None:
    assert services.parse_options(
        extra_years="2", future_wage="4 500,50", children="1", start="2031-01-01", currency="MAD"
    ) == (2, 450_050, 1, dt.date(2031, 1, 1))
    assert (
        services.parse_options(
            extra_years="", future_wage="1.234", children="", start="", currency="TND"
        )[1]
        == 1_234
    )


def _staff(person: Person) -> User:
    staff = User.objects.create_user(email="agent@cnss.example", password="x-Long-enough-1")
    StaffProfile.objects.create(user=staff, agency=person.employer.agency, role=StaffRole.AGENT)
    return staff


def test_a_request_opens_a_dossier_and_the_agency_awards_the_pension(person: Person) -> None:
    career_rows(person, first=dt.date(2015, 1, 1), months=130)
    start = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    request = services.retirement_request_submit(
        user=person.user,
        insured=person.insured,
        start=start.isoformat(),
        bank_account=MA_RIB,
        documents=documents(),
    )
    assert request.status == "submitted" and request.estimated_monthly_gross == 300_000
    dossier = Dossier.objects.get(pk=request.dossier_id)
    assert dossier.kind == "retirement" and dossier.agency == person.employer.agency
    assert Document.objects.filter(owner=person.user).count() == 2
    # The record changes before the decision: the award is computed from the record then.
    career_rows(person, first=dt.date(2025, 11, 1), months=12, wage=900_000)
    dossiers.dossier_decide(
        dossier=dossier, staff=_staff(person), approve=True, reason="Dossier complet."
    )
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.awarded_monthly_gross is not None
    assert request.awarded_monthly_gross > request.estimated_monthly_gross


def test_a_rejection_keeps_the_request_and_allows_a_new_one(person: Person) -> None:
    career_rows(person, first=dt.date(2015, 1, 1), months=130)
    start = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    kwargs = dict(
        user=person.user, insured=person.insured, start=start.isoformat(), bank_account=MA_RIB
    )
    request = services.retirement_request_submit(**kwargs, documents=documents())  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as caught:
        services.retirement_request_submit(**kwargs, documents=documents())  # type: ignore[arg-type]
    assert caught.value.problems[0].code == "already_requested"
    assert request.dossier is not None
    dossiers.dossier_decide(
        dossier=request.dossier, staff=_staff(person), approve=False, reason="Pièce illisible."
    )
    request.refresh_from_db()
    assert request.status == "rejected"
    services.retirement_request_submit(**kwargs, documents=documents())  # type: ignore[arg-type]
    assert RetirementRequest.objects.count() == 2


def _count() -> tuple[int, int, int]:
    return RetirementRequest.objects.count(), Dossier.objects.count(), Document.objects.count()


@pytest.mark.parametrize(
    ("start", "account", "docs", "expected"),
    [
        ("", MA_RIB, True, [("start", "required")]),
        ("soon", MA_RIB, True, [("start", "bad_date")]),
        ("2001-01-01", MA_RIB, True, [("start", "out_of_range")]),
        ("next", "123", True, [("bank_account", "bad_format")]),
        ("next", MA_RIB, False, [("identity_document", "required"), ("bank_proof", "required")]),
    ],
)
def test_bad_requests_name_every_problem_and_write_nothing(
    person: Person, start: str, account: str, docs: bool, expected: list[tuple[str, str]]
) -> None:
    career_rows(person, first=dt.date(2015, 1, 1), months=130)
    if start == "next":
        start = (
            (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1).isoformat()
        )
    with pytest.raises(InvalidInput) as caught:
        services.retirement_request_submit(
            user=person.user,
            insured=person.insured,
            start=start,
            bank_account=account,
            documents=documents() if docs else {"identity_document": None, "bank_proof": None},
        )
    assert [(p.field, p.code) for p in caught.value.problems] == expected
    assert _count() == (0, 0, 0)


def test_not_eligible_on_that_date_is_refused(person: Person) -> None:
    career_rows(person, first=dt.date(2022, 1, 1), months=40)  # 1,040 days: not enough
    start = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(InvalidInput) as caught:
        services.retirement_request_submit(
            user=person.user, insured=person.insured, start=start.isoformat(),
            bank_account=MA_RIB, documents=documents(),
        )  # fmt: skip
    assert [(p.field, p.code) for p in caught.value.problems] == [("start", "not_eligible")]
    assert _count() == (0, 0, 0)


def test_a_forged_document_is_refused_and_no_file_is_left(person: Person, settings: object) -> None:
    from tadamun.documents import storage

    career_rows(person, first=dt.date(2015, 1, 1), months=130)
    start = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    before = set(storage.root().rglob("*")) if storage.root().exists() else set()
    forged = {
        "identity_document": pdf_file("id.pdf"),
        "bank_proof": SimpleUploadedFile(
            "rib.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
        ),
    }
    with pytest.raises(InvalidInput) as caught:
        services.retirement_request_submit(
            user=person.user, insured=person.insured, start=start.isoformat(),
            bank_account=MA_RIB, documents=forged,
        )  # fmt: skip
    assert caught.value.problems[0].field == "bank_proof"
    assert _count() == (0, 0, 0)
    after = set(storage.root().rglob("*")) if storage.root().exists() else set()
    assert {p for p in after - before if p.is_file()} == set()
