"""The person's page: career statement, contributions split, family, rights — their own record
only, by any route; fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tadamun.accounts.models import User
from tadamun.insured import selectors, services
from tadamun.insured.models import RightsStatus
from tadamun.registry.models import Employer, InsuredPerson
from tests.insured.conftest import EARLIER, MONTHS, TODAY, VALID_UNTIL
from tests.insured.factories import declare
from tests.support.people import make_user, sign_in

pytestmark = pytest.mark.django_db


def account_for(person: InsuredPerson, email: str) -> User:
    user = make_user(email)
    user.insured = person
    user.save()
    return user


@pytest.fixture
def signed_in(client: Client, declared: InsuredPerson) -> Client:
    sign_in(client, account_for(declared, "amina@example.dz"))
    return client


def test_career_statement_splits_each_period(declared: InsuredPerson) -> None:
    statement = selectors.career_statement(insured=declared)
    assert len(statement.rows) == 12
    first = statement.rows[0]
    assert first.period_label == MONTHS[0] and first.days == 22 and first.wage == 4_500_000
    # dz-cnas: employee 9 % (1.5 + 6.75 + 0.5 + 0.25), employer 25 % + 0.5 % social works.
    assert first.person_share == 405_000
    assert first.employer_share == 1_147_500
    assert first.person_share + first.employer_share == first.contribution
    assert statement.total_days == 12 * 22
    assert len(statement.by_period) == 12
    assert statement.by_period[0].total == first.contribution


def test_career_statement_costs_two_queries_whatever_its_length(
    declared: InsuredPerson, employer: Employer
) -> None:
    with CaptureQueriesContext(connection) as queries:
        selectors.career_statement(insured=declared)
    assert len(queries) == 2


def test_rights_from_declared_days(declared: InsuredPerson) -> None:
    decision = selectors.rights_decision(insured=declared, on=TODAY)
    assert decision.covered
    assert decision.valid_until == VALID_UNTIL


def test_the_page_shows_career_contributions_family_and_rights(
    signed_in: Client, declared: InsuredPerson
) -> None:
    services.family_member_add(
        insured=declared,
        relation="child",
        surname_latin="Benali",
        first_names_latin="Yacine",
        birth_date=dt.date(2015, 3, 1),
    )
    response = signed_in.get("/en/insured/")
    assert response.status_code == 302
    assert response["Location"] == f"/en/insured/{declared.pk}/"
    page = signed_in.get(response["Location"]).content.decode()
    assert "Career statement" in page and "Atlas Industries" in page
    assert MONTHS[-1] in page
    assert "Covered" in page
    assert "Yacine" in page
    assert declared.ssn not in page  # masked
    assert "Contributions paid for me" in page


def test_the_page_in_arabic_and_french(signed_in: Client, declared: InsuredPerson) -> None:
    ar = signed_in.get(f"/ar/insured/{declared.pk}/").content.decode()
    assert 'dir="rtl"' in ar and "كشف المسار المهني" in ar
    fr = signed_in.get(f"/fr/insured/{declared.pk}/").content.decode()
    assert "Relevé de carrière" in fr


def test_page_query_count_does_not_grow_with_the_career(
    signed_in: Client, declared: InsuredPerson, employer: Employer
) -> None:
    url = f"/en/insured/{declared.pk}/"
    with CaptureQueriesContext(connection) as before:
        signed_in.get(url)
    declare(employer, [declared], EARLIER)
    with CaptureQueriesContext(connection) as after:
        signed_in.get(url)
    assert len(before) == len(after) <= 10


def test_nobody_sees_another_persons_record(
    client: Client, declared: InsuredPerson, other_person: InsuredPerson
) -> None:
    sign_in(client, account_for(other_person, "karim@example.dz"))
    assert client.get(f"/en/insured/{declared.pk}/").status_code == 404
    assert client.get(f"/en/insured/{other_person.pk}/").status_code == 200
    assert client.get("/en/insured/999999/").status_code == 404


def test_an_employer_user_or_staff_has_no_insured_page(
    client: Client, declared: InsuredPerson
) -> None:
    sign_in(client, make_user("owner2@example.dz"))
    assert client.get("/en/insured/").status_code == 404
    assert client.get(f"/en/insured/{declared.pk}/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, declared: InsuredPerson) -> None:
    response = client.get(f"/en/insured/{declared.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_rights_refresh_stores_the_decision_and_the_card(declared: InsuredPerson) -> None:
    card = services.care_card_issue(insured=declared)
    assert services.rights_refresh(insured_ids=[declared.pk], on=TODAY) == 1
    status = RightsStatus.objects.get(insured=declared)
    assert status.covered and status.card_number == card.number
    assert status.valid_until == VALID_UNTIL
    again = services.care_card_issue(insured=declared)
    status.refresh_from_db()
    assert status.card_number == again.number != card.number


def test_family_member_bad_input_names_each_field(person: InsuredPerson) -> None:
    from tadamun.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        services.family_member_add(
            insured=person,
            relation="cousin",
            surname_latin="",
            first_names_latin=" ",
            birth_date=dt.date(2999, 1, 1),
        )
    assert set(refused.value.fields) == {
        "relation",
        "surname_latin",
        "first_names_latin",
        "birth_date",
    }


def test_the_refresh_command_stores_everyones_rights(
    declared: InsuredPerson, other_person: InsuredPerson
) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("refresh_rights", "--chunk", "1", stdout=out)
    assert "2 insured persons" in out.getvalue()
    assert RightsStatus.objects.get(insured=declared).covered
    assert not RightsStatus.objects.get(insured=other_person).covered


def test_the_account_page_links_to_the_record(client: Client, declared: InsuredPerson) -> None:
    sign_in(client, account_for(declared, "amina@example.dz"))
    page = client.get("/fr/accounts/").content.decode()
    assert 'href="/fr/insured/"' in page and "Mon dossier d'assuré" in page
