from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pytest
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.declarations import services as declaring
from tadamun.declarations.lines import LineColumns, lines_write
from tadamun.declarations.models import Declaration, DeclarationContribution, DeclarationLine
from tadamun.errors import InvalidInput
from tadamun.filings import services
from tadamun.filings.models import Filing, FilingStatus
from tadamun.formats import tn_ds
from tadamun.funds import Period
from tadamun.ledger.models import Entry
from tadamun.registry.identifiers import MA_NOT_REGISTERED
from tadamun.registry.models import Employer
from tests.filings.conftest import PERIOD, Hire, bds, member, upload
from tests.registry.factories import agency_for, employer_for, person_fields


def counts() -> tuple[int, int, int]:
    return (Declaration.objects.count(), DeclarationLine.objects.count(), Entry.objects.count())


def test_a_valid_file_is_accepted_with_receipt_and_dues(
    employer: Employer, user: User, hire: Hire, django_capture_on_commit_callbacks: Any
) -> None:
    people = hire(employer, 30)
    with django_capture_on_commit_callbacks(execute=True):
        filing = upload(employer, user, bds(employer, people))
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED, list(filing.problems.values_list("message_en"))
    declaration = filing.declaration
    assert declaration is not None
    assert declaration.receipt_number.startswith("DEC-MA-CNSS-")
    assert declaration.headcount == 30
    assert DeclarationLine.objects.filter(declaration=declaration).count() == 30
    assert DeclarationContribution.objects.filter(declaration=declaration).exists()
    dues = Entry.objects.filter(source=f"declaration:{declaration.pk}")
    assert sum(e.amount for e in dues) == declaration.total_contributions > 0
    assert filing.lines_done == filing.lines_total == 30 + 6


# --- the job: idempotent, all or nothing -------------------------------------------------------


def test_processing_twice_applies_the_file_once(employer: Employer, user: User, hire: Hire) -> None:
    people = hire(employer, 5)
    filing = upload(employer, user, bds(employer, people))  # not committed: nothing ran yet
    first = services.filing_process(filing_id=filing.pk)
    before = counts()
    second = services.filing_process(filing_id=filing.pk)
    assert first is not None and second is not None
    assert first.declaration_id == second.declaration_id and counts() == before
    assert second.attempts == 1  # an accepted filing is not even claimed again


def test_an_interrupted_run_is_redone_from_the_start(
    employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 5)
    filing = upload(employer, user, bds(employer, people))
    # A worker died after claiming it and reading half of it: processing, lines done 3.
    Filing.objects.filter(pk=filing.pk).update(
        status=FilingStatus.PROCESSING, attempts=1, lines_done=3
    )
    done = services.filing_process(filing_id=filing.pk)
    assert done is not None and done.status == FilingStatus.ACCEPTED and done.attempts == 2
    assert done.lines_done == 11


def test_rejected_whole_with_the_complete_list_and_nothing_written(
    employer: Employer, other_employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 6)
    stranger = hire(other_employer, 1)[0]
    data = bds(employer, [*people[:4], stranger], wage=450_000)
    lines = data.splitlines(keepends=True)
    lines[2] = lines[2][:100] + b"\n"  # a truncated B02 line
    before = counts()
    filing = upload(employer, user, b"".join(lines))
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.REJECTED
    assert counts() == before
    found = [(p.line, p.field, p.code) for p in result.problems.all()]
    assert (3, "line", "wrong_line_length") in found
    assert (7, "insured_number", "not_expected") in found  # the other employer's employee
    missing = [p.message_en for p in result.problems.all() if p.code == "missing_employee"]
    # the truncated line's employee, and the two left out
    assert {people[0].ssn, people[4].ssn, people[5].ssn} == {
        m.split()[2].strip(",") for m in missing
    }
    assert result.problem_count == len(found)


def test_a_lying_totals_line_is_rejected(employer: Employer, user: User, hire: Hire) -> None:
    people = hire(employer, 3)
    lines = bds(employer, people).splitlines(keepends=True)
    b06 = lines[-1]
    lines[-1] = b06[:45] + b"9" + b06[46:]  # total actual salary, one digit changed
    filing = upload(employer, user, b"".join(lines))
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.REJECTED
    assert [p.code for p in result.problems.all()] == ["total_mismatch"]


def test_a_new_employee_in_b04(employer: Employer, user: User, hire: Hire) -> None:
    from tadamun.formats import ma_bds

    people = hire(employer, 2)
    head = ma_bds.Employer(affiliate_number=employer.affiliate_number, period="202601")
    declared = [
        ma_bds.DeclaredEmployee(insured_number=p.ssn, days=26, actual_salary=400_000)
        for p in people
    ]
    new = [
        ma_bds.NewEmployee(
            insured_number=MA_NOT_REGISTERED,
            surname="ALAOUI",
            first_names="SARA",
            cin="AB123456",
            days=10,
            actual_salary=150_000,
        )
    ]
    data = b"".join(ma_bds.write_declaration(head, declared, new))
    filing = upload(employer, user, data)
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.ACCEPTED, [
        p.message_en for p in result.problems.all()
    ]
    line = DeclarationLine.objects.get(new_hire=True)
    assert (line.insured_id, line.surname_latin, line.national_id, line.wage) == (
        None,
        "ALAOUI",
        "AB123456",
        150_000,
    )


def test_a_2_gb_stream_is_refused_without_filling_memory_or_disk(
    employer: Employer, user: User, settings: SettingsWrapper
) -> None:
    settings.TADAMUN_FILING_MAX_BYTES = 4 * 1024 * 1024

    class Endless(io.RawIOBase):
        """2 GB of declaration lines, made up as they are read (never held)."""

        sent = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            if self.sent >= 2 * 1024**3:
                return 0
            n = len(buffer)
            buffer[:n] = b"B" * n
            self.sent += n
            return n

    stream = Endless()
    with pytest.raises(InvalidInput) as caught:
        services.filing_upload(
            employer=employer,
            user=user,
            period="2026-01",
            fmt="ma-bds",
            stream=stream,
            filename="x",
        )
    assert caught.value.messages("en") == ["File: exceeds the largest size accepted, 4 MB"]
    assert stream.sent <= 5 * 1024 * 1024  # stopped at the limit
    assert Filing.objects.count() == 0


# --- Tunisia and the CSV template -------------------------------------------------------------


@pytest.fixture
def tunisia(settings: SettingsWrapper, db: None) -> Employer:
    settings.TADAMUN_FUND = "tn-cnss"
    return employer_for(agency_for("tn-cnss", code="11"), declaration_periodicity="quarterly")


def _tn_people(employer: Employer, count: int) -> list[object]:
    from tadamun.registry import services as registry

    rows = []
    for serial in range(1, count + 1):
        fields = person_fields("tn-cnss", serial)
        fields.pop("fund")
        rows.append(registry.NewInsuredPerson(**fields))
    people = registry.insured_person_bulk_create(people=rows, fund="tn-cnss")
    registry.employment_bulk_create(
        employer=employer,
        hires=[registry.NewEmployment(p, dt.date(2025, 1, 1)) for p in people],
    )
    return list(people)


def test_a_tunisian_ds_file_is_accepted(tunisia: Employer) -> None:
    people = _tn_people(tunisia, 14)  # two pages of the DS
    owner = member(tunisia, "owner@example.tn")
    staff = [
        tn_ds.DSEmployee(insured_number=p.ssn, name="BEN SALAH HEDI", salary=3_000_000)
        for p in people
    ]  # type: ignore[attr-defined]
    data = b"".join(tn_ds.write_ds(tunisia.affiliate_number, "0000", 1, 2026, staff))
    filing = services.filing_upload(
        employer=tunisia,
        user=owner,
        period="2026-Q1",
        fmt="tn-ds",
        stream=io.BytesIO(data),
        filename="DS",
    )
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.ACCEPTED, [
        p.message_en for p in result.problems.all()
    ]
    declaration = result.declaration
    assert declaration is not None and declaration.headcount == 14
    assert declaration.total_wages == 14 * 3_000_000 and declaration.currency == "TND"


def test_a_tunisian_ds_naming_a_stranger_and_missing_one_is_rejected(tunisia: Employer) -> None:
    people = _tn_people(tunisia, 3)
    owner = member(tunisia, "owner@example.tn")
    from tadamun.funds import get_fund

    outsider = get_fund("tn-cnss").insured_number.issue(9999)  # type: ignore[misc]
    numbers = [people[0].ssn, people[1].ssn, outsider]  # type: ignore[attr-defined]
    staff = [tn_ds.DSEmployee(insured_number=n, name="X Y", salary=1_000_000) for n in numbers]
    data = b"".join(tn_ds.write_ds(tunisia.affiliate_number, "0000", 1, 2026, staff))
    filing = services.filing_upload(
        employer=tunisia,
        user=owner,
        period="2026-Q1",
        fmt="tn-ds",
        stream=io.BytesIO(data),
        filename="DS",
    )
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.REJECTED
    codes = {(p.line, p.code) for p in result.problems.all()}
    assert codes == {(3, "not_registered"), (4, "missing_employee")}
    assert counts() == (0, 0, 0)


HEAD = "period,employer_number,insured_number,surname,first_names,days,gross_wage,situation\r\n"


def _csv_line(
    employer: Employer, ssn: str, days: str = "26", wage: str = "4500.00", situation: str = ""
) -> str:
    return f"2026-01,{employer.affiliate_number},{ssn},NOM,PRENOM,{days},{wage},{situation}\r\n"


def test_csv_template(employer: Employer, user: User, hire: Hire) -> None:
    people = hire(employer, 3)
    good = HEAD + "".join(_csv_line(employer, p.ssn) for p in people)
    filing = upload(employer, user, good.encode(), fmt="csv")
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.ACCEPTED, [
        p.message_en for p in result.problems.all()
    ]
    assert result.declaration is not None and result.declaration.total_wages == 3 * 450_000


def test_csv_template_bad_lines(
    employer: Employer, other_employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 4)
    stranger = hire(other_employer, 1)[0]
    body = (
        HEAD
        + _csv_line(employer, people[0].ssn, days="27")
        + _csv_line(employer, people[1].ssn, wage="45O0")
        + _csv_line(employer, people[2].ssn, situation="ZZ")
        + _csv_line(employer, people[2].ssn)
        + "2026-01,1,2\r\n"
    )
    filing = upload(employer, user, body.encode(), fmt="csv")
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.REJECTED
    found = {(p.line, p.field, p.code) for p in result.problems.all()}
    assert {
        (2, "days", "too_many_days"),
        (3, "gross_wage", "bad_amount"),
        (4, "situation", "not_a_choice"),
        (5, "insured_number", "duplicate_insured"),
        (6, "line", "wrong_column_count"),
        (7, "insured_number", "missing_expected"),
    } <= found, found
    # a registered person employed elsewhere: named as such once the file itself is clean
    body = (
        HEAD
        + "".join(_csv_line(employer, p.ssn) for p in people)
        + _csv_line(employer, stranger.ssn)
    )
    filing = upload(employer, user, body.encode(), fmt="csv")
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None
    assert [(p.line, p.code) for p in result.problems.all()] == [(6, "not_employed")]
    assert counts() == (0, 0, 0)


def test_csv_header_and_encoding(employer: Employer, user: User, hire: Hire) -> None:
    people = hire(employer, 1)
    filing = upload(employer, user, b"nss;jours\r\n", fmt="csv")
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.REJECTED
    assert {p.field for p in result.problems.all()} >= {"header"}
    data = (HEAD + _csv_line(employer, people[0].ssn)).encode() + b"caf\xe9\r\n"
    filing = upload(employer, user, data, fmt="csv")
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None
    assert ("not_utf8", 3) in {(p.code, p.line) for p in result.problems.all()}


def test_short_csv_for_a_quarter(tunisia: Employer) -> None:
    people = _tn_people(tunisia, 2)
    owner = member(tunisia, "owner@example.tn")
    rows = "".join(f"{p.ssn},90,3000.000,\r\n" for p in people)  # type: ignore[attr-defined]
    data = ("insured_number,days,wage,situation\r\n" + rows).encode()
    filing = services.filing_upload(
        employer=tunisia,
        user=owner,
        period="2026-Q1",
        fmt="csv",
        stream=io.BytesIO(data),
        filename="q.csv",
    )
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None and result.status == FilingStatus.ACCEPTED
    bad = (
        "insured_number,days,wage,situation\r\n" + f"{people[0].ssn},93,3000.0001,ZZ\r\n"
    ).encode()  # type: ignore[attr-defined]
    filing = services.filing_upload(
        employer=tunisia,
        user=owner,
        period="2025-Q4",
        fmt="csv",
        stream=io.BytesIO(bad),
        filename="q.csv",
    )
    result = services.filing_process(filing_id=filing.pk)
    assert result is not None
    found = {(p.line, p.field, p.code) for p in result.problems.all()}
    assert {
        (2, "days", "days_range"),
        (2, "wage", "not_an_amount"),
        (2, "situation", "unknown_situation"),
        (3, "insured_number", "missing_employee"),
    } <= found


# --- the bulk declaration service and its line writers -------------------------------------------


def _columns(people: list[object], wage: int = 450_000) -> LineColumns:
    n = len(people)
    return LineColumns(
        insured_id=[p.pk for p in people],  # type: ignore[attr-defined]
        ssn=[p.ssn for p in people],  # type: ignore[attr-defined]
        surname_latin=["NOM"] * n,
        first_names_latin=["PRENOM"] * n,
        surname_arabic=[""] * n,
        first_names_arabic=[""] * n,
        national_id=[""] * n,
        birth_date=[None] * n,
        new_hire=[False] * n,
        days=np.full(n, 26, dtype=np.int64),
        wage=np.full(n, wage, dtype=np.int64),
        situation=[""] * n,
    )


@pytest.mark.parametrize("method", ["copy", "executemany", "orm"])
def test_line_writers_write_the_same_rows(
    employer: Employer, user: User, hire: Hire, method: str
) -> None:
    if method == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    people = hire(employer, 7)
    declaration = declaring.declaration_submit_from_columns(
        employer=employer,
        period=PERIOD,
        lines=_columns(people),
        user=user,
        token="a" * 20,
        method=method,  # type: ignore[arg-type]
    )
    rows = list(
        DeclarationLine.objects.filter(declaration=declaration)
        .order_by("row")
        .values_list("row", "insured_id", "wage", "days", "contribution")
    )
    assert [r[0] for r in rows] == list(range(1, 8))
    assert [r[1] for r in rows] == [p.pk for p in people]
    assert sum(r[4] for r in rows) == declaration.total_contributions


def test_the_bulk_service_refuses_a_declared_period_and_writes_nothing(
    employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 2)
    declaring.declaration_submit_from_columns(
        employer=employer, period=PERIOD, lines=_columns(people), user=user, token="b" * 20
    )
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        declaring.declaration_submit_from_columns(
            employer=employer, period=PERIOD, lines=_columns(people), user=user, token="c" * 20
        )
    assert caught.value.problems[0].code == "already_declared" and counts() == before
    again = declaring.declaration_submit_from_columns(
        employer=employer, period=PERIOD, lines=_columns(people), user=user, token="b" * 20
    )
    assert again.token == "b" * 20 and counts() == before  # same token: the same declaration
    with pytest.raises(InvalidInput):
        declaring.declaration_submit_from_columns(
            employer=employer,
            period=Period.parse("2099-01"),
            lines=_columns(people),
            user=user,
            token="d" * 20,
        )
    with pytest.raises(ValueError, match="entries"):
        bad = _columns(people)
        lines_write(
            declaration_id=again.pk,
            lines=LineColumns(**{**vars(bad), "ssn": ["x"]}),
            contributions=np.zeros(2, dtype=np.int64),
        )
