from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from tadamun.accounts.models import User
from tadamun.declarations import selectors, services
from tadamun.declarations.models import (
    Declaration,
    DeclarationContribution,
    DeclarationLine,
    ImmatriculationRequest,
    Kind,
    Status,
)
from tadamun.declarations.services import LineInput
from tadamun.errors import InvalidInput
from tadamun.funds import Period
from tadamun.ledger.models import Entry
from tadamun.registry.models import Employer, InsuredPerson
from tadamun.rules.contributions import LineBatch, compute
from tadamun.rules.periods import parse_period
from tests.declarations.conftest import AFTER_DUE, BEFORE_DUE, PERIOD, Hire, token


def lines_for(
    people: list[InsuredPerson], wage: str = "4500.00", days: int = 26
) -> list[LineInput]:
    return [LineInput(insured_id=p.pk, days=days, wage=wage) for p in people]


def submit(employer: Employer, user: User, lines: list[LineInput], **kw: Any) -> Declaration:
    kw.setdefault("today", BEFORE_DUE)
    kw.setdefault("token", token())
    return services.declaration_submit(
        employer=employer, period=PERIOD, lines=lines, user=user, **kw
    )


def problems_of(employer: Employer, lines: list[LineInput], **kw: Any) -> dict[str, str]:
    found = services.declaration_validate(
        employer=employer, period=PERIOD, lines=lines, today=BEFORE_DUE, **kw
    )
    return {p.field: p.message("en") for p in found}


# --- prefill ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 200])
def test_prefill_costs_three_queries_whatever_the_headcount(
    employer: Employer, hire: Hire, size: int, django_assert_num_queries: Any
) -> None:
    hire(employer, size)
    with django_assert_num_queries(3):
        expected = selectors.declaration_prefill(employer=employer, period=PERIOD)
    assert len(expected) == size
    assert all(e.days == 26 and e.wage is None for e in expected)


def test_prefill_carries_the_last_declared_days_and_wage(
    employer: Employer, hire: Hire, user: User
) -> None:
    people = hire(employer, 3)
    lines = lines_for(people)
    lines[1] = LineInput(insured_id=people[1].pk, days=12, wage="2100.50")
    submit(employer, user, lines, today=dt.date(2026, 1, 20))  # December 2025 is not due: use Jan
    expected = selectors.declaration_prefill(employer=employer, period=PERIOD.next())
    by_id = {e.insured_id: e for e in expected}
    assert (by_id[people[1].pk].days, by_id[people[1].pk].wage) == (12, 210050)
    assert by_id[people[0].pk].wage == 450000


def test_prefill_marks_a_leaver_so(employer: Employer, hire: Hire) -> None:
    from tadamun.registry.services import employment_end

    people = hire(employer, 2)
    employment = people[0].employments.get()
    employment_end(employment=employment, end_date=dt.date(2026, 1, 15), end_reason="resignation")
    expected = {
        e.insured_id: e for e in selectors.declaration_prefill(employer=employer, period=PERIOD)
    }
    assert expected[people[0].pk].situation == "SO"
    assert expected[people[1].pk].situation == ""


# --- validation: every rule names the line and the field ---------------------------------------


def test_a_correct_declaration_has_no_problem(employer: Employer, hire: Hire) -> None:
    assert problems_of(employer, lines_for(hire(employer, 3))) == {}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"days": 27}, "days", "Days: must be between 0 and 26 (got 27)"),
        ({"days": "-1"}, "days", "Days: must be between 0 and 26 (got -1)"),
        ({"days": "abc"}, "days", "Days: “abc” is not a whole number"),
        ({"days": ""}, "days", "Days: is required"),
        ({"wage": "-10"}, "wage", "Wage: cannot be negative"),
        ({"wage": "12.345"}, "wage", "Wage: “12.345” is not an amount in MAD (at most 2 decimals)"),
        ({"wage": "lots"}, "wage", "Wage: “lots” is not an amount in MAD"),
        ({"wage": "99999999"}, "wage", "is above the plausibility bound of 5000000"),
        ({"situation": "XX"}, "situation", "Situation: “XX” is not an allowed situation code"),
        (
            {"situation": "CS"},
            "situation",
            "Situation: situation CS requires 0 days and a zero wage",
        ),
        (
            {"situation": "MS", "days": 0},
            "situation",
            "situation MS requires 0 days and a zero wage",
        ),
        ({"situation": "MP", "wage": "0"}, "situation", "situation MP requires 0 days"),
        ({"wage": "0"}, "situation", "a zero wage with no situation: choose SO"),
    ],
)
def test_each_bad_value_is_refused_naming_line_and_field(
    employer: Employer, hire: Hire, change: dict[str, Any], field: str, message: str
) -> None:
    people = hire(employer, 2)
    lines = lines_for(people)
    base = {"insured_id": people[1].pk, "days": 26, "wage": "4500.00", "situation": ""}
    lines[1] = LineInput(**{**base, **change})
    found = problems_of(employer, lines)
    key = f"lines.2.{field}"
    assert key in found, found
    assert found[key].startswith(f"Line 2 ({people[1].ssn}) — ")
    assert message in found[key]


def test_zero_wage_is_fine_with_so_and_cs(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 2)
    lines = [
        LineInput(insured_id=people[0].pk, days=10, wage="0", situation="SO"),
        LineInput(insured_id=people[1].pk, days=0, wage="0", situation="cs"),
    ]
    assert problems_of(employer, lines) == {}


def test_arabic_digits_and_decimal_comma_are_read(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 1)
    assert (
        problems_of(employer, [LineInput(insured_id=people[0].pk, days="٢٦", wage="4500,50")]) == {}
    )


def test_a_missing_employee_is_named(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 3)
    found = problems_of(employer, lines_for(people[:2]))
    assert found == {
        "lines": f"Employees: NomC Amina ({people[2].ssn}) is expected by the fund and missing from the declaration"
    }


def test_a_duplicate_line_is_refused(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 2)
    lines = [*lines_for(people), LineInput(insured_id=people[0].pk, days=26, wage="1")]
    found = problems_of(employer, lines)
    assert found == {
        "lines.3.insured": f"Line 3 ({people[0].ssn}) — Insured person: this employee is already declared on line 1"
    }


def test_a_foreign_insured_id_in_the_hidden_field_is_refused(
    employer: Employer, other_employer: Employer, hire: Hire
) -> None:
    mine = hire(employer, 1)
    theirs = hire(other_employer, 1)
    lines = [*lines_for(mine), LineInput(insured_id=theirs[0].pk, days=26, wage="100")]
    found = problems_of(employer, lines)
    assert found == {
        "lines.2.insured": f"Line 2 — Insured person: {theirs[0].pk} is not an employee of this employer for the period"
    }
    found = problems_of(
        employer, [*lines_for(mine), LineInput(insured_id="1 OR 1=1", days=1, wage="1")]
    )
    assert "lines.2.insured" in found


def test_a_new_hire_needs_names_and_birth_date(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 1)
    lines = [*lines_for(people), LineInput(days=10, wage="3000", birth_date="1990-13-01")]
    found = problems_of(employer, lines)
    assert found["lines.2.surname_latin"] == "Line 2 — Surname (Latin script): is required"
    assert found["lines.2.first_names_latin"] == "Line 2 — First names (Latin script): is required"
    assert found["lines.2.birth_date"] == "Line 2 — Birth date: is not a valid date"


def test_a_new_hire_with_an_unknown_or_malformed_number(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 1)
    lines = [
        *lines_for(people),
        LineInput(ssn="123", days=10, wage="3000"),
        LineInput(ssn="199999999", days=10, wage="3000"),
    ]
    found = problems_of(employer, lines)
    assert found["lines.2.ssn"].startswith("Line 2 (123) — ")
    assert "lines.3.ssn" in found


def test_messages_exist_in_french_and_arabic(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 1)
    found = services.declaration_validate(
        employer=employer,
        period=PERIOD,
        lines=[LineInput(insured_id=people[0].pk, days=40, wage="1")],
        today=BEFORE_DUE,
    )
    assert (
        found[0].message("fr")
        == f"Ligne 1 ({people[0].ssn}) — Jours : doit être entre 0 et 26 (saisi : 40)"
    )
    assert (
        found[0].message("ar")
        == f"السطر 1 ({people[0].ssn}) — الأيام: يجب أن يكون بين 0 و26 (المُدخل: 40)"
    )


def test_period_of_another_periodicity_or_future_is_refused(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 1)
    found = services.declaration_validate(
        employer=employer, period=Period.parse("2026-Q1"), lines=lines_for(people), today=BEFORE_DUE
    )
    assert [p.field for p in found] == ["period"]
    found = services.declaration_validate(
        employer=employer, period=Period.parse("2026-03"), lines=lines_for(people), today=BEFORE_DUE
    )
    assert [p.code for p in found] == ["future_period"]


# --- preview -----------------------------------------------------------------------------------


def test_preview_equals_the_rules_engine(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 3)
    wages = ["4500.00", "8000.00", "0"]
    lines = [
        LineInput(insured_id=p.pk, days=26, wage=w) for p, w in zip(people, wages, strict=True)
    ]
    lines[2] = LineInput(insured_id=people[2].pk, days=0, wage="0", situation="CS")
    preview = services.declaration_preview(
        employer=employer, period=PERIOD, lines=lines, today=BEFORE_DUE
    )
    expected = compute(
        LineBatch.from_columns(
            regime=["ma-cnss"] * 3, base=[450000, 800000, 0], period=[parse_period("2026-01")] * 3
        )
    )
    assert {(r.branch, r.payer): r.amount for r in preview.rows} == {
        col: int(v.sum()) for col, v in expected.amounts.items()
    }
    assert preview.total == int(expected.total().sum())
    assert preview.total_wages == 1_250_000
    assert preview.headcount == 3


def test_preview_refuses_bad_lines(employer: Employer, hire: Hire) -> None:
    people = hire(employer, 1)
    with pytest.raises(InvalidInput) as caught:
        services.declaration_preview(
            employer=employer,
            period=PERIOD,
            lines=[LineInput(insured_id=people[0].pk, days=99, wage="1")],
            today=BEFORE_DUE,
        )
    assert caught.value.fields == ("lines.1.days",)


# --- submit ------------------------------------------------------------------------------------


def test_submit_writes_everything_and_posts_the_dues(
    employer: Employer, hire: Hire, user: User
) -> None:
    people = hire(employer, 3)
    lines = [
        *lines_for(people),
        LineInput(
            surname_latin="Nouveau",
            first_names_latin="Karim",
            birth_date="1999-05-01",
            days=5,
            wage="1000",
            national_id="BK123456",
        ),
    ]
    declaration = submit(employer, user, lines)
    assert declaration.receipt_number == "DEC-MA-CNSS-2026-000001"
    assert (declaration.version, declaration.kind, declaration.status) == (
        1,
        Kind.NORMAL,
        Status.ACCEPTED,
    )
    assert declaration.headcount == 4
    assert declaration.total_wages == 3 * 450000 + 100000
    assert DeclarationLine.objects.filter(declaration=declaration).count() == 4
    request = ImmatriculationRequest.objects.get()
    assert (request.surname_latin, request.national_id, request.status) == (
        "Nouveau",
        "BK123456",
        "pending",
    )
    contributions = DeclarationContribution.objects.filter(declaration=declaration)
    assert sum(c.amount for c in contributions) == declaration.total_contributions > 0
    dues = Entry.objects.filter(source=f"declaration:{declaration.pk}")
    assert sum(e.amount for e in dues) == declaration.total_contributions
    assert {e.due_date for e in dues} == {dt.date(2026, 2, 10)}


def test_submit_refuses_bad_lines_and_writes_nothing(
    employer: Employer, hire: Hire, user: User
) -> None:
    people = hire(employer, 2)
    lines = lines_for(people)
    lines[0] = LineInput(insured_id=people[0].pk, days=30, wage="1")
    with pytest.raises(InvalidInput) as caught:
        submit(employer, user, lines)
    assert caught.value.fields == ("lines.1.days",)
    assert not Declaration.objects.exists()
    assert not Entry.objects.exists()


def test_submit_is_atomic_when_the_ledger_fails(
    employer: Employer, hire: Hire, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = hire(employer, 2)

    class Broken:
        @staticmethod
        def ledger_post_dues(**kwargs: Any) -> None:
            raise RuntimeError("ledger down")

    monkeypatch.setattr(services, "_ledger", lambda: Broken)
    with pytest.raises(RuntimeError):
        submit(
            employer,
            user,
            [
                *lines_for(people),
                LineInput(
                    surname_latin="Neuf",
                    first_names_latin="Ali",
                    birth_date="1990-01-01",
                    days=1,
                    wage="10",
                ),
            ],
        )
    assert not Declaration.objects.exists()
    assert not DeclarationLine.objects.exists()
    assert not DeclarationContribution.objects.exists()
    assert not ImmatriculationRequest.objects.exists()


def test_the_same_token_declares_once(employer: Employer, hire: Hire, user: User) -> None:
    people = hire(employer, 2)
    same = token()
    first = submit(employer, user, lines_for(people), token=same)
    second = submit(employer, user, lines_for(people), token=same)
    assert first.pk == second.pk
    assert Declaration.objects.count() == 1
    assert Entry.objects.filter(source=f"declaration:{first.pk}").count() > 0


def test_another_token_for_a_declared_period_is_refused(
    employer: Employer, hire: Hire, user: User
) -> None:
    people = hire(employer, 1)
    first = submit(employer, user, lines_for(people))
    with pytest.raises(InvalidInput) as caught:
        submit(employer, user, lines_for(people))
    assert caught.value.problems[0].code == "already_declared"
    assert first.receipt_number in caught.value.problems[0].message("en")


def test_a_token_of_another_employer_is_refused(
    employer: Employer, other_employer: Employer, hire: Hire, user: User
) -> None:
    from tests.declarations.conftest import make_user

    people = hire(employer, 1)
    theirs = hire(other_employer, 1)
    same = token()
    submit(employer, user, lines_for(people), token=same)
    with pytest.raises(InvalidInput) as caught:
        submit(
            other_employer, make_user(other_employer, "b@example.ma"), lines_for(theirs), token=same
        )
    assert caught.value.fields == ("token",)


def test_nil_before_the_deadline_and_refused_after(
    employer: Employer, other_employer: Employer, user: User, hire: Hire
) -> None:
    nil = submit(employer, user, [], kind="nil")
    assert (nil.kind, nil.headcount, nil.total_contributions) == (Kind.NIL, 0, 0)
    assert not Entry.objects.exists()
    with pytest.raises(InvalidInput) as caught:
        submit(employer, user, [], kind="nil", today=AFTER_DUE, replaces=nil)
    assert [p.code for p in caught.value.problems] == ["after_deadline"]
    with pytest.raises(InvalidInput) as caught:
        services.declaration_submit(
            employer=employer,
            period=Period.parse("2025-12"),
            lines=[],
            user=user,
            token=token(),
            kind="nil",
            today=AFTER_DUE,
        )
    assert [(p.field, p.code) for p in caught.value.problems] == [("kind", "after_deadline")]


def test_nil_is_refused_when_the_fund_expects_employees(
    employer: Employer, hire: Hire, user: User
) -> None:
    hire(employer, 2)
    with pytest.raises(InvalidInput) as caught:
        submit(employer, user, [], kind="nil")
    assert [p.code for p in caught.value.problems] == ["nil_with_workforce"]


def test_cancel_and_replace_keeps_every_version_and_reverses_the_dues(
    employer: Employer, hire: Hire, user: User
) -> None:
    people = hire(employer, 2)
    first = submit(employer, user, lines_for(people))
    second = submit(employer, user, lines_for(people, wage="5000.00"), replaces=first)
    third = submit(employer, user, lines_for(people, wage="5100.00"), replaces=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert [(d.version, d.kind, d.status) for d in (first, second, third)] == [
        (1, Kind.NORMAL, Status.CANCELLED_REPLACED),
        (2, Kind.REPLACEMENT, Status.CANCELLED_REPLACED),
        (3, Kind.REPLACEMENT, Status.ACCEPTED),
    ]
    assert third.replaces_id == second.pk and second.replaces_id == first.pk
    assert list(selectors.declaration_history(employer=employer)) == [third, second, first]
    balance = sum(e.amount for e in Entry.objects.filter(employer=employer))
    assert balance == third.total_contributions
    # The replaced version cannot be replaced again.
    with pytest.raises(InvalidInput) as caught:
        submit(employer, user, lines_for(people), replaces=first)
    assert [p.code for p in caught.value.problems] == ["not_replaceable"]


def test_replace_is_refused_after_the_deadline(employer: Employer, hire: Hire, user: User) -> None:
    people = hire(employer, 1)
    first = submit(employer, user, lines_for(people))
    with pytest.raises(InvalidInput) as caught:
        submit(employer, user, lines_for(people, wage="1.00"), replaces=first, today=AFTER_DUE)
    assert [(p.field, p.code) for p in caught.value.problems] == [("replaces", "after_deadline")]
    first.refresh_from_db()
    assert first.status == Status.ACCEPTED
    assert Declaration.objects.count() == 1


def test_replacing_another_employers_declaration_is_refused(
    employer: Employer, other_employer: Employer, hire: Hire, user: User
) -> None:
    from tests.declarations.conftest import make_user

    theirs = hire(other_employer, 1)
    foreign = submit(other_employer, make_user(other_employer, "b@example.ma"), lines_for(theirs))
    people = hire(employer, 1)
    with pytest.raises(InvalidInput) as caught:
        submit(employer, user, lines_for(people), replaces=foreign)
    assert [p.code for p in caught.value.problems] == ["not_replaceable"]


def test_late_normal_declaration_is_accepted(employer: Employer, hire: Hire, user: User) -> None:
    people = hire(employer, 1)
    declaration = submit(employer, user, lines_for(people), today=AFTER_DUE)
    assert declaration.status == Status.ACCEPTED


def test_periods_due_states(employer: Employer, hire: Hire, user: User) -> None:
    people = hire(employer, 1)
    submit(employer, user, lines_for(people))
    rows = selectors.periods_due(employer=employer, today=AFTER_DUE, count=3)
    assert [(r.period.label, r.state.value) for r in rows] == [
        ("2026-02", "not_declared"),
        ("2026-01", "declared"),
        ("2025-12", "late"),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_submit_declares_once(
    employer: Employer, hire: Hire, user: User
) -> None:
    people = hire(employer, 50)
    same = token()
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        from django.db import connections

        try:
            barrier.wait()
            results.append(submit(employer, user, lines_for(people), token=same).pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Declaration.objects.count() == 1
    assert Entry.objects.filter(source=f"declaration:{results[0]}").count() > 0
