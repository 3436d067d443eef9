"""Many declarations accepted at once: the same results as one by one, in a fixed number of
statements, all or nothing, and safe to run again."""

from __future__ import annotations

import secrets

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadamun.accounts.models import User
from tadamun.declarations import services
from tadamun.declarations.batch import BatchItem, declarations_submit_batch
from tadamun.declarations.lines import LineColumns
from tadamun.declarations.models import Declaration, DeclarationContribution, DeclarationLine
from tadamun.ledger.models import Entry
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tests.declarations.conftest import AFTER_DUE, PERIOD, Hire, make_user
from tests.registry.factories import employer_for

pytestmark = pytest.mark.django_db


def columns(people: list[InsuredPerson], wages: list[int]) -> LineColumns:
    n = len(people)
    return LineColumns(
        insured_id=[p.pk for p in people],
        ssn=[p.ssn for p in people],
        surname_latin=[p.surname_latin for p in people],
        first_names_latin=[p.first_names_latin for p in people],
        surname_arabic=[""] * n,
        first_names_arabic=[""] * n,
        national_id=[""] * n,
        birth_date=[None] * n,
        new_hire=[False] * n,
        days=np.full(n, 26, dtype=np.int64),
        wage=np.asarray(wages, dtype=np.int64),
        situation=[""] * n,
    )


def _firms(agency: Agency, hire: Hire, count: int) -> list[tuple[Employer, list[InsuredPerson]]]:
    firms = []
    for k in range(count):
        employer = employer_for(agency, serial=100 + k, name_latin=f"Firm {k}")
        firms.append((employer, hire(employer, 3 + k)))
    return firms


def test_a_batch_gives_what_one_by_one_gives(agency: Agency, hire: Hire) -> None:
    firms = _firms(agency, hire, 4)
    user = make_user(firms[0][0], "bureau@example.ma")
    wages = [
        [400_000 + 1_000 * i + 37 * k for i in range(len(p))] for k, (_, p) in enumerate(firms)
    ]
    # The first two one by one, the last two as a batch, with the same wages.
    single = [
        services.declaration_submit_from_columns(
            employer=e, period=PERIOD, lines=columns(p, w), user=user,
            token=secrets.token_urlsafe(24), today=AFTER_DUE,
        )
        for (e, p), w in zip(firms[:2], wages[:2], strict=True)
    ]  # fmt: skip
    items = [
        BatchItem(employer=e, period=PERIOD, lines=columns(p, w), user=user,
                  token=secrets.token_urlsafe(24))
        for (e, p), w in zip(firms, wages, strict=True)
    ]  # fmt: skip
    outcome = declarations_submit_batch(items=items, today=AFTER_DUE)
    # The first two were declared already: refused with the receipt that holds the period.
    assert [p[0].code for p in outcome.problems[:2]] == ["already_declared"] * 2
    assert outcome.declarations[:2] == [None, None]
    made = outcome.declarations[2:]
    assert all(d is not None for d in made)
    # Receipt numbers follow those issued one by one.
    numbers = [d.receipt_number for d in single] + [d.receipt_number for d in made if d]
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3, 4]
    # Same contributions as the one-by-one path would have computed for those wages.
    for declaration, (employer, _people), wage in zip(made, firms[2:], wages[2:], strict=True):
        assert declaration is not None
        preview = services._compute(
            employer=employer, fund=services.get_fund("ma-cnss"), period=PERIOD, wages=wage
        )
        stored = {
            (c.branch, c.payer): c.amount
            for c in DeclarationContribution.objects.filter(declaration=declaration)
        }
        assert stored == {(r.branch, r.payer): r.amount for r in preview.rows}
        assert declaration.total_contributions == preview.total
        lines = list(DeclarationLine.objects.filter(declaration=declaration).order_by("row"))
        assert [ln.wage for ln in lines] == wage
        assert [ln.contribution for ln in lines] == list(preview.per_line)
        dues = Entry.objects.filter(source=f"declaration:{declaration.pk}")
        assert sum(e.amount for e in dues) == preview.total
        assert {e.employer_id for e in dues} == {employer.pk}


def test_running_a_batch_again_finds_what_it_made(agency: Agency, hire: Hire) -> None:
    firms = _firms(agency, hire, 3)
    user = make_user(firms[0][0], "bureau@example.ma")
    items = [
        BatchItem(employer=e, period=PERIOD, lines=columns(p, [300_000] * len(p)), user=user,
                  token=secrets.token_urlsafe(24))
        for e, p in firms
    ]  # fmt: skip
    first = declarations_submit_batch(items=items, today=AFTER_DUE)
    again = declarations_submit_batch(items=items, today=AFTER_DUE)
    assert [d.pk for d in again.declarations if d] == [d.pk for d in first.declarations if d]
    assert Declaration.objects.count() == 3
    assert DeclarationLine.objects.count() == sum(len(p) for _, p in firms)


def test_the_statements_do_not_grow_with_the_files(agency: Agency, hire: Hire) -> None:
    def run(count: int, offset: int) -> int:
        firms = [
            (employer_for(agency, serial=500 + offset + k, name_latin=f"F{k}"), None)
            for k in range(count)
        ]
        user = make_user(firms[0][0], f"b{offset}@example.ma")
        items = []
        for employer, _ in firms:
            people = hire(employer, 2)
            items.append(
                BatchItem(employer=employer, period=PERIOD, lines=columns(people, [1000, 2000]),
                          user=user, token=secrets.token_urlsafe(24))
            )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            outcome = declarations_submit_batch(items=items, today=AFTER_DUE)
        assert all(d is not None for d in outcome.declarations)
        return len(queries)

    run(1, 900)  # the first batch of the year creates the receipt counter
    assert run(3, 0) == run(12, 100)


def test_bad_items_are_refused_alone(agency: Agency, hire: Hire, user: User) -> None:
    firms = _firms(agency, hire, 2)
    good, bad = firms
    items = [
        BatchItem(employer=good[0], period=PERIOD, lines=columns(good[1], [1000] * len(good[1])),
                  user=user, token=secrets.token_urlsafe(24)),
        BatchItem(employer=bad[0], period=PERIOD, lines=columns(bad[1], [-5] * len(bad[1])),
                  user=user, token="short"),
    ]  # fmt: skip
    outcome = declarations_submit_batch(items=items, today=AFTER_DUE)
    assert outcome.declarations[0] is not None and outcome.declarations[1] is None
    assert [p.field for p in outcome.problems[1]] == ["token", "wage"]
    assert Declaration.objects.filter(employer=bad[0]).count() == 0
