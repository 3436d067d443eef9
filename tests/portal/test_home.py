"""The home page in French, Arabic (right to left) and English, and its security headers."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _algeria(settings: Settings) -> None:
    settings.TADAMUN_FUND = "dz-cnas"


def test_root_redirects_to_the_default_language(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_root_follows_the_browser_language(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "ar"})
    assert response["Location"] == "/ar/"


@pytest.mark.parametrize(
    ("language", "direction", "fund_name", "text"),
    [
        (
            "fr",
            "ltr",
            "Caisse nationale des assurances sociales des travailleurs salariés",
            "Prochaine échéance",
        ),
        ("ar", "rtl", "الصندوق الوطني للتأمينات الاجتماعية للعمال الأجراء", "الأجل القادم"),
        ("en", "ltr", "National Social Insurance Fund for Salaried Workers", "Next deadline"),
    ],
)
def test_home_in_each_language(
    client: Client, language: str, direction: str, fund_name: str, text: str
) -> None:
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert fund_name in html
    assert text in html
    # the switcher offers every language, each in its own script
    for name in ("français", "العربيّة", "English"):
        assert name in html
    assert response["Content-Language"] == language
    assert '<bdi dir="ltr">' in html  # a period label such as 2026-10 reads left to right


@pytest.mark.parametrize(
    ("fund", "name", "currency"),
    [
        ("ma-cnss", "Caisse nationale de sécurité sociale", "MAD"),
        ("tn-cnss", "Caisse nationale de sécurité sociale", "TND"),
    ],
)
def test_home_shows_the_chosen_fund(
    client: Client, settings: Settings, fund: str, name: str, currency: str
) -> None:
    settings.TADAMUN_FUND = fund
    html = client.get("/fr/").content.decode()
    assert name in html
    assert f"Les montants sont en {currency}." in html


def test_language_switcher_keeps_the_page(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/fr/"})
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


def test_switcher_is_a_form_with_csrf(client: Client) -> None:
    html = client.get("/en/").content.decode()
    assert 'action="/i18n/setlang/" method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_security_headers(client: Client) -> None:
    response = client.get("/fr/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "<script" not in html and " style=" not in html and "<style" not in html


def test_home_query_count(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(3):  # the three registry counts
        client.get("/fr/")


def test_home_refuses_post(client: Client) -> None:
    assert client.post("/fr/").status_code == 405
