"""The employer dashboard: what to declare, what is due, the balance, the last declarations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.declarations.services import LineInput, declaration_submit
from tadamun.registry.models import Employer
from tests.declarations.conftest import BEFORE_DUE, FUND, PERIOD, Hire, token


@pytest.fixture(autouse=True)
def _fund(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = FUND


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def declare(employer: Employer, user: User, hire: Hire, count: int = 3) -> None:
    people = hire(employer, count)
    lines = [LineInput(insured_id=p.pk, days=26, wage="5000.00") for p in people]
    declaration_submit(
        employer=employer, period=PERIOD, lines=lines, user=user, token=token(), today=BEFORE_DUE
    )


@pytest.mark.parametrize(
    ("lang", "direction", "word"),
    [("fr", "ltr", "Tableau de bord"), ("ar", "rtl", "لوحة المتابعة"), ("en", "ltr", "Dashboard")],
)
def test_dashboard_in_each_language(
    employer: Employer, user: User, hire: Hire, lang: str, direction: str, word: str
) -> None:
    declare(employer, user, hire)
    page = signed_in(user).get(f"/{lang}/employers/{employer.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'dir="{direction}"' in html and word in html
    assert "DEC-" in html  # the receipt of the declared period is linked
    # 3 × 5,000.00 MAD × 27.83 % = 4,174.50 MAD owed and not yet paid
    balance = html.split('id="balance">')[1].split("<")[0]
    assert "4" in balance and "174" in balance and ("50" in balance or "٥٠" in balance)


def test_dashboard_links_to_declare_the_periods_not_declared(
    employer: Employer, user: User
) -> None:
    html = signed_in(user).get(f"/fr/employers/{employer.pk}/").content.decode()
    assert f"/fr/employers/{employer.pk}/declarations/period/" in html


def test_another_employers_dashboard_is_404(
    employer: Employer, other_employer: Employer, user: User
) -> None:
    assert signed_in(user).get(f"/fr/employers/{other_employer.pk}/").status_code == 404
    assert signed_in(user).get("/fr/employers/999999/").status_code == 404


def test_anonymous_is_sent_to_sign_in(employer: Employer) -> None:
    page = Client().get(f"/fr/employers/{employer.pk}/")
    assert page.status_code == 302 and "/accounts/" in page["Location"]


def test_my_account_links_to_the_dashboard(employer: Employer, user: User) -> None:
    html = signed_in(user).get("/fr/accounts/").content.decode()
    assert f"/fr/employers/{employer.pk}/" in html


@pytest.mark.parametrize("size", [5, 120])
def test_dashboard_query_count_does_not_grow_with_the_workforce(
    employer: Employer, user: User, hire: Hire, size: int, django_assert_max_num_queries: Any
) -> None:
    declare(employer, user, hire, count=size)
    client = signed_in(user)
    # 9 for the page, 1 for the header's unread-messages badge
    with django_assert_max_num_queries(10):
        assert client.get(f"/fr/employers/{employer.pk}/").status_code == 200
