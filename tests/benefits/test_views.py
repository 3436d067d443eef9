"""The estimate and retirement pages: the person's own record only, every bad field answered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.benefits.models import RetirementRequest
from tests.benefits.conftest import Person, career_rows
from tests.benefits.test_services import MA_RIB, pdf_file

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_estimate_page_shows_each_step_in_arabic(person: Person) -> None:
    career_rows(person, first=dt.date(2015, 1, 1), months=130)
    page = _client(person.user).get("/ar/benefits/pension/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-outcome="pension"' in html and 'data-step="start"' in html
    assert 'id="monthly">\u200f3.000,00\xa0د.م.\u200f<' in html  # 3,000.00 MAD, Moroccan Arabic


def test_future_years_on_the_page(person: Person) -> None:
    career_rows(person, first=dt.date(2022, 1, 1), months=40)
    html = (
        _client(person.user)
        .get("/fr/benefits/pension/?extra_years=1&start=2030-01-01")
        .content.decode()
    )
    assert 'data-outcome="flat_pension"' in html and "Mois ajoutés" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [("extra_years=99", "extra_years"), ("future_wage=-1", "future_wage"),
     ("children=x", "children"), ("start=31-12-2030", "start")],
)  # fmt: skip
def test_bad_estimate_fields_are_named(person: Person, query: str, field: str) -> None:
    response = _client(person.user).get(f"/en/benefits/pension/?{query}")
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()


def test_only_an_insured_persons_own_account_reaches_the_pages(
    person: Person, django_user_model: type
) -> None:
    stranger = django_user_model.objects.create_user(email="s@x.example", password="x-Long-1-abc")
    for url in ("/en/benefits/pension/", "/en/benefits/retirement/"):
        assert _client(stranger).get(url).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_submitting_a_request_through_the_page(person: Person) -> None:
    career_rows(person, first=dt.date(2015, 1, 1), months=130)
    client = _client(person.user)
    form = client.get("/fr/benefits/retirement/").content.decode()
    assert 'id="earliest"' in form and 'id="retirement-form"' in form
    start = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    bad = client.post(
        "/fr/benefits/retirement/",
        {"start": start.isoformat(), "bank_account": "12", "identity_document": pdf_file()},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'data-field="bank_account"' in html and 'data-field="bank_proof"' in html
    assert not RetirementRequest.objects.exists()
    ok = client.post(
        "/fr/benefits/retirement/",
        {
            "start": start.isoformat(),
            "bank_account": MA_RIB,
            "identity_document": pdf_file("id.pdf"),
            "bank_proof": pdf_file("rib.pdf"),
        },
    )
    assert ok.status_code == 302
    page = client.get("/fr/benefits/retirement/").content.decode()
    assert 'data-status="submitted"' in page and 'id="retirement-form"' not in page
    assert MA_RIB not in page  # the account is never shown back in full
