"""Registry writes: valid input is stored; every bad field is named and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tadamun.errors import InvalidInput
from tadamun.funds import FUNDS, get_fund
from tadamun.registry import services
from tadamun.registry.models import Agency, Employer, Employment, InsuredPerson
from tests.registry.factories import agency_for, employer_for, person_fields

pytestmark = pytest.mark.django_db

MakePerson = Callable[..., InsuredPerson]


def _counts() -> tuple[int, int, int, int]:
    return (
        Agency.objects.count(),
        Employer.objects.count(),
        InsuredPerson.objects.count(),
        Employment.objects.count(),
    )


@contextmanager
def refused(*expected: tuple[str, str]) -> Iterator[None]:
    """The block raises InvalidInput with exactly these (field, code) problems, writing nothing."""
    before = _counts()
    with pytest.raises(InvalidInput) as info:
        yield
    got = [(p.field, p.code) for p in info.value.problems]
    assert got == list(expected)
    for p in info.value.problems:
        assert all(p.message(lang) for lang in ("fr", "ar", "en"))
    assert _counts() == before


# --- agencies -------------------------------------------------------------------------------------


def test_agency_create() -> None:
    agency = agency_for("dz-cnas", code="3101")
    assert (agency.fund, agency.code, agency.name_ar) == ("dz-cnas", "3101", "الجزائر الوسطى")


def test_agency_refusals(agency: Agency) -> None:
    with refused(("code", "duplicate")):
        agency_for("dz-cnas", code="1601")
    agency_for("ma-cnss", code="1601")  # the same code in another fund is another agency
    with refused(("code", "bad_format"), ("name_ar", "not_arabic"), ("name_en", "required")):
        services.agency_create(
            code="16/01", name_fr="Alger", name_ar="Alger", name_en="", fund="dz-cnas"
        )
    with refused(("name_fr", "too_long")):
        services.agency_create(
            code="9", name_fr="A" * 121, name_ar="وهران", name_en="Oran", fund="dz-cnas"
        )


# --- employers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fund", sorted(FUNDS))
def test_employer_create_in_each_fund(fund: str) -> None:
    employer = employer_for(agency_for(fund), serial=12)
    profile = get_fund(fund)
    assert employer.fund == fund
    assert employer.affiliate_number == profile.employer_number.issue(12)  # type: ignore[misc]
    assert employer.declaration_periodicity == profile.default_periodicity.value


@pytest.mark.parametrize(
    ("fund", "legal"),
    [("dz-cnas", "408 020 000 150 039"), ("ma-cnss", "001561191000066"), ("tn-cnss", "1282182W")],
)
def test_employer_legal_identifier_normalised(fund: str, legal: str) -> None:
    employer = employer_for(agency_for(fund), legal_identifier=legal)
    assert employer.legal_identifier == legal.replace(" ", "").replace("W", "W")
    Employer.objects.get(pk=employer.pk)


def test_employer_wrong_key(agency: Agency) -> None:
    good = get_fund("dz-cnas").employer_number.issue(5)  # type: ignore[misc]
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with refused(("affiliate_number", "bad_key")):
        employer_for(agency, affiliate_number=bad)


def test_employer_every_field_refused_at_once(agency: Agency) -> None:
    ma_agency = agency_for("ma-cnss", code="01")
    with refused(
        ("affiliate_number", "not_digits"),
        ("legal_identifier", "bad_format"),
        ("name_latin", "not_latin"),
        ("name_arabic", "not_arabic"),
        ("agency", "other_fund"),
        ("activity_class", "not_a_choice"),
        ("declaration_periodicity", "not_a_choice"),
    ):
        services.employer_create(
            affiliate_number="ABC",
            legal_identifier="12345",
            name_latin="أطلس",
            name_arabic="Atlas",
            agency=ma_agency,
            activity_class="Z9",
            declaration_periodicity="weekly",
            fund="dz-cnas",
        )


def test_employer_required_fields(agency: Agency) -> None:
    with refused(("affiliate_number", "required"), ("name_latin", "required")):
        employer_for(agency, affiliate_number="", name_latin="  ")


def test_employer_name_too_long(agency: Agency) -> None:
    with refused(("name_latin", "too_long")):
        employer_for(agency, name_latin="A" * 201)


def test_employer_duplicate_number(employer: Employer, agency: Agency) -> None:
    with refused(("affiliate_number", "duplicate")):
        employer_for(agency)


def test_tunisia_work_accident_class_is_required() -> None:
    tn = agency_for("tn-cnss", code="11")
    classes = get_fund("tn-cnss").activity_classes()
    if not classes:
        pytest.skip("the Tunisian pack has no work-accident classes")
    with refused(("activity_class", "required")):
        employer_for(tn, activity_class="")
    assert employer_for(tn, activity_class=classes[-1]).activity_class == classes[-1]


def test_employer_periodicity_must_be_the_funds(agency: Agency) -> None:
    tn = agency_for("tn-cnss", code="11")
    with refused(("declaration_periodicity", "not_a_choice")):
        employer_for(tn, declaration_periodicity="monthly")
    assert employer_for(agency, declaration_periodicity="quarterly").declaration_periodicity == (
        "quarterly"
    )


# --- insured persons ------------------------------------------------------------------------------


def test_insured_person_create(make_person: MakePerson) -> None:
    person = make_person(national_id="1" * 18, surname_latin="  Ben   Ali ")
    stored = InsuredPerson.objects.get(pk=person.pk)
    assert stored.surname_latin == "Ben Ali"
    assert stored.national_id == "1" * 18
    assert stored.birth_date == dt.date(1990, 4, 12)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"ssn": "000000000197"}, [("ssn", "bad_key")]),
        ({"ssn": "12345"}, [("ssn", "wrong_length")]),
        ({"national_id": "12AB"}, [("national_id", "not_digits")]),
        ({"surname_latin": "Ben4li"}, [("surname_latin", "not_latin")]),
        ({"first_names_latin": ""}, [("first_names_latin", "required")]),
        ({"surname_arabic": "Benali"}, [("surname_arabic", "not_arabic")]),
        ({"first_names_arabic": "Amina"}, [("first_names_arabic", "not_arabic")]),
        ({"birth_date": "1990-02-30"}, [("birth_date", "not_a_date")]),
        ({"birth_date": dt.date(1850, 1, 1)}, [("birth_date", "implausible_date")]),
        ({"birth_date": None}, [("birth_date", "required")]),
        ({"sex": "X"}, [("sex", "not_a_choice")]),
        ({"sex": ""}, [("sex", "required")]),
    ],
)
def test_insured_person_refusals(
    overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    with refused(*expected):
        services.insured_person_create(**person_fields(**overrides))


def test_birth_date_in_the_future_is_refused() -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with refused(("birth_date", "implausible_date")):
        services.insured_person_create(**person_fields(birth_date=tomorrow))


def test_arabic_names_are_optional() -> None:
    person = services.insured_person_create(
        **person_fields(surname_arabic="", first_names_arabic="")
    )
    assert person.surname_arabic == ""


def test_duplicate_ssn(person: InsuredPerson) -> None:
    with refused(("ssn", "duplicate")):
        services.insured_person_create(**person_fields())


def test_message_in_each_language_names_the_field() -> None:
    with pytest.raises(InvalidInput) as info:
        services.insured_person_create(**person_fields(sex="X"))
    problem = info.value.problems[0]
    assert problem.message("fr").startswith("Sexe : « X » n'est pas une valeur admise")
    assert problem.message("ar").startswith("الجنس: «X» ليست قيمة مقبولة")
    assert problem.message("en").startswith("Sex: “X” is not an allowed value")


@pytest.mark.parametrize("fund", sorted(FUNDS))
def test_insured_person_in_each_fund(fund: str) -> None:
    national = {
        "dz-cnas": "1" * 18,
        "dz-casnos": "1" * 18,
        "ma-cnss": "BK123456",
        "tn-cnss": "01234567",
    }[fund]
    person = services.insured_person_create(**person_fields(fund, national_id=national))
    assert person.fund == fund
    with refused(("national_id", "bad_format" if fund == "ma-cnss" else "wrong_length")):
        services.insured_person_create(**person_fields(fund, serial=2, national_id="123"))


def test_bulk_create() -> None:
    people = [
        services.NewInsuredPerson(
            **{k: v for k, v in person_fields(serial=n).items() if k != "fund"}
        )
        for n in range(1, 51)
    ]
    created = services.insured_person_bulk_create(people=people, fund="dz-cnas", batch_size=20)
    assert len(created) == 50
    assert InsuredPerson.objects.count() == 50


def _new(serial: int, **overrides: Any) -> services.NewInsuredPerson:
    fields = {k: v for k, v in person_fields(serial=serial, **overrides).items() if k != "fund"}
    return services.NewInsuredPerson(**fields)


def test_bulk_create_names_the_row_and_writes_nothing(person: InsuredPerson) -> None:
    with refused(
        ("[1].birth_date", "not_a_date"),
        ("[2].ssn", "duplicate"),
        ("[0].ssn", "duplicate"),
    ):
        services.insured_person_bulk_create(
            people=[_new(1), _new(2, birth_date="yesterday"), _new(2)], fund="dz-cnas"
        )
    with pytest.raises(InvalidInput) as info:
        services.insured_person_bulk_create(people=[_new(3), _new(4, sex="?")], fund="dz-cnas")
    assert info.value.problems[0].message("fr").startswith("#2 — Sexe : ")


# --- employment links -----------------------------------------------------------------------------


def test_employment_create_and_end(employer: Employer, person: InsuredPerson) -> None:
    employment = services.employment_create(
        employer=employer, insured=person, start_date=dt.date(2020, 1, 6)
    )
    assert employment.end_date is None
    ended = services.employment_end(
        employment=employment, end_date="2024-06-30", end_reason="resignation"
    )
    assert (ended.end_date, ended.end_reason) == (dt.date(2024, 6, 30), "resignation")
    # a new link after the first has ended is not an overlap
    services.employment_create(employer=employer, insured=person, start_date="2025-01-01")
    assert Employment.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "end", "reason", "expected"),
    [
        ("2020-01-06", "2019-12-31", "dismissal", [("end_date", "end_before_start")]),
        ("2020-01-06", "2021-01-01", "", [("end_reason", "required_with_end")]),
        ("2020-01-06", None, "death", [("end_reason", "only_with_end")]),
        ("2020-01-06", "2021-01-01", "fired", [("end_reason", "not_a_choice")]),
        ("1989-01-01", None, "", [("start_date", "before_birth")]),
        ("1995-01-01", None, "", [("start_date", "implausible_date")]),
        ("2999-01-01", None, "", [("start_date", "implausible_date")]),
        ("2020-13-01", None, "", [("start_date", "not_a_date")]),
        (None, None, "", [("start_date", "required")]),
    ],
)
def test_employment_refusals(
    employer: Employer,
    person: InsuredPerson,
    start: str | None,
    end: str | None,
    reason: str,
    expected: list[tuple[str, str]],
) -> None:
    with refused(*expected):
        services.employment_create(
            employer=employer, insured=person, start_date=start, end_date=end, end_reason=reason
        )


@pytest.mark.parametrize(
    ("start", "end"),
    [("2021-01-01", None), ("2019-01-01", "2020-01-06"), ("2022-05-01", "2022-06-01")],
)
def test_overlapping_employment_refused(
    employer: Employer, person: InsuredPerson, start: str, end: str | None
) -> None:
    services.employment_create(
        employer=employer,
        insured=person,
        start_date="2020-01-06",
        end_date="2023-12-31",
        end_reason="end_of_contract",
    )
    reason = "other" if end else ""
    with refused(("start_date", "overlapping")):
        services.employment_create(
            employer=employer, insured=person, start_date=start, end_date=end, end_reason=reason
        )


def test_same_person_may_work_for_two_employers(
    employer: Employer, agency: Agency, person: InsuredPerson
) -> None:
    other = employer_for(agency, serial=2)
    services.employment_create(employer=employer, insured=person, start_date="2020-01-06")
    services.employment_create(employer=other, insured=person, start_date="2020-01-06")
    assert person.employments.count() == 2


def test_employment_across_funds_refused(employer: Employer, make_person: MakePerson) -> None:
    moroccan = make_person("ma-cnss")
    with refused(("insured", "other_fund")):
        services.employment_create(employer=employer, insured=moroccan, start_date="2020-01-06")


def test_employment_end_refusals(employer: Employer, person: InsuredPerson) -> None:
    employment = services.employment_create(
        employer=employer, insured=person, start_date="2020-01-06"
    )
    with refused(("end_date", "end_before_start")):
        services.employment_end(employment=employment, end_date="2019-01-01", end_reason="other")
    with refused(("end_date", "required"), ("end_reason", "not_a_choice")):
        services.employment_end(employment=employment, end_date=None, end_reason="vacation")
    services.employment_end(employment=employment, end_date="2021-01-01", end_reason="other")
    with refused(("end_date", "already_ended")):
        services.employment_end(employment=employment, end_date="2022-01-01", end_reason="other")


def test_employment_bulk_create(employer: Employer) -> None:
    people = services.insured_person_bulk_create(
        people=[_new(n) for n in range(1, 11)], fund="dz-cnas"
    )
    hires = [services.NewEmployment(insured=p, start_date="2021-03-01") for p in people]
    assert services.employment_bulk_create(employer=employer, hires=hires, batch_size=4) == 10
    with refused(("[0].start_date", "overlapping")):
        services.employment_bulk_create(
            employer=employer, hires=[services.NewEmployment(people[0], "2022-01-01")]
        )
    second = employer_for(employer.agency, serial=3)
    with refused(("[1].start_date", "overlapping"), ("[2].end_reason", "required_with_end")):
        services.employment_bulk_create(
            employer=second,
            hires=[
                services.NewEmployment(people[0], "2022-01-01"),
                services.NewEmployment(people[0], "2022-06-01"),
                services.NewEmployment(people[1], "2022-01-01", "2022-02-01"),
            ],
        )


def test_database_refuses_an_end_before_the_start(
    employer: Employer, person: InsuredPerson
) -> None:
    """The constraint backs the service up, on SQLite and PostgreSQL alike."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.create(
            employer=employer,
            insured=person,
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2019, 1, 1),
            end_reason="other",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.create(
            employer=employer, insured=person, start_date=dt.date(2020, 1, 1), end_reason="other"
        )
