"""People for tests: users with a confirmed second factor, signed in through the real pages."""

from __future__ import annotations

import pyotp
from django.test import Client
from django.utils import timezone

from tadamun.accounts.models import User

PASSWORD = "Correct-horse-battery-9"


def make_user(email: str, *, totp: bool = True, password: str = PASSWORD) -> User:
    user = User.objects.create_user(email=email, password=password)
    if totp:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = timezone.now()
        user.save()
    return user


def sign_in(client: Client, user: User, password: str = PASSWORD) -> None:
    """Both factors through the pages, as a person would."""
    response = client.post("/en/accounts/login/", {"email": user.email, "password": password})
    assert response.status_code == 302, response.content
    assert response["Location"] == "/en/accounts/login/verify/"
    code = pyotp.TOTP(user.totp_secret).now()
    response = client.post("/en/accounts/login/verify/", {"code": code})
    assert response.status_code == 302, response.content
