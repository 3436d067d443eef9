"""Pages of the accounts app, through Django's test client."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from tadamun.accounts import services
from tadamun.accounts.decorators import employer_required, staff_required
from tadamun.accounts.models import (
    EmployerMembership,
    Role,
    SignupRequest,
    SignupStatus,
    StaffProfile,
    User,
)
from tadamun.registry.models import Employer
from tests.accounts.conftest import PASSWORD, Mailbox, make_user, sign_in

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return str(response.content.decode())


def _signup_data(employer: Employer, **overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "affiliate_number": employer.affiliate_number,
        "legal_identifier": employer.legal_identifier,
        "company_name": "Atlas Industries SARL",
        "contact_name": "Amina Benali",
        "email": "amina@atlas.example",
    }
    data.update(overrides)
    return data


# --- pages exist in the three languages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title", "direction"),
    [("fr", "Se connecter", "ltr"), ("ar", "تسجيل الدخول", "rtl"), ("en", "Sign in", "ltr")],
)
def test_login_page_in_three_languages(
    client: Client, language: str, title: str, direction: str
) -> None:
    response = client.get(f"/{language}/accounts/login/")
    assert response.status_code == 200
    assert f'dir="{direction}"' in _text(response)
    assert f"<h1>{title}</h1>" in _text(response)


@pytest.mark.parametrize(
    "path", ["signup/", "password/reset/", "password/reset/sent/", "password/reset/done/"]
)
@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_public_pages_render(client: Client, path: str, language: str) -> None:
    assert client.get(f"/{language}/accounts/{path}").status_code == 200


def test_login_page_query_count(client: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(0):
        assert client.get("/en/accounts/login/").status_code == 200


# --- sign-up request -----------------------------------------------------------------------------


def test_signup_request_sent(client: Client, employer: Employer) -> None:
    response = client.post("/ar/accounts/signup/", _signup_data(employer))
    assert response.status_code == 200
    signup = SignupRequest.objects.get()
    assert (signup.status, signup.language) == (SignupStatus.PENDING, "ar")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("affiliate_number", "99", "Employer affiliate number: must have 10 characters (got 2)"),
        (
            "legal_identifier",
            "000000000009999",
            "Company legal identifier: does not match the employer registered under this number",
        ),
        ("email", "amina@", "E-mail address: is not a valid e-mail address"),
        ("contact_name", "", "Contact name: is required"),
    ],
)
def test_signup_bad_input_named_on_page(
    client: Client, employer: Employer, field: str, value: str, message: str
) -> None:
    response = client.post("/en/accounts/signup/", _signup_data(employer, **{field: value}))
    assert response.status_code == 400
    assert message in _text(response)
    assert f'id="{field}-errors"' in _text(response)
    assert not SignupRequest.objects.exists()


def test_signup_wrong_key_in_french(client: Client, employer: Employer) -> None:
    number = employer.affiliate_number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = client.post("/fr/accounts/signup/", _signup_data(employer, affiliate_number=wrong))
    assert response.status_code == 400
    assert (
        "Numéro d&#x27;affiliation de l&#x27;employeur : la clé de contrôle ne correspond pas"
        in _text(response)
    )


# --- sign-in with the second factor --------------------------------------------------------------


def test_first_sign_in_enrols_totp(client: Client, employer: Employer) -> None:
    user = make_user("new.owner@atlas.example", totp=False)
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    client.get("/en/accounts/login/")
    response = client.post("/en/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert response["Location"] == "/en/accounts/login/enrol/"
    page = client.get("/en/accounts/login/enrol/")
    assert '<img src="/en/accounts/login/enrol/qr.svg"' in _text(page)
    assert "<script" not in _text(page) and "style=" not in _text(page)
    qr = client.get("/en/accounts/login/enrol/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")
    user.refresh_from_db()
    assert client.get("/en/accounts/").status_code != 200  # not signed in yet
    bad = client.post("/en/accounts/login/enrol/", {"code": "000000"})
    assert bad.status_code == 400
    assert "Verification code: the code is wrong or has expired" in _text(bad)
    before = client.session.session_key
    done = client.post("/en/accounts/login/enrol/", {"code": pyotp.TOTP(user.totp_secret).now()})
    assert done.status_code == 200
    assert len(re.findall(r"<code>[A-Z0-9]{5}-[A-Z0-9]{5}</code>", _text(done))) == 10
    assert client.session.session_key != before  # rotated at sign-in
    home = client.get("/en/accounts/")
    assert home.status_code == 200 and "Atlas Industries" in _text(home)


def test_sign_in_with_totp_rotates_session(client: Client, owner: User) -> None:
    client.get("/en/accounts/login/")
    client.post("/en/accounts/login/", {"email": owner.email, "password": PASSWORD})
    pending = client.session.session_key
    assert client.get("/en/accounts/").status_code == 302  # password alone is not enough
    response = client.post(
        "/en/accounts/login/verify/", {"code": pyotp.TOTP(owner.totp_secret).now()}
    )
    assert response["Location"] == "/en/accounts/"
    assert client.session.session_key != pending
    assert client.get("/en/accounts/").status_code == 200


def test_wrong_totp_named(client: Client, owner: User) -> None:
    client.post("/en/accounts/login/", {"email": owner.email, "password": PASSWORD})
    response = client.post("/en/accounts/login/verify/", {"code": "12345"})
    assert response.status_code == 400
    assert "Verification code: the code is wrong or has expired" in _text(response)
    assert client.get("/en/accounts/").status_code == 302


def test_verify_without_password_goes_to_login(client: Client) -> None:
    assert client.get("/en/accounts/login/verify/")["Location"] == "/en/accounts/login/"
    assert (
        client.post("/en/accounts/login/verify/", {"code": "123456"})["Location"]
        == "/en/accounts/login/"
    )


def test_unknown_account_and_wrong_password_answer_alike(client: Client, owner: User) -> None:
    wrong = client.post("/en/accounts/login/", {"email": owner.email, "password": "nope"})
    unknown = client.post("/en/accounts/login/", {"email": "ghost@x.example", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 400

    def strip(response: Any) -> str:
        text = _text(response).replace(owner.email, "").replace("ghost@x.example", "")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert strip(wrong).split("<main>")[1] == strip(unknown).split("<main>")[1]


def test_lockout_through_the_page(client: Client, owner: User) -> None:
    for _ in range(4):
        client.post("/en/accounts/login/", {"email": owner.email, "password": "nope"})
    ok = client.post("/en/accounts/login/", {"email": owner.email, "password": PASSWORD})
    assert ok.status_code == 302  # four failures: not locked
    for _ in range(5):
        client.post("/en/accounts/login/", {"email": owner.email, "password": "nope"})
    locked = client.post("/en/accounts/login/", {"email": owner.email, "password": PASSWORD})
    assert locked.status_code == 400
    assert "Too many failed attempts" in _text(locked)


def test_logout_is_post_only(client: Client, owner: User) -> None:
    sign_in(client, owner)
    assert client.get("/en/accounts/logout/").status_code == 405
    assert client.post("/en/accounts/logout/").status_code == 302
    assert client.get("/en/accounts/").status_code == 302


# --- password reset by e-mail --------------------------------------------------------------------


def test_password_reset_by_mail(client: Client, owner: User, mailbox: Mailbox) -> None:
    response = client.post("/fr/accounts/password/reset/", {"email": owner.email})
    assert response["Location"] == "/fr/accounts/password/reset/sent/"
    [message] = mailbox.messages
    assert mailbox.recipients == [[owner.email]]
    assert message["Subject"] == "Choisissez un nouveau mot de passe"
    body = Mailbox.body(message)
    assert PASSWORD not in body and owner.password not in body
    link = re.search(r"http://testserver(/fr/accounts/password/reset/\S+/)", body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    new = "Another-strong-pass-42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new)
    # the link is spent
    again = client.get(link.group(1), follow=True)
    assert "<form" not in _text(again).split("<main>")[1]


def test_password_reset_unknown_address_sends_nothing(client: Client, mailbox: Mailbox) -> None:
    response = client.post("/en/accounts/password/reset/", {"email": "ghost@x.example"})
    assert response["Location"] == "/en/accounts/password/reset/sent/"
    assert mailbox.messages == []


def test_password_reset_bad_email_named(client: Client) -> None:
    response = client.post("/en/accounts/password/reset/", {"email": "not an address"})
    assert response.status_code == 200
    assert "E-mail address: Enter a valid email address." in _text(response)


# --- activation ----------------------------------------------------------------------------------


def test_activation_page(client: Client) -> None:
    user = User.objects.create_user(email="new@x.example")
    token = services._activation_token_create(user=user, now=timezone.now())
    assert client.get(f"/en/accounts/activate/{token}/").status_code == 200
    short = client.post(
        f"/en/accounts/activate/{token}/", {"password": "short", "password_again": "short"}
    )
    assert short.status_code == 400
    assert "Password: This password is too short." in _text(short)
    done = client.post(
        f"/en/accounts/activate/{token}/", {"password": PASSWORD, "password_again": PASSWORD}
    )
    assert done.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    used = client.get(f"/en/accounts/activate/{token}/")
    assert used.status_code == 400
    assert "Activation link: this link has already been used" in _text(used)


def test_expired_activation_named(client: Client) -> None:
    user = User.objects.create_user(email="new@x.example")
    long_ago = timezone.now() - services.ACTIVATION_VALIDITY - services.LOCK_DURATION
    token = services._activation_token_create(user=user, now=long_ago)
    response = client.get(f"/ar/accounts/activate/{token}/")
    assert response.status_code == 400
    assert "رابط التفعيل: انتهت صلاحية هذا الرابط" in _text(response)
    assert client.get("/en/accounts/activate/forged/").status_code == 400


# --- owner's access page: delegation -------------------------------------------------------------


def test_owner_delegates_and_ends(
    client: Client, employer: Employer, owner: User, mailbox: Mailbox
) -> None:
    sign_in(client, owner)
    page = client.get(f"/en/accounts/employers/{employer.pk}/access/")
    assert page.status_code == 200 and owner.email in _text(page)
    bad = client.post(f"/en/accounts/employers/{employer.pk}/access/invite/", {"email": "x@"})
    assert bad.status_code == 400 and "E-mail address: is not a valid e-mail address" in _text(bad)
    ok = client.post(
        f"/en/accounts/employers/{employer.pk}/access/invite/", {"email": "compta@x.example"}
    )
    assert ok.status_code == 302
    membership = EmployerMembership.objects.get(role=Role.ACCOUNTANT)
    accountant = membership.user
    assert len(mailbox.messages) == 1
    # the accountant activates, enrols and signs in
    accountant.set_password(PASSWORD)
    accountant.totp_secret = pyotp.random_base32()
    accountant.totp_confirmed_at = timezone.now()
    accountant.save()
    other = Client()
    sign_in(other, accountant)
    assert "Atlas Industries" in _text(other.get("/en/accounts/"))
    assert (
        other.get(f"/en/accounts/employers/{employer.pk}/access/").status_code == 404
    )  # owners only
    ended = client.post(f"/en/accounts/employers/{employer.pk}/access/{membership.pk}/end/")
    assert ended.status_code == 302
    assert "Atlas Industries" not in _text(other.get("/en/accounts/"))  # at once, same session


def test_employer_a_cannot_reach_employer_b(
    client: Client, employer: Employer, owner: User, employer_b: Employer, owner_b: User
) -> None:
    sign_in(client, owner)
    membership_b = EmployerMembership.objects.get(user=owner_b)
    for response in (
        client.get(f"/en/accounts/employers/{employer_b.pk}/access/"),
        client.post(
            f"/en/accounts/employers/{employer_b.pk}/access/invite/", {"email": "a@b.example"}
        ),
        client.post(f"/en/accounts/employers/{employer_b.pk}/access/{membership_b.pk}/end/"),
        client.post(f"/en/accounts/employers/{employer.pk}/access/{membership_b.pk}/end/"),
        client.get("/en/accounts/employers/999999/access/"),
    ):
        assert response.status_code == 404
    assert EmployerMembership.objects.filter(ended_at__isnull=True).count() == 2
    assert not User.objects.filter(email="a@b.example").exists()


def test_employer_pages_ask_to_sign_in(client: Client, employer: Employer) -> None:
    response = client.get(f"/en/accounts/employers/{employer.pk}/access/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_decorators(employer: Employer, owner: User, owner_b: User, staff: User) -> None:
    @employer_required
    def view(request: HttpRequest, employer: Employer) -> HttpResponse:
        return HttpResponse(employer.name_latin)

    @staff_required
    def staff_view(request: HttpRequest, staff: StaffProfile) -> HttpResponse:
        return HttpResponse(staff.agency.code)

    request = RequestFactory().get("/")
    request.user = owner
    assert _text(view(request, employer_id=employer.pk)) == "Atlas Industries"
    request.user = owner_b
    with pytest.raises(Exception, match="no such employer"):
        view(request, employer_id=employer.pk)
    with pytest.raises(Exception, match="not agency staff"):
        staff_view(request)
    request.user = staff
    assert _text(staff_view(request)) == "1601"


# --- the agency's queue --------------------------------------------------------------------------


def test_queue_approve_and_reject(
    client: Client, employer: Employer, staff: User, mailbox: Mailbox
) -> None:
    signup = services.signup_request_submit(**_signup_data(employer))
    sign_in(client, staff)
    page = client.get("/en/accounts/agency/signups/")
    assert page.status_code == 200 and "amina@atlas.example" in _text(page)
    bad = client.post(f"/en/accounts/agency/signups/{signup.pk}/reject/", {"reason": ""})
    assert bad.status_code == 400 and "Reason for refusal: is required" in _text(bad)
    assert client.post(f"/en/accounts/agency/signups/{signup.pk}/approve/").status_code == 302
    signup.refresh_from_db()
    assert signup.status == SignupStatus.APPROVED
    assert "/fr/accounts/activate/" in Mailbox.body(mailbox.messages[0])
    again = client.post(f"/en/accounts/agency/signups/{signup.pk}/approve/")
    assert (
        again.status_code == 400
        and "Sign-up request: this request has already been decided" in _text(again)
    )


def test_staff_of_agency_y_cannot_see_or_decide_agency_x(
    client: Client, employer: Employer, staff_y: User, owner_b: User
) -> None:
    signup = services.signup_request_submit(**_signup_data(employer))
    sign_in(client, staff_y)
    page = client.get("/en/accounts/agency/signups/")
    assert page.status_code == 200 and "amina@atlas.example" not in _text(page)
    assert client.post(f"/en/accounts/agency/signups/{signup.pk}/approve/").status_code == 404
    assert (
        client.post(f"/en/accounts/agency/signups/{signup.pk}/reject/", {"reason": "x"}).status_code
        == 404
    )
    signup.refresh_from_db()
    assert signup.status == SignupStatus.PENDING
    employer_user = Client()
    sign_in(employer_user, owner_b)
    assert employer_user.get("/en/accounts/agency/signups/").status_code == 404


def test_queue_query_count_does_not_grow(
    client: Client, agency: Any, staff: User, django_assert_max_num_queries: Any
) -> None:
    from tests.registry.factories import employer_for

    for serial in range(10, 30):
        employer = employer_for(agency, serial=serial, legal_identifier=f"0000000000{serial:05d}")
        services.signup_request_submit(**_signup_data(employer, email=f"e{serial}@x.example"))
    sign_in(client, staff)
    # session, user, staff profile, pending list, decided list, the header's unread messages
    with django_assert_max_num_queries(6):
        response = client.get("/en/accounts/agency/signups/")
    assert _text(response).count("/approve/") == 20


# --- CSRF on every POST --------------------------------------------------------------------------


def test_csrf_enforced(employer: Employer, owner: User, staff: User) -> None:
    csrf = Client(enforce_csrf_checks=True)
    for path, data in (
        ("/en/accounts/login/", {"email": owner.email, "password": PASSWORD}),
        ("/en/accounts/signup/", _signup_data(employer)),
        ("/en/accounts/password/reset/", {"email": owner.email}),
        ("/en/accounts/activate/x/", {"password": PASSWORD, "password_again": PASSWORD}),
    ):
        assert csrf.post(path, data).status_code == 403, path
    assert not SignupRequest.objects.exists()
    # signed in (with a valid session), a POST without the token is still refused
    signed = Client(enforce_csrf_checks=True)
    signed.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    for path in (
        "/en/accounts/logout/",
        f"/en/accounts/employers/{employer.pk}/access/invite/",
        f"/en/accounts/employers/{employer.pk}/access/1/end/",
        "/en/accounts/login/verify/",
        "/en/accounts/login/enrol/",
    ):
        assert signed.post(path, {"email": "a@b.example", "code": "123456"}).status_code == 403, (
            path
        )
    staff_client = Client(enforce_csrf_checks=True)
    staff_client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert staff_client.post("/en/accounts/agency/signups/1/approve/").status_code == 403
    assert (
        staff_client.post("/en/accounts/agency/signups/1/reject/", {"reason": "x"}).status_code
        == 403
    )
    assert not User.objects.filter(email="a@b.example").exists()
