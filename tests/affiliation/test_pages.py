"""The affiliation pages through the test client: forms, files, statuses, and who may see what
(another employer's request → 404; a self-employed person sees only their own account)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tadamun.affiliation import services
from tadamun.affiliation.models import EmployeeImmatriculation, SelfEmployedAffiliation
from tadamun.affiliation.services import EmployeeInput, SelfEmployedInput
from tadamun.dossiers.services import dossier_decide
from tadamun.registry import services as registry
from tadamun.registry.models import InsuredPerson
from tests.affiliation.conftest import (
    Casnos,
    Firm,
    employee,
    nin,
    signup_fields,
    trader_uploads,
)
from tests.support.people import sign_in

pytestmark = pytest.mark.django_db


def client_for(firm: Firm) -> Client:
    client = Client()
    sign_in(client, firm.owner)
    return client


def test_the_employer_immatriculates_through_the_form(firm: Firm) -> None:
    client = client_for(firm)
    base = f"/fr/affiliation/employers/{firm.employer.pk}/"
    assert client.get(base).status_code == 200
    response = client.post(base + "new/", employee())
    assert response.status_code == 302
    done = EmployeeImmatriculation.objects.get()
    assert response["Location"] == f"{base}{done.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert done.insured is not None and done.insured.ssn in page
    assert "Numéro attribué" in page or "Number issued" in page


def test_bad_input_on_the_form_names_each_field_in_the_language(firm: Firm) -> None:
    client = client_for(firm)
    url = f"/ar/affiliation/employers/{firm.employer.pk}/new/"
    response = client.post(url, employee(national_id="123", birth_date="1990-02-31", sex=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "رقم بطاقة التعريف الوطنية" in page and "تاريخ الميلاد" in page
    assert 'aria-invalid="true"' in page
    assert EmployeeImmatriculation.objects.count() == 0


def test_the_file_page_refuses_a_bad_file_with_the_list(firm: Firm) -> None:
    client = client_for(firm)
    url = f"/en/affiliation/employers/{firm.employer.pk}/file/"
    header = ",".join(services.FILE_COLUMNS)
    good = ",".join(str(employee()[c]) for c in services.FILE_COLUMNS)
    bad = ",".join(str(employee(national_id="12")[c]) for c in services.FILE_COLUMNS)
    upload = SimpleUploadedFile("staff.csv", f"{header}\n{good}\n{bad}\n".encode())
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert "Line 3 — National identity card number" in response.content.decode()
    assert EmployeeImmatriculation.objects.count() == 0
    response = client.post(url, {})
    assert response.status_code == 400 and "File: is required" in response.content.decode()
    upload = SimpleUploadedFile("staff.csv", f"{header}\n{good}\n".encode())
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    assert EmployeeImmatriculation.objects.count() == 1


def test_another_employers_request_is_404(firm: Firm, other_firm: Firm) -> None:
    done = services.immatriculation_submit(
        employer=firm.employer, data=EmployeeInput(**employee()), user=firm.owner
    )
    client = client_for(other_firm)
    assert client.get(f"/en/affiliation/employers/{firm.employer.pk}/").status_code == 404
    assert client.get(f"/en/affiliation/employers/{firm.employer.pk}/new/").status_code == 404
    assert client.get(f"/en/affiliation/employers/{firm.employer.pk}/{done.pk}/").status_code == 404
    # Their own employer's URL with the other's request id: 404 too.
    own = f"/en/affiliation/employers/{other_firm.employer.pk}/{done.pk}/"
    assert client.get(own).status_code == 404
    assert Client().get(f"/en/affiliation/employers/{firm.employer.pk}/").status_code == 302


def test_a_declared_new_hire_is_immatriculated_from_its_declaration(firm: Firm) -> None:
    from tadamun.declarations.models import ImmatriculationRequest

    client = client_for(firm)
    base = f"/en/affiliation/employers/{firm.employer.pk}/"
    assert client.get(base + "new/?declared=999").status_code == 404
    assert not ImmatriculationRequest.objects.exists()


# --- self-employed -------------------------------------------------------------------------------


def signed_in_self_employed(
    casnos: Casnos, approve: bool = True, **overrides: Any
) -> tuple[Client, SelfEmployedAffiliation]:
    affiliation = services.self_employed_signup(
        data=SelfEmployedInput(**signup_fields(**overrides)), uploads=trader_uploads()
    )
    if approve:
        assert affiliation.dossier is not None
        dossier_decide(
            dossier=affiliation.dossier, staff=casnos.agent, approve=True, reason="Checked"
        )
    user = affiliation.user
    import pyotp

    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = timezone.now()
    user.save()
    client = Client()
    sign_in(client, user)
    affiliation.refresh_from_db()
    return client, affiliation


def test_the_sign_up_page_creates_the_account(casnos: Casnos) -> None:
    client = Client()
    assert client.get("/fr/affiliation/self-employed/").status_code == 200
    assert client.get("/fr/affiliation/self-employed/signup/").status_code == 200
    fields = signup_fields()
    fields.pop("language")
    response = client.post("/fr/affiliation/self-employed/signup/", {**fields, **trader_uploads()})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/fr/affiliation/self-employed/signup/done/"
    affiliation = SelfEmployedAffiliation.objects.get()
    assert affiliation.user.preferred_language == "fr"


def test_the_sign_up_page_shows_every_problem_and_creates_nothing(casnos: Casnos) -> None:
    client = Client()
    fields = signup_fields(email="bad", national_id="1", register_number="")
    fields.pop("language")
    uploads = {"identity_document": SimpleUploadedFile("cni.pdf", b"%PDF-1.4 forged")}
    response = client.post("/en/affiliation/self-employed/signup/", {**fields, **uploads})
    assert response.status_code == 400
    page = response.content.decode()
    for text in ("E-mail address", "National identity card number", "Register or card number"):
        assert text in page
    assert "Commerce register extract: this document is required" in page
    assert not SelfEmployedAffiliation.objects.exists() and not InsuredPerson.objects.exists()


def test_the_self_employed_pages_are_not_offered_by_cnas(settings: Any, db: None) -> None:
    settings.TADAMUN_FUND = "dz-cnas"
    assert Client().get("/en/affiliation/self-employed/").status_code == 404
    assert Client().get("/en/affiliation/self-employed/signup/").status_code == 404


def test_income_preview_explains_the_base_then_declares(casnos: Casnos) -> None:
    client, affiliation = signed_in_self_employed(casnos, activity_start="2018-05-02")
    page = client.get("/en/affiliation/self-employed/").content.decode()
    assert "Affiliated" in page and affiliation.account.affiliate_number in page
    response = client.post(
        "/en/affiliation/self-employed/income/",
        {"year": "2019", "income": "1000", "action": "preview"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "below the minimum base" in page and "32,400" in page.replace("\u202f", ",")
    response = client.post(
        "/en/affiliation/self-employed/income/",
        {"year": "2019", "income": "1000", "action": "submit"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/affiliation/self-employed/income/2019/"
    page = client.get(response["Location"]).content.decode()
    assert "REV-DZ-CASNOS-" in page
    page = client.get("/en/affiliation/self-employed/statement/").content.decode()
    assert 'id="year-2019"' in page


def test_bad_income_on_the_page_is_named(casnos: Casnos) -> None:
    client, _ = signed_in_self_employed(casnos, activity_start="2018-05-02")
    response = client.post(
        "/ar/affiliation/self-employed/income/",
        {"year": "2019", "income": "-12", "action": "submit"},
    )
    assert response.status_code == 400
    assert "الدخل السنوي" in response.content.decode()


def test_income_is_closed_until_the_agency_affiliates(casnos: Casnos) -> None:
    client, _ = signed_in_self_employed(casnos, approve=False)
    assert client.get("/en/affiliation/self-employed/income/").status_code == 403
    page = client.get("/en/affiliation/self-employed/").content.decode()
    assert "Being examined by the agency" in page


def test_a_self_employed_person_sees_only_their_own_account(casnos: Casnos) -> None:
    client_a, a = signed_in_self_employed(casnos, activity_start="2018-05-02")
    _client_b, b = signed_in_self_employed(
        casnos,
        email="b@trader.example",
        national_id=nin(501),
        surname_latin="Other",
        surname_arabic="آخر",
        activity_start="2018-05-02",
    )
    services.income_declare(
        account=b.account, year=2019, income="900000", user=b.user, today=dt.date(2026, 3, 1)
    )
    page = client_a.get("/en/affiliation/self-employed/statement/").content.decode()
    assert a.account.affiliate_number in page and b.account.affiliate_number not in page
    assert "year-2019" not in page
    for url in (
        f"/en/employers/{b.account.pk}/payments/pay/",
        f"/en/employers/{b.account.pk}/account/",
    ):
        assert client_a.get(url).status_code == 404, url
    assert client_a.get("/en/affiliation/self-employed/income/2019/").status_code == 404
    assert client_a.get(f"/en/employers/{a.account.pk}/payments/pay/").status_code == 200
    # An employer's owner has no self-employed pages.
    registry.agency_create  # noqa: B018 - the registry is used by the fixtures
    assert Client().get("/en/affiliation/self-employed/statement/").status_code == 302


def test_a_new_hire_declared_without_a_number_is_settled_here(firm: Firm) -> None:
    import secrets

    from tadamun.declarations.models import ImmatriculationRequest
    from tadamun.declarations.services import LineInput, declaration_submit
    from tadamun.funds import Period, get_fund

    fund = get_fund("dz-cnas")
    period = Period.containing(
        timezone.localdate(), firm.employer.declaration_periodicity
    ).previous()
    declaration_submit(
        employer=firm.employer,
        period=period,
        lines=[
            LineInput(
                surname_latin="Benali",
                first_names_latin="Amina",
                surname_arabic="بن علي",
                first_names_arabic="أمينة",
                national_id=nin(1),
                birth_date="1990-04-12",
                days="20",
                wage="40000.00",
            )
        ],
        user=firm.owner,
        token=secrets.token_urlsafe(24),
    )
    declared = ImmatriculationRequest.objects.get()
    client = client_for(firm)
    base = f"/en/affiliation/employers/{firm.employer.pk}/"
    assert f"?declared={declared.pk}" in client.get(base).content.decode()
    form = client.get(f"{base}new/?declared={declared.pk}").content.decode()
    assert 'value="Benali"' in form and nin(1) in form
    response = client.post(
        f"{base}new/",
        employee(declared=str(declared.pk), hire_date=period.start.isoformat()),
    )
    assert response.status_code == 302
    done = EmployeeImmatriculation.objects.get()
    assert done.declared == declared and done.insured is not None
    assert f"?declared={declared.pk}" not in client.get(base).content.decode()
    assert fund.code == done.fund
    # Settled once: the same declared hire cannot be immatriculated again.
    response = client.post(f"{base}new/", employee(declared=str(declared.pk)))
    assert response.status_code == 404
