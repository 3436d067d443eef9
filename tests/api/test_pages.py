"""The key pages: the owner creates (secret shown once) and revokes the employer's keys; staff
register partners of their agency and manage their keys. Other people get 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, User
from tadamun.api.models import ApiKey, Partner
from tadamun.registry.models import Employer
from tests.api.conftest import bearer
from tests.registry.factories import agency_for
from tests.support.people import make_user, sign_in

pytestmark = pytest.mark.django_db


def _signed_in(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_owner_creates_a_key_sees_it_once_and_it_works(
    owner: User, employer: Employer, language: str
) -> None:
    client = _signed_in(owner)
    page = client.get(f"/{language}/employers/{employer.pk}/api-keys/")
    assert page.status_code == 200
    assert f'lang="{language}"' in page.content.decode()
    title = {"fr": "Clés d'API", "ar": "مفاتيح الواجهة البرمجية", "en": "API keys"}[language]
    assert f"<h1>{title}</h1>" in page.content.decode()
    response = client.post(
        f"/{language}/employers/{employer.pk}/api-keys/new/",
        {"name": "Paie", "scope": "declare", "expires_on": ""},
        follow=True,
    )
    assert response.redirect_chain == [(f"/{language}/employers/{employer.pk}/api-keys/", 302)]
    (token,) = re.findall(r"tdm_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", response.content.decode())
    assert Client().get(f"/api/v1/employers/{employer.pk}", **bearer(token)).status_code == 200
    # Never shown again.
    again = client.get(f"/{language}/employers/{employer.pk}/api-keys/").content.decode()
    assert token not in again and token.split("_")[1] in again
    key = ApiKey.objects.get()
    client.post(f"/{language}/employers/{employer.pk}/api-keys/{key.pk}/revoke/")
    assert Client().get(f"/api/v1/employers/{employer.pk}", **bearer(token)).status_code == 401


def test_bad_key_form_names_each_field(owner: User, employer: Employer) -> None:
    client = _signed_in(owner)
    response = client.post(
        f"/fr/employers/{employer.pk}/api-keys/new/",
        {"name": "", "scope": "admin", "expires_on": "31/12/2026"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nom : est obligatoire" in text
    assert "Droits de la clé" in text and "admin" in text
    assert "Date d&#x27;expiration : n&#x27;est pas une date valide" in text
    assert not ApiKey.objects.exists()


def test_accountant_and_strangers_get_404(
    owner: User, employer: Employer, other_owner: User
) -> None:
    from django.utils import timezone

    accountant = make_user("accountant@atlas.example")
    EmployerMembership.objects.create(
        user=accountant, employer=employer, role=Role.ACCOUNTANT, granted_at=timezone.now()
    )
    key = _signed_in(owner).post(
        f"/en/employers/{employer.pk}/api-keys/new/", {"name": "x", "scope": "read"}
    )
    assert key.status_code == 302
    key_id = ApiKey.objects.get().pk
    for user in (accountant, other_owner):
        client = _signed_in(user)
        assert client.get(f"/en/employers/{employer.pk}/api-keys/").status_code == 404
        assert (
            client.post(
                f"/en/employers/{employer.pk}/api-keys/new/", {"name": "x", "scope": "read"}
            ).status_code
            == 404
        )
        assert (
            client.post(f"/en/employers/{employer.pk}/api-keys/{key_id}/revoke/").status_code == 404
        )
    assert ApiKey.objects.count() == 1 and ApiKey.objects.get().revoked_at is None


def test_owner_cannot_revoke_another_employers_key_through_their_own_page(
    owner: User, employer: Employer, other_owner: User, other_employer: Employer
) -> None:
    _signed_in(other_owner).post(
        f"/en/employers/{other_employer.pk}/api-keys/new/", {"name": "x", "scope": "read"}
    )
    theirs = ApiKey.objects.get()
    response = _signed_in(owner).post(f"/en/employers/{employer.pk}/api-keys/{theirs.pk}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_access_page_links_to_the_keys(owner: User, employer: Employer) -> None:
    page = _signed_in(owner).get(f"/ar/accounts/employers/{employer.pk}/access/").content.decode()
    assert f"/ar/employers/{employer.pk}/api-keys/" in page


def test_staff_register_a_partner_and_give_it_a_key(staff: User) -> None:
    client = _signed_in(staff)
    assert client.get("/ar/agency/partners/").status_code == 200
    response = client.post(
        "/en/agency/partners/new/", {"name": "Pharmacie Ibn Sina", "kind": "pharmacy"}
    )
    assert response.status_code == 302
    partner = Partner.objects.get()
    response = client.post(
        f"/en/agency/partners/{partner.pk}/keys/new/", {"name": "counter"}, follow=True
    )
    assert response.status_code == 200
    (token,) = re.findall(r"tdm_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", response.content.decode())
    assert Client().get("/api/v1/key", **bearer(token)).json()["partner_id"] == partner.pk
    page = client.get(f"/fr/agency/partners/{partner.pk}/").content.decode()
    assert "GET api/v1/key" in page  # the partner's request log
    client.post(f"/en/agency/partners/{partner.pk}/suspend/")
    assert Client().get("/api/v1/key", **bearer(token)).status_code == 401


def test_bad_partner_form_names_each_field(staff: User) -> None:
    response = _signed_in(staff).post("/en/agency/partners/new/", {"name": "", "kind": "bakery"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Name: is required" in text and "Partner type" in text
    assert not Partner.objects.exists()


def test_staff_of_another_agency_and_employers_get_404(
    staff: User, partner: Partner, owner: User
) -> None:
    elsewhere = make_user("agent@elsewhere.example")
    StaffProfile.objects.create(user=elsewhere, agency=agency_for("dz-cnas", code="3101"))
    client = _signed_in(elsewhere)
    assert partner.name not in client.get("/en/agency/partners/").content.decode()
    assert client.get(f"/en/agency/partners/{partner.pk}/").status_code == 404
    assert (
        client.post(f"/en/agency/partners/{partner.pk}/keys/new/", {"name": "x"}).status_code == 404
    )
    assert client.post(f"/en/agency/partners/{partner.pk}/suspend/").status_code == 404
    assert _signed_in(owner).get("/en/agency/partners/").status_code == 404
    assert not ApiKey.objects.exists()
    partner.refresh_from_db()
    assert partner.suspended_at is None
