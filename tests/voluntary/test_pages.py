"""The pages: public explanation, coverage and simulator (both readings) in three languages;
sign-up with every bad input answered 400 with the reason beside the field; the second factor
through the accounts app's enrolment; the member's own space (anyone else: 404); choosing
quarters and paying through the sandbox gateway; the coverage status after payment."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from django.test import Client

from tadamun.accounts.models import User
from tadamun.payments import sandbox
from tadamun.payments.models import PaymentIntent
from tadamun.registry.models import Agency
from tadamun.voluntary.models import Membership, QuarterDeclaration
from tests.support.people import make_user, sign_in
from tests.voluntary.conftest import PASSWORD, card_pdf, make_member, proof_pdf, values


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
@pytest.mark.parametrize("page", ["", "coverage/", "join/", "simulator/"])
def test_public_pages_in_every_language(
    agency: Agency, client: Client, lang: str, page: str
) -> None:
    response = client.get(f"/{lang}/abroad/{page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    if lang == "ar":
        assert 'dir="rtl"' in html
    if page == "coverage/":
        assert {"fr": "Maternité", "ar": "الأمومة", "en": "Maternity"}[lang] in html
        assert "status-u" in html  # the surcharge's status U is shown


def test_the_simulator_shows_both_readings(agency: Agency, client: Client) -> None:
    html = client.get(
        "/en/abroad/simulator/", {"monthly_base": "72000", "quarter": "2026-Q1"}
    ).content.decode()
    decree = re.search(r'id="decree-total">([^<]+)<', html)
    flat = re.search(r'id="flat-total">([^<]+)<', html)
    assert decree and "67,500.00" in decree.group(1)
    assert flat and "180,000.00" in flat.group(1)


@pytest.mark.parametrize(
    ("params", "field_text"),
    [
        ({"monthly_base": "abc", "quarter": "2026-Q1"}, "enter an amount"),
        ({"monthly_base": "50000", "quarter": "2026-Q1"}, "at least 72,000.00"),
        ({"monthly_base": "72000", "quarter": "2026-Q7"}, "is not a quarter"),
        ({"monthly_base": "72000", "quarter": "2021-Q1"}, "before the scheme"),
    ],
)
def test_the_simulator_names_bad_input(
    agency: Agency, client: Client, params: dict[str, str], field_text: str
) -> None:
    response = client.get("/en/abroad/simulator/", params)
    assert response.status_code == 400
    html = response.content.decode().replace("72000.00", "72,000.00")
    assert field_text in html


def _post_join(client: Client, lang: str = "en", **overrides: Any) -> Any:
    card = overrides.pop("card", None)
    data = values(**overrides)
    data["consular_card"] = card or card_pdf()
    data["activity_proof"] = proof_pdf()
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/{lang}/abroad/join/", data)


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("surname_latin", "", "Surname (Latin script): is required"),
        ("first_names_arabic", "Karim", "must be written in Arabic script"),
        ("birth_date", "not a date", "is not a valid date"),
        ("national_id", "1234", "must have 18 characters"),
        ("previous_ssn", "100000123499", "the check key does not match"),
        ("country", "XX", "is not an allowed value"),
        ("consulate", "", "Consulate: is required"),
        ("consular_number", "#", "does not have the expected format"),
        ("email", "nobody", "is not a valid e-mail address"),
        ("password_again", "different-Password-1", "the two entries differ"),
    ],
)
def test_join_names_each_bad_field_and_keeps_nothing(
    agency: Agency, client: Client, field: str, value: str, text: str
) -> None:
    response = _post_join(client, **{field: value})
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert text in html, text
    assert 'id="form-errors"' in html
    assert not User.objects.exists() and not Membership.objects.exists()


def test_join_with_a_forged_file_is_refused_beside_the_field(
    agency: Agency, client: Client
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    forged = SimpleUploadedFile("carte.pdf", b"<html><script>alert(1)</script></html>")
    response = _post_join(client, card=forged)
    assert response.status_code == 400
    assert 'id="consular_card-errors"' in response.content.decode()
    assert not User.objects.exists()


def test_join_ineligible_shows_every_check(agency: Agency, client: Client) -> None:
    response = _post_join(client, lang="fr", birth_date="1950-01-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="checks"' in html and "Nationalité algérienne : oui." in html
    assert "Il faut avoir moins de" in html
    assert not User.objects.exists()


def test_join_then_enrol_the_second_factor_then_the_space(
    agency: Agency, client: Client, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_join(client, lang="fr")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vous êtes immatriculé" in html and 'id="enrol-link"' in html
    membership = Membership.objects.get()
    assert membership.insured is not None
    assert membership.insured.ssn not in html  # only in the signed-in page
    assert len(mailbox.messages) == 1
    assert membership.insured.ssn not in mailbox.body(mailbox.messages[0])
    # The accounts app's enrolment continues the sign-in.
    assert client.get("/fr/accounts/login/enrol/").status_code == 200
    user = User.objects.get()
    code = pyotp.TOTP(user.totp_secret).now()
    done = client.post("/fr/accounts/login/enrol/", {"code": code})
    assert done.status_code == 200
    space = client.get("/fr/abroad/me/")
    assert space.status_code == 200
    assert membership.insured.ssn in space.content.decode()


def test_the_space_is_only_for_its_member(
    agency: Agency, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    assert client.get("/en/abroad/me/").status_code == 302  # sign in first
    stranger = make_user("stranger@example.org")
    sign_in(client, stranger)
    for page in ("me/", "me/coverage/", "me/quarters/", "me/paid/?reference=x"):
        assert client.get(f"/en/abroad/{page}").status_code == 404


def test_one_member_cannot_reach_another_members_account(
    agency: Agency, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    alice = make_member(django_capture_on_commit_callbacks)
    bob = make_member(
        django_capture_on_commit_callbacks,
        email="bob@example.org",
        national_id="209870123456789012",
        surname_latin="Saidi",
        first_names_latin="Bilal",
        consular_number="LYO-77",
    )
    sign_in(client, alice.user, PASSWORD)
    response = client.post(
        "/en/abroad/me/quarters/",
        {
            "monthly_base": "72000",
            "quarters": ["2026-Q4"],
            "action": "pay",
            "idempotency_key": "alice-key-0001",
        },
    )
    assert response.status_code == 302
    reference = PaymentIntent.objects.get(employer=alice.account).gateway_reference
    client.logout()
    sign_in(client, bob.user, PASSWORD)
    assert bob.account is not None and alice.account is not None
    assert client.get(f"/en/abroad/me/paid/?reference={reference}").status_code == 404
    for path in (
        f"/en/employers/{alice.account.pk}/payments/pay/",
        f"/en/employers/{alice.account.pk}/account/",
    ):
        assert client.get(path).status_code == 404
    assert client.get(f"/en/employers/{bob.account.pk}/account/").status_code == 200
    html = client.get("/en/abroad/me/").content.decode()
    assert bob.insured is not None and bob.insured.ssn in html
    assert alice.insured is not None and alice.insured.ssn not in html


def test_choose_quarters_review_both_readings_pay_and_see_the_cover(
    agency: Agency, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    member = make_member(django_capture_on_commit_callbacks)
    sign_in(client, member.user, PASSWORD)
    page = client.get("/fr/abroad/me/quarters/").content.decode()
    assert 'value="2026-Q4"' in page and 'value="2021-Q4"' not in page  # before the scheme
    review = client.post(
        "/fr/abroad/me/quarters/",
        {"monthly_base": "72000", "quarters": ["2026-Q4", "2025-Q1"], "action": "review"},
    )
    html = review.content.decode()
    assert review.status_code == 200
    assert 'id="quote-total"' in html and "135" in html  # 2 x 67,500
    assert "Lecture appliquée" in html and "Autre lecture" in html
    assert not QuarterDeclaration.objects.exists()  # reviewing writes nothing
    pay = client.post(
        "/fr/abroad/me/quarters/",
        {
            "monthly_base": "72000",
            "quarters": ["2026-Q4", "2025-Q1"],
            "action": "pay",
            "idempotency_key": "key-0123456789",
        },
    )
    assert pay.status_code == 302 and "/sandbox-gateway/pay/" in pay["Location"]
    gateway = urlsplit(pay["Location"]).path
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(
            gateway, {"card_number": "4242424242424242", "expiry": "12/39", "cvc": "123"}
        )
    assert back.status_code == 302 and "/abroad/me/paid/" in back["Location"]
    waiting = client.get(urlsplit(back["Location"]).path + "?" + urlsplit(back["Location"]).query)
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.content.decode()
    [delivery] = sandbox.take_outbox()
    client.post(
        urlsplit(delivery.url).path,
        data=delivery.body,
        content_type="application/json",
        headers={k: v for k, v in delivery.headers.items() if k != "Content-Type"},
    )
    done = client.get(urlsplit(back["Location"]).path + "?" + urlsplit(back["Location"]).query)
    html = done.content.decode()
    assert 'id="receipt-link"' in html and "Couvert" in html
    receipt = re.search(r'href="([^"]+/receipts/[^"/]+/)"', html)
    assert receipt and client.get(receipt.group(1)).status_code == 200
    coverage = client.get("/fr/abroad/me/coverage/").content.decode()
    assert "Couvert" in coverage and "2 trimestres payés" in coverage


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"monthly_base": "", "quarters": ["2026-Q4"]}, "enter an amount"),
        ({"monthly_base": "1000", "quarters": ["2026-Q4"]}, "must be at least"),
        ({"monthly_base": "72000"}, "choose at least one quarter"),
        ({"monthly_base": "72000", "quarters": ["2099-Q1"]}, "beyond the current year"),
        ({"monthly_base": "72000", "quarters": ["<script>"]}, "is not a quarter"),
    ],
)
def test_the_quarter_form_names_bad_input(
    agency: Agency,
    client: Client,
    django_capture_on_commit_callbacks: Any,
    data: dict[str, Any],
    text: str,
) -> None:
    member = make_member(django_capture_on_commit_callbacks)
    sign_in(client, member.user, PASSWORD)
    for action in ("review", "pay"):
        response = client.post(
            "/en/abroad/me/quarters/", {**data, "action": action, "idempotency_key": "k" * 12}
        )
        assert response.status_code == 400
        assert text in response.content.decode()
    assert not QuarterDeclaration.objects.exists()


def test_an_unclear_sign_up_shows_the_request_and_its_follow_up(
    agency: Agency, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.samples import image_bytes

    photo = SimpleUploadedFile("carte.png", image_bytes("PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_join(client, card=photo)
    assert response.status_code == 200
    html = response.content.decode()
    membership = Membership.objects.get()
    assert membership.dossier is not None and membership.dossier.reference in html
    assert "an agent must read it" in html
    user = User.objects.get()
    client.get("/en/accounts/login/enrol/")
    user.refresh_from_db()
    client.post("/en/accounts/login/enrol/", {"code": pyotp.TOTP(user.totp_secret).now()})
    space = client.get("/en/abroad/me/").content.decode()
    assert membership.dossier.reference in space and 'id="review"' in space
    assert client.get("/en/abroad/me/quarters/").status_code == 404


def test_my_account_links_a_member_to_their_space(
    agency: Agency, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    member = make_member(django_capture_on_commit_callbacks)
    sign_in(client, member.user, PASSWORD)
    html = client.get("/fr/accounts/").content.decode()
    assert 'id="voluntary-space"' in html and "Mon adhésion d" in html
    stranger = make_user("nobody@example.org")
    client.logout()
    sign_in(client, stranger)
    assert 'id="voluntary-space"' not in client.get("/fr/accounts/").content.decode()


def test_a_double_click_on_pay_declares_once_and_pays_once(
    agency: Agency, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    member = make_member(django_capture_on_commit_callbacks)
    sign_in(client, member.user, PASSWORD)
    data = {
        "monthly_base": "72000",
        "quarters": ["2026-Q4"],
        "action": "pay",
        "idempotency_key": "double-click-0001",
    }
    first = client.post("/en/abroad/me/quarters/", data)
    second = client.post("/en/abroad/me/quarters/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert QuarterDeclaration.objects.count() == 1
    assert PaymentIntent.objects.count() == 1
