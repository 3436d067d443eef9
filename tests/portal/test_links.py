"""Every link the home page, "my account" and the employer's dashboard show leads somewhere: for
each kind of user, each href is followed and answers neither 404 nor 500 (a visitor may be sent
to sign in)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, User
from tadamun.funds import FUNDS
from tests.support.people import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

#: The pension pages compute from the demo person's real record (followed once more below).
PENSION_PAGES = ("/fr/benefits/pension/", "/fr/benefits/retirement/")
HREF = re.compile(r'href="(/[^"]*)"')


def _links(client: Client, page: str) -> set[str]:
    response = client.get(page)
    assert response.status_code == 200, page
    return {
        href.replace("&amp;", "&")
        for href in HREF.findall(response.content.decode())
        if not href.startswith("/static/")
    }


def _follow(client: Client, links: set[str], *, anonymous: bool) -> None:
    assert links
    for href in sorted(links):
        response = client.get(href)
        if anonymous and response.status_code == 302:
            continue
        assert response.status_code in (200, 302), f"{href}: {response.status_code}"


@pytest.mark.parametrize("fund", sorted(FUNDS))
def test_a_visitor_s_links_on_the_home_page(settings: Settings, client: Client, fund: str) -> None:
    settings.TADAMUN_FUND = fund
    links = _links(client, "/fr/")
    assert "/fr/certificates/verify/" in links
    assert "/fr/insured/register/" in links
    assert ("/fr/abroad/" in links) == (fund == "dz-cnas")
    assert ("/fr/affiliation/self-employed/" in links) == (fund == "dz-casnos")
    _follow(client, links, anonymous=True)


@pytest.fixture
def demo(settings: Settings) -> None:
    settings.TADAMUN_FUND = "dz-cnas"
    call_command(
        "seed_demo", "--fund", "dz-cnas", "--big-employer-size", "10", stdout=io.StringIO()
    )


def _signed_in(user: User) -> Client:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    client = Client()
    sign_in(client, user)
    return client


@pytest.mark.usefixtures("demo")
def test_an_insured_person_s_links() -> None:
    user = User.objects.get(email="insured@demo.tadamun.example")
    client = _signed_in(user)
    links = _links(client, "/fr/accounts/") | _links(client, "/fr/")
    for expected in ("insured/", "certificates/", "benefits/pension/", "benefits/retirement/"):
        assert f"/fr/{expected}" in links
    assert "/fr/dossiers/" in links and "/fr/inbox/" in links
    _follow(client, links, anonymous=False)


@pytest.mark.parametrize("page", PENSION_PAGES)
@pytest.mark.usefixtures("demo")
def test_the_demo_insured_person_s_pension_pages(page: str) -> None:
    client = _signed_in(User.objects.get(email="insured@demo.tadamun.example"))
    assert client.get(page).status_code == 200


@pytest.mark.usefixtures("demo")
def test_an_employer_owner_s_links() -> None:
    membership = EmployerMembership.objects.filter(role=Role.OWNER).select_related("user").first()
    assert membership is not None
    client = _signed_in(membership.user)
    dashboard = f"/fr/employers/{membership.employer_id}/"
    links = _links(client, "/fr/accounts/") | _links(client, dashboard)
    for expected in ("declarations/", "files/", "account/", "payments/pay/", "api-keys/"):
        assert f"{dashboard}{expected}" in links, expected
    assert f"/fr/affiliation/employers/{membership.employer_id}/" in links
    assert "/fr/certificates/" in links
    _follow(client, links, anonymous=False)


@pytest.mark.usefixtures("demo")
def test_agency_staff_links() -> None:
    profile = StaffProfile.objects.select_related("user").first()
    assert profile is not None
    client = _signed_in(profile.user)
    links = _links(client, "/fr/accounts/")
    for expected in ("accounts/agency/signups/", "dossiers/agency/", "agency/partners/"):
        assert f"/fr/{expected}" in links
    _follow(client, links, anonymous=False)
