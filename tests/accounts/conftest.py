from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pyotp
import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, StaffRole, User
from tadamun.registry.models import Agency, Employer
from tests.registry.factories import agency_for, employer_for

PASSWORD = "Correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _algeria(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = "dz-cnas"


class Mailbox:
    """Collects what the SMTP server received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        content = part.get_content()
        assert isinstance(content, str)
        return content


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def mailbox(settings: SettingsWrapper) -> Iterator[Mailbox]:
    """A real SMTP server on loopback (aiosmtpd); Django sends to it over SMTP."""
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def agency_y(db: None) -> Agency:
    return agency_for("dz-cnas", code="3101")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency, serial=1, legal_identifier="000000000002001")


@pytest.fixture
def employer_b(agency_y: Agency) -> Employer:
    return employer_for(
        agency_y, serial=2, name_latin="Boulangerie Essalam", legal_identifier="000000000002002"
    )


def make_user(email: str, *, totp: bool = True, password: str = PASSWORD) -> User:
    user = User.objects.create_user(email=email, password=password)
    if totp:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = timezone.now()
        user.save()
    return user


@pytest.fixture
def owner(employer: Employer) -> User:
    user = make_user("owner@atlas.example")
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    return user


@pytest.fixture
def owner_b(employer_b: Employer) -> User:
    user = make_user("owner@essalam.example")
    EmployerMembership.objects.create(
        user=user, employer=employer_b, role=Role.OWNER, granted_at=timezone.now()
    )
    return user


@pytest.fixture
def staff(agency: Agency) -> User:
    user = make_user("agent@cnas.example")
    StaffProfile.objects.create(user=user, agency=agency, role=StaffRole.AGENT)
    return user


@pytest.fixture
def staff_y(agency_y: Agency) -> User:
    user = make_user("agent.oran@cnas.example")
    StaffProfile.objects.create(user=user, agency=agency_y, role=StaffRole.AGENT)
    return user


def sign_in(client: Client, user: User, password: str = PASSWORD) -> None:
    """Both factors through the pages, as a person would."""
    response = client.post("/en/accounts/login/", {"email": user.email, "password": password})
    assert response.status_code == 302, response.content
    assert response["Location"] == "/en/accounts/login/verify/"
    code = pyotp.TOTP(user.totp_secret).now()
    response = client.post("/en/accounts/login/verify/", {"code": code})
    assert response.status_code == 302, response.content


@pytest.fixture
def signed_in() -> Callable[[Client, User], None]:
    return sign_in
