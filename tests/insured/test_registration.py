"""Self-registration: number + birth date + e-mail → code by real SMTP → password. The answer
is the same whether or not the details match; codes are hashed, short-lived, limited; attempts
are throttled and logged."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.errors import InvalidInput
from tadamun.funds import get_fund
from tadamun.insured import services
from tadamun.insured.models import EmailChallenge
from tadamun.registry.models import InsuredPerson
from tests.support.mail import Mailbox
from tests.support.people import PASSWORD, make_user

# Real commits: the code is mailed by a job queued after the request's commit (run inline here).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _jobs_inline(settings: SettingsWrapper) -> None:
    settings.TADAMUN_JOBS = "inline"


BIRTH = "1990-04-12"


def code_of(mailbox: Mailbox) -> str:
    found = re.search(r"\b(\d{6})\b", Mailbox.body(mailbox.messages[-1]))
    assert found is not None
    return found.group(1)


def start(client: Client, number: str, birth: str = BIRTH, email: str = "amina@example.dz"):  # type: ignore[no-untyped-def]
    return client.post(
        "/en/insured/register/", {"number": number, "birth_date": birth, "email": email}
    )


def test_the_whole_registration(client: Client, person: InsuredPerson, mailbox: Mailbox) -> None:
    response = start(client, person.ssn)
    assert response.status_code == 302
    assert response["Location"] == "/en/insured/register/code/"
    assert len(mailbox.messages) == 1
    assert mailbox.recipients[0] == ["amina@example.dz"]
    body = Mailbox.body(mailbox.messages[0])
    assert person.ssn not in body  # masked
    assert person.ssn[-3:] in body
    code = code_of(mailbox)
    challenge = EmailChallenge.objects.get()
    assert code not in challenge.code_hash  # only a keyed hash is kept
    response = client.post("/en/insured/register/code/", {"code": code})
    assert response.status_code == 302
    response = client.post(
        "/en/insured/register/password/", {"password": PASSWORD, "password_again": PASSWORD}
    )
    assert response.status_code == 200
    assert b"/en/accounts/login/?next=%2Fen%2Finsured%2F" in response.content
    user = User.objects.get(email="amina@example.dz")
    assert user.insured == person
    assert identify_hasher(user.password).algorithm == "argon2"
    # Sign-in then asks for the second factor enrolment (accounts' own pages).
    response = client.post("/en/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert response["Location"] == "/en/accounts/login/enrol/"


@pytest.mark.parametrize(
    "number_of",
    [
        lambda p: p.ssn,  # right number, wrong birth date (below)
        lambda p: "000000099911",  # a well-formed number nobody holds
    ],
)
def test_unknown_details_get_the_same_answer_and_no_mail(
    client: Client, person: InsuredPerson, mailbox: Mailbox, number_of: object
) -> None:
    known = start(Client(), person.ssn)
    number = number_of(person)  # type: ignore[operator]
    unknown = start(client, number, birth="1991-01-01")
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    page_known = Client()
    # Both next pages say the same thing.
    page = client.get("/en/insured/register/code/")
    assert b"If the details match a registered person, a code has been sent" in page.content
    assert len(mailbox.messages) == 1  # only the matching one
    # No code opens the unmatched challenge: the answer is a wrong code, as for any wrong code.
    response = client.post("/en/insured/register/code/", {"code": "123456"})
    assert response.status_code == 400
    assert b"the code is wrong or has expired" in response.content
    del page_known


def test_a_person_who_already_has_an_account_is_told_by_mail_only(
    client: Client, person: InsuredPerson, mailbox: Mailbox
) -> None:
    user = make_user("amina@example.dz")
    user.insured = person
    user.save()
    response = start(client, person.ssn, email="other@example.dz")
    assert response.status_code == 302
    assert len(mailbox.messages) == 1
    assert "already" in mailbox.messages[0]["Subject"]
    assert not re.search(r"\b\d{6}\b", Mailbox.body(mailbox.messages[0]))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"number": "", "birth_date": BIRTH, "email": "a@example.dz"}, "number", "is required"),
        (
            {"number": "12345", "birth_date": BIRTH, "email": "a@example.dz"},
            "number",
            "must have 12",
        ),
        ({"number": "abc", "birth_date": BIRTH, "email": "a@example.dz"}, "number", "digits only"),
        ({"number": "KEY", "birth_date": BIRTH, "email": "a@example.dz"}, "number", "check key"),
        ({"number": "OK", "birth_date": "", "email": "a@example.dz"}, "birth_date", "is required"),
        (
            {"number": "OK", "birth_date": "12/04/1990", "email": "a@example.dz"},
            "birth_date",
            "not a valid date",
        ),
        (
            {"number": "OK", "birth_date": "2999-01-01", "email": "a@example.dz"},
            "birth_date",
            "future",
        ),
        (
            {"number": "OK", "birth_date": "1850-01-01", "email": "a@example.dz"},
            "birth_date",
            "plausible",
        ),
        ({"number": "OK", "birth_date": BIRTH, "email": ""}, "email", "is required"),
        (
            {"number": "OK", "birth_date": BIRTH, "email": "not-an-email"},
            "email",
            "not a valid e-mail",
        ),
        (
            {"number": "OK", "birth_date": BIRTH, "email": "a" * 250 + "@x.dz"},
            "email",
            "must not exceed",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client: Client,
    person: InsuredPerson,
    mailbox: Mailbox,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    values = dict(data)
    if values["number"] == "OK":
        values["number"] = person.ssn
    elif values["number"] == "KEY":
        values["number"] = person.ssn[:-1] + str((int(person.ssn[-1]) + 1) % 10)
    response = client.post("/en/insured/register/", values)
    assert response.status_code == 400
    assert message.encode() in response.content
    assert f'id="{field}-errors"'.encode() in response.content
    assert EmailChallenge.objects.count() == 0
    assert mailbox.messages == []


def test_registration_is_throttled_per_number_and_logged(
    client: Client, person: InsuredPerson, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    for i in range(services.PER_NUMBER_PER_WINDOW):
        assert (
            start(Client(REMOTE_ADDR=f"10.0.0.{i + 1}"), person.ssn, birth="1970-01-01").status_code
            == 302
        )
    with caplog.at_level(logging.WARNING, logger="tadamun.insured.services"):
        response = start(client, person.ssn)
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert mailbox.messages == []
    assert any("throttled" in r.getMessage() for r in caplog.records)
    assert all(person.ssn not in r.getMessage() for r in caplog.records)


def test_registration_is_throttled_per_address(person: InsuredPerson, mailbox: Mailbox) -> None:
    """Ten attempts from one address within the hour, each for a different number: the
    eleventh is refused whatever its number."""
    issue = get_fund("dz-cnas").insured_number.issue
    assert issue is not None
    for serial in range(services.PER_IP_PER_WINDOW):
        services.registration_start(
            number=issue(5_000 + serial), birth_date=BIRTH, email="x@example.dz", ip="10.1.1.1"
        )
    with pytest.raises(services.RegistrationThrottled):
        services.registration_start(
            number=person.ssn, birth_date=BIRTH, email="x@example.dz", ip="10.1.1.1"
        )
    # Another address is not held back.
    services.registration_start(
        number=person.ssn, birth_date=BIRTH, email="x@example.dz", ip="10.1.1.2"
    )
    assert len(mailbox.messages) == 1


def test_a_code_has_five_attempts_then_is_spent(person: InsuredPerson, mailbox: Mailbox) -> None:
    started = services.registration_start(number=person.ssn, birth_date=BIRTH, email="a@example.dz")
    code = code_of(mailbox)
    for _ in range(services.CODE_ATTEMPTS - 1):
        with pytest.raises(InvalidInput) as wrong:
            services.registration_verify(
                challenge_id=started.challenge.pk, code="000000" if code != "000000" else "111111"
            )
        assert wrong.value.problems[0].code == "wrong_code"
    with pytest.raises(InvalidInput) as last:
        services.registration_verify(
            challenge_id=started.challenge.pk, code="999999" if code != "999999" else "888888"
        )
    assert last.value.problems[0].code == "too_many_attempts"
    with pytest.raises(InvalidInput):
        services.registration_verify(challenge_id=started.challenge.pk, code=code)


def test_a_code_expires(person: InsuredPerson, mailbox: Mailbox) -> None:
    then = timezone.now()  # the mail job runs now: a challenge made in the past gets no code
    started = services.registration_start(
        number=person.ssn, birth_date=BIRTH, email="a@example.dz", now=then
    )
    with pytest.raises(InvalidInput):
        services.registration_verify(
            challenge_id=started.challenge.pk,
            code=code_of(mailbox),
            now=then + services.CODE_VALIDITY + dt.timedelta(seconds=1),
        )


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("", "", "is required"),
        (PASSWORD, PASSWORD + "x", "the two entries differ"),
        ("short", "short", "too short"),
        ("12345678901", "12345678901", "entirely numeric"),
    ],
)
def test_bad_passwords_are_refused(
    client: Client, person: InsuredPerson, mailbox: Mailbox, password: str, again: str, message: str
) -> None:
    start(client, person.ssn)
    client.post("/en/insured/register/code/", {"code": code_of(mailbox)})
    response = client.post(
        "/en/insured/register/password/", {"password": password, "password_again": again}
    )
    assert response.status_code == 400
    assert message.encode() in response.content
    assert not User.objects.filter(email="amina@example.dz").exists()


def test_steps_out_of_order_go_back_to_the_start(client: Client) -> None:
    assert client.get("/en/insured/register/code/")["Location"] == "/en/insured/register/"
    assert client.get("/en/insured/register/password/")["Location"] == "/en/insured/register/"
    response = client.post("/en/insured/register/password/", {"password": PASSWORD})
    assert response["Location"] == "/en/insured/register/"


def test_an_existing_account_with_that_address_is_linked(
    client: Client, person: InsuredPerson, mailbox: Mailbox
) -> None:
    owner = make_user("amina@example.dz")
    start(client, person.ssn)
    client.post("/en/insured/register/code/", {"code": code_of(mailbox)})
    response = client.post(
        "/en/insured/register/password/", {"password": "ignored-Pass-123", "password_again": "x"}
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.insured == person
    assert owner.check_password(PASSWORD)


def test_pages_in_french_and_arabic(client: Client) -> None:
    fr = client.get("/fr/insured/register/")
    ar = client.get("/ar/insured/register/")
    assert "Ouvrir mon compte d'assuré".encode() in fr.content
    assert b'dir="rtl"' in ar.content
    assert "فتح حسابي كمؤمَّن له".encode() in ar.content


def test_the_mail_job_draws_the_code_and_skips_what_it_must(
    person: InsuredPerson, mailbox: Mailbox
) -> None:
    """The request only queues the job; the code is drawn by the job (never in the broker's
    message), a second run mails a new code that replaces the first, and an expired challenge
    or one that matched nobody gets nothing."""
    started = services.registration_start(number=person.ssn, birth_date=BIRTH, email="a@example.dz")
    first = code_of(mailbox)
    assert services.registration_mail(challenge_id=started.challenge.pk, mail=services.MAIL_CODE)
    second = code_of(mailbox)
    assert len(mailbox.messages) == 2
    if first != second:
        with pytest.raises(InvalidInput):
            services.registration_verify(challenge_id=started.challenge.pk, code=first)
    services.registration_verify(challenge_id=started.challenge.pk, code=second)
    # Verified: a late redelivery sends nothing more.
    assert not services.registration_mail(
        challenge_id=started.challenge.pk, mail=services.MAIL_CODE
    )
    later = timezone.now() + services.CODE_VALIDITY + dt.timedelta(seconds=1)
    other = services.registration_start(number=person.ssn, birth_date=BIRTH, email="b@example.dz")
    assert not services.registration_mail(
        challenge_id=other.challenge.pk, mail=services.MAIL_CODE, now=later
    )
    assert not services.registration_mail(challenge_id=other.challenge.pk, mail=services.MAIL_NONE)
    assert not services.registration_mail(challenge_id=10**9, mail=services.MAIL_CODE)
