"""Employees immatriculated by their employer: numbers with keys, duplicates of each kind,
refusals that leave nothing behind, files accepted or refused whole, the agency's decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.affiliation import services
from tadamun.affiliation.models import (
    EmployeeImmatriculation,
    ImmatriculationFile,
    ImmatriculationStatus,
)
from tadamun.affiliation.services import EmployeeInput
from tadamun.dossiers.models import Dossier, DossierStatus
from tadamun.dossiers.services import dossier_decide
from tadamun.errors import InvalidInput
from tadamun.funds import get_fund
from tadamun.registry import services as registry
from tadamun.registry.identifiers import IdentifierError
from tadamun.registry.models import Employment, InsuredPerson
from tests.affiliation.conftest import Firm, _firm, employee, nin
from tests.registry.factories import person_fields

pytestmark = pytest.mark.django_db


def submit(firm: Firm, **overrides: Any) -> EmployeeImmatriculation:
    return services.immatriculation_submit(
        employer=firm.employer, data=EmployeeInput(**employee(**overrides)), user=firm.owner
    )


def counts() -> tuple[int, int, int, int]:
    return (
        InsuredPerson.objects.count(),
        Employment.objects.count(),
        EmployeeImmatriculation.objects.count(),
        Dossier.objects.count(),
    )


def test_a_new_person_gets_a_number_with_its_key_and_an_employment(firm: Firm) -> None:
    done = submit(firm)
    assert done.status == ImmatriculationStatus.REGISTERED
    assert done.insured is not None
    fund = get_fund("dz-cnas")
    assert fund.insured_number.validate(done.insured.ssn) == done.insured.ssn
    assert done.insured.national_id == nin(1)
    assert done.employment is not None and done.employment.employer == firm.employer
    assert done.dossier is not None and done.dossier.status == DossierStatus.APPROVED
    assert done.dossier.applicant == firm.owner
    assert not done.late
    # A changed key is refused by the same validator.
    ssn = done.insured.ssn
    wrong = ssn[:-1] + str((int(ssn[-1]) + 1) % 10)
    with pytest.raises(IdentifierError) as caught:
        fund.insured_number.validate(wrong)
    assert caught.value.code == "bad_key"


@pytest.mark.parametrize("fund", ["dz-cnas", "ma-cnss", "tn-cnss"])
def test_numbers_are_issued_per_fund_with_their_key(
    fund: str, settings: SettingsWrapper, db: None
) -> None:
    settings.TADAMUN_FUND = fund
    firm = _firm(fund, 21, f"owner@{fund}.example")
    national = {"dz-cnas": nin(7), "ma-cnss": "BK123456", "tn-cnss": "01234567"}[fund]
    first = submit(firm, national_id=national)
    second = submit(
        firm, national_id=national[:-1] + "9", surname_latin="Other", surname_arabic="آخر"
    )
    profile = get_fund(fund)
    for done in (first, second):
        assert done.insured is not None
        assert profile.insured_number.validate(done.insured.ssn) == done.insured.ssn
    assert first.insured is not None and second.insured is not None
    assert first.insured.ssn != second.insured.ssn


def test_a_number_already_taken_is_skipped(firm: Firm) -> None:
    fund = get_fund("dz-cnas")
    assert fund.insured_number.issue is not None
    offset = (fund.insured_number.max_serial + 1) * 9 // 10
    taken = registry.insured_person_create(
        **person_fields("dz-cnas", offset + 1, national_id=nin(99), birth_date=dt.date(1970, 1, 1))
    )
    done = submit(firm)
    assert done.insured is not None and done.insured.ssn != taken.ssn


def test_same_national_id_and_same_person_is_linked(firm: Firm) -> None:
    existing = registry.insured_person_create(
        **person_fields("dz-cnas", 5, national_id=nin(1), surname_latin="BENALI")
    )
    done = submit(firm, surname_latin="Benali ")
    assert done.status == ImmatriculationStatus.LINKED
    assert done.insured == existing
    assert InsuredPerson.objects.count() == 1
    assert done.employment is not None and done.employment.insured == existing


def test_same_national_id_of_another_person_is_refused_and_nothing_is_written(
    firm: Firm,
) -> None:
    registry.insured_person_create(
        **person_fields("dz-cnas", 5, national_id=nin(1), first_names_latin="Yacine")
        | {"first_names_arabic": "ياسين", "birth_date": dt.date(1970, 1, 1)}
    )
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        submit(firm)
    assert caught.value.fields == ("national_id",)
    assert caught.value.problems[0].code == "nin_other_person"
    message = caught.value.problems[0].message("fr")
    assert "•" in message and nin(1) not in message
    assert counts() == before


def test_a_person_already_employed_here_is_refused(firm: Firm) -> None:
    submit(firm)
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        submit(firm)
    assert caught.value.problems[0].code == "already_employed"
    assert counts() == before


@pytest.mark.parametrize(
    ("names", "label"),
    [
        ({"surname_latin": "BEN-ALI", "first_names_latin": "amina"}, "case and hyphen"),
        ({"surname_latin": "Bénali", "first_names_latin": "Âmina"}, "accents"),
        (
            {
                "surname_latin": "Benalli",
                "surname_arabic": "بنعلي",
                "first_names_arabic": "امينة",
            },
            "Arabic spacing and hamza",
        ),
    ],
)
def test_same_names_and_birth_date_go_to_the_agency(
    firm: Firm, names: dict[str, str], label: str
) -> None:
    registry.insured_person_create(
        **person_fields("dz-cnas", 5, national_id=nin(2), birth_date=dt.date(1990, 4, 12))
    )
    done = submit(firm, **names)
    assert done.status == ImmatriculationStatus.NEEDS_PERSON, label
    assert done.insured is None and done.employment is None
    assert done.suspected is not None
    assert done.dossier is not None
    assert done.dossier.status == DossierStatus.NEEDS_PERSON
    assert done.dossier.agency == firm.agency
    assert "•" in done.dossier.reason and done.suspected.ssn not in done.dossier.reason
    # The same person asked again while the agency looks: refused.
    with pytest.raises(InvalidInput) as caught:
        submit(firm, **names)
    assert caught.value.problems[0].code == "pending_request"


def test_same_names_but_another_birth_date_is_a_new_person(firm: Firm) -> None:
    registry.insured_person_create(
        **person_fields("dz-cnas", 5, national_id=nin(2), birth_date=dt.date(1991, 4, 12))
    )
    assert submit(firm).status == ImmatriculationStatus.REGISTERED


def test_the_agency_issues_the_number_or_refuses_with_the_reason(firm: Firm) -> None:
    registry.insured_person_create(**person_fields("dz-cnas", 5, national_id=nin(2)))
    first = submit(firm)
    second = submit(firm, national_id=nin(3), hire_date="2025-01-06")
    assert first.dossier is not None and second.dossier is not None
    dossier_decide(
        dossier=first.dossier, staff=firm.agent, approve=True, reason="Different person, checked"
    )
    first.refresh_from_db()
    assert first.status == ImmatriculationStatus.REGISTERED
    assert first.insured is not None and first.employment is not None
    assert first.decided_by == firm.agent
    dossier_decide(
        dossier=second.dossier, staff=firm.agent, approve=False, reason="Same person as 005"
    )
    second.refresh_from_db()
    assert second.status == ImmatriculationStatus.REJECTED
    assert second.reason == "Same person as 005" and second.insured is None
    # Decided once only.
    with pytest.raises(InvalidInput):
        services.immatriculation_decide(
            dossier=second.dossier, staff=firm.agent, approve=True, reason="again"
        )


def test_staff_of_another_agency_cannot_decide(firm: Firm) -> None:
    registry.insured_person_create(**person_fields("dz-cnas", 5, national_id=nin(2)))
    done = submit(firm)
    elsewhere = _firm("dz-cnas", 31, "owner@oran.example", code="3101")
    assert done.dossier is not None
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied or InvalidInput: refused
        dossier_decide(dossier=done.dossier, staff=elsewhere.agent, approve=True, reason="no")
    done.refresh_from_db()
    assert done.status == ImmatriculationStatus.NEEDS_PERSON


def test_a_hire_declared_late_is_accepted_and_flagged(firm: Firm) -> None:
    hire = timezone.localdate() - dt.timedelta(days=30)
    done = submit(firm, hire_date=hire.isoformat())
    assert done.status == ImmatriculationStatus.REGISTERED and done.late


BAD_FIELDS = [
    ("surname_latin", "", "required"),
    ("surname_latin", "بن علي", "not_latin"),
    ("first_names_latin", "Amina2", "not_latin"),
    ("surname_arabic", "Benali", "not_arabic"),
    ("surname_arabic", "", "required"),
    ("first_names_arabic", "x" * 101, "too_long"),
    ("birth_date", "12/04/1990", "not_a_date"),
    ("birth_date", "2999-01-01", "implausible_date"),
    ("birth_place", "", "required"),
    ("birth_place", "x" * 101, "too_long"),
    ("sex", "X", "not_a_choice"),
    ("national_id", "12345", "wrong_length"),
    ("national_id", "1234567890123456AB", "not_digits"),
    ("national_id", "", "required"),
    ("hire_date", "", "required"),
    ("hire_date", "2025-02-30", "not_a_date"),
    ("hire_date", "2000-01-01", "too_young"),
    ("hire_date", "2099-01-01", "too_far_ahead"),
]


@pytest.mark.parametrize(("field", "value", "code"), BAD_FIELDS)
def test_every_field_refuses_bad_input_and_nothing_is_written(
    firm: Firm, field: str, value: str, code: str
) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        submit(firm, **{field: value})
    assert (field, code) in [(p.field, p.code) for p in caught.value.problems]
    assert all(p.message(lang) for p in caught.value.problems for lang in ("fr", "ar", "en"))
    assert counts() == before


# --- files ---------------------------------------------------------------------------------------

HEADER = ",".join(services.FILE_COLUMNS)


def line(**overrides: Any) -> str:
    values = employee(**overrides)
    return ",".join(str(values[c]) for c in services.FILE_COLUMNS)


def send(firm: Firm, text: str | bytes) -> ImmatriculationFile:
    content = text.encode() if isinstance(text, str) else text
    return services.immatriculation_file_submit(
        employer=firm.employer, upload=content, file_name="new.csv", user=firm.owner
    )


def test_a_file_is_accepted_whole_with_each_kind_of_outcome(firm: Firm) -> None:
    existing = registry.insured_person_create(**person_fields("dz-cnas", 5, national_id=nin(8)))
    registry.insured_person_create(
        **person_fields("dz-cnas", 6, national_id=nin(9), surname_latin="Saidi")
        | {"surname_arabic": "سعيدي"}
    )
    text = "\n".join(
        [
            HEADER,
            line(national_id=nin(1), surname_latin="Mansouri", surname_arabic="منصوري"),
            line(national_id=nin(8)),  # Benali Amina, same birth date: the same person
            line(national_id=nin(10), surname_latin="SAIDI", surname_arabic="سعيدي"),
            "",
        ]
    )
    batch = send(firm, text)
    rows = {r.row: r for r in EmployeeImmatriculation.objects.filter(file=batch)}
    assert batch.lines == 3
    assert rows[2].status == ImmatriculationStatus.REGISTERED and rows[2].dossier is None
    assert rows[3].status == ImmatriculationStatus.LINKED and rows[3].insured == existing
    assert rows[4].status == ImmatriculationStatus.NEEDS_PERSON
    assert rows[4].dossier is not None and rows[4].dossier.status == DossierStatus.NEEDS_PERSON
    from tadamun.notifications.models import Notification

    summary = Notification.objects.get(template="affiliation/notifications/file_accepted.txt")
    assert summary.user == firm.owner and "3" in summary.subject
    assert "1" in summary.body


def test_a_semicolon_file_with_a_bom_is_read(firm: Firm) -> None:
    text = HEADER.replace(",", ";") + "\r\n" + line().replace(",", ";") + "\r\n"
    batch = send(firm, b"\xef\xbb\xbf" + text.encode())
    assert batch.lines == 1


def test_a_file_with_bad_lines_is_refused_whole_with_the_list(firm: Firm) -> None:
    registry.insured_person_create(
        **person_fields("dz-cnas", 5, national_id=nin(7), first_names_latin="Yacine")
        | {"first_names_arabic": "ياسين", "birth_date": dt.date(1970, 1, 1)}
    )
    text = "\n".join(
        [
            HEADER,
            line(national_id=nin(1)),
            line(national_id="123", surname_latin="Mansouri"),
            line(national_id=nin(1), surname_latin="Saidi"),
            line(national_id=nin(7)),
            line(national_id=nin(4), birth_date="1990-13-01"),
        ]
    )
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        send(firm, text)
    found = [(p.field, p.code) for p in caught.value.problems]
    assert ("lines.3.national_id", "wrong_length") in found
    assert ("lines.4.national_id", "twice_in_file") in found
    assert ("lines.5.national_id", "nin_other_person") in found
    assert ("lines.6.birth_date", "not_a_date") in found
    twice = next(p for p in caught.value.problems if p.code == "twice_in_file")
    assert twice.message("en").startswith("Line 4 — ") and "line 2" in twice.message("en")
    assert counts() == before
    assert ImmatriculationFile.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (HEADER.encode() + b"\n", "empty_file"),
        (b"\xff\xfe\x00b\x00a\x00d", "not_csv"),
        (b"name,birth\nA,B\n", "missing_columns"),
        ((HEADER + "\n" + line() + ",extra\n").encode(), "wrong_column_count"),
        (b"x" * (services.MAX_FILE_BYTES + 1), "too_big"),
    ],
)
def test_a_file_that_is_not_a_good_csv_is_refused(firm: Firm, content: bytes, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        send(firm, content)
    assert code in [p.code for p in caught.value.problems]
    assert ImmatriculationFile.objects.count() == 0


def test_too_many_lines_are_refused(firm: Firm, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "MAX_FILE_LINES", 2)
    text = "\n".join([HEADER, line(), line(national_id=nin(2)), line(national_id=nin(3))])
    with pytest.raises(InvalidInput) as caught:
        send(firm, text)
    assert [p.code for p in caught.value.problems] == ["too_many_lines"]
