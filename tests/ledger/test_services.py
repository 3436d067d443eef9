"""Ledger writes: append-only at the database, idempotent postings, reversals, penalties."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from tadamun.errors import InvalidInput
from tadamun.funds import get_fund
from tadamun.ledger import selectors, services
from tadamun.ledger.models import Entry, EntryKind
from tadamun.registry.models import Employer
from tadamun.rules.penalties import late_payment

pytestmark = pytest.mark.django_db


def _dues(employer: Employer, source: str = "declaration:1", **kw: object) -> list[Entry]:
    args: dict[str, object] = {
        "employer": employer,
        "source": source,
        "period_label": "2026-01",
        "due_date": dt.date(2026, 2, 28),
        "currency": "DZD",
        "amounts": {"retirement": 1_000_000, "social_insurance": 500_000, "unemployment": 0},
    }
    args.update(kw)
    return services.ledger_post_dues(**args)  # type: ignore[arg-type]


# --- append-only --------------------------------------------------------------------------


def _refused(action: object) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()  # type: ignore[operator]


def test_updates_and_deletes_are_refused_by_the_database(employer: Employer) -> None:
    entry = _dues(employer)[0]
    entry.amount = 1

    _refused(lambda: entry.save())
    _refused(lambda: Entry.objects.filter(pk=entry.pk).update(amount=2))
    _refused(lambda: Entry.objects.filter(pk=entry.pk).delete())
    _refused(lambda: Entry.objects.all().delete())

    def raw(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    _refused(lambda: raw("UPDATE ledger_entry SET amount = 3 WHERE id = %s"))
    _refused(lambda: raw("DELETE FROM ledger_entry WHERE id = %s"))

    assert sorted(Entry.objects.values_list("amount", flat=True)) == [500_000, 1_000_000]


def test_the_trigger_exists_on_this_database() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            names = [row[0] for row in cursor.fetchall()]
            assert {"ledger_entry_no_delete", "ledger_entry_no_update"} <= set(names)
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ledger_entry'::regclass "
                "AND NOT tgisinternal"
            )
            assert [row[0] for row in cursor.fetchall()] == ["ledger_entry_append_only"]


# --- dues ---------------------------------------------------------------------------------


def test_dues_post_one_entry_per_non_zero_branch(employer: Employer) -> None:
    entries = _dues(employer)
    assert [(e.branch, e.amount, e.kind) for e in entries] == [
        ("retirement", 1_000_000, "due"),
        ("social_insurance", 500_000, "due"),
    ]
    assert all(e.period_label == "2026-01" and e.due_date == dt.date(2026, 2, 28) for e in entries)
    assert selectors.ledger_balance(employer=employer).minor == 1_500_000


def test_dues_are_posted_once_per_source(employer: Employer) -> None:
    first = _dues(employer)
    again = _dues(employer)
    assert [e.pk for e in again] == [e.pk for e in first]
    assert Entry.objects.count() == 2


def test_a_source_reused_with_other_amounts_is_refused(employer: Employer) -> None:
    _dues(employer)
    with pytest.raises(InvalidInput) as info:
        _dues(employer, amounts={"retirement": 1})
    assert info.value.fields == ("source",)
    assert "declaration:1 was already posted with other amounts" in info.value.messages("en")[0]
    assert Entry.objects.count() == 2


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"currency": "MAD"}, "currency", "Currency: MAD is not the fund's currency (DZD)"),
        ({"source": ""}, "source", "Source: must be a text of 1 to 120 characters"),
        ({"period_label": ""}, "period_label", "Period: must be a period such as 2026-01"),
        (
            {"amounts": {"retirement": -5}},
            "amounts[retirement]",
            "Amounts: -5 must be a whole number of minor units",
        ),
        ({"amounts": {"": 5}}, "amounts", "Amounts: branch “” is not valid"),
    ],
)
def test_bad_dues_are_refused_and_nothing_is_written(
    employer: Employer, kw: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        _dues(employer, **kw)
    assert info.value.fields == (field,)
    assert info.value.messages("en")[0].startswith(message)
    assert all(info.value.messages(lang)[0] for lang in ("fr", "ar"))
    assert not Entry.objects.exists()


def test_a_reversal_cancels_the_replaced_dues_with_corrections(employer: Employer) -> None:
    original = _dues(employer)
    corrections = services.ledger_post_reversal(
        employer=employer, source="declaration:2", reverses="declaration:1"
    )
    again = services.ledger_post_reversal(
        employer=employer, source="declaration:2", reverses="declaration:1"
    )
    assert [c.pk for c in again] == [c.pk for c in corrections]
    assert [(c.kind, c.amount, c.applies_to_id) for c in corrections] == [
        (EntryKind.CORRECTION, -e.amount, e.pk) for e in original
    ]
    _dues(employer, source="declaration:2", amounts={"retirement": 700_000})
    assert selectors.ledger_balance(employer=employer).minor == 700_000
    assert Entry.objects.count() == 5  # the original dues are kept
    schedule = selectors.ledger_due_schedule(employer=employer, on=dt.date(2026, 2, 1))
    assert [(line.branch, line.open) for line in schedule.lines] == [("retirement", 700_000)]


def test_reversing_an_unknown_source_is_refused(employer: Employer) -> None:
    with pytest.raises(InvalidInput) as info:
        services.ledger_post_reversal(employer=employer, source="d:2", reverses="d:404")
    assert info.value.messages("en") == ["Reversed source: no dues were posted by d:404"]


# --- payments and allocation -------------------------------------------------------------


def test_a_payment_is_posted_once_per_source(employer: Employer) -> None:
    _dues(employer)
    services.ledger_post_payment(employer=employer, source="payment:A", amount=100, currency="DZD")
    with pytest.raises(services.DuplicatePosting):
        services.ledger_post_payment(
            employer=employer, source="payment:A", amount=100, currency="DZD"
        )
    assert Entry.objects.filter(kind="payment").count() == 1
    assert selectors.ledger_balance(employer=employer).minor == 1_500_000 - 100


def test_a_partial_payment_settles_the_oldest_dues_first(employer: Employer) -> None:
    _dues(employer, source="d:feb", period_label="2026-02", due_date=dt.date(2026, 3, 31),
          amounts={"retirement": 300})  # fmt: skip
    _dues(employer, source="d:jan", period_label="2026-01", due_date=dt.date(2026, 2, 28),
          amounts={"retirement": 200, "social_insurance": 100})  # fmt: skip
    services.ledger_post_payment(employer=employer, source="p:1", amount=250, currency="DZD")

    schedule = selectors.ledger_due_schedule(employer=employer, on=dt.date(2026, 3, 15))
    assert [
        (line.period_label, line.branch, line.open, line.overdue) for line in schedule.lines
    ] == [
        ("2026-01", "social_insurance", 50, True),
        ("2026-02", "retirement", 300, False),
    ]
    assert schedule.total_open == 350 == selectors.ledger_balance(employer=employer).minor
    assert schedule.overdue_total == 50
    assert schedule.next_due_date == dt.date(2026, 3, 31)

    services.ledger_post_payment(employer=employer, source="p:2", amount=400, currency="DZD")
    schedule = selectors.ledger_due_schedule(employer=employer, on=dt.date(2026, 3, 15))
    assert schedule.lines == []
    assert schedule.credit == 50
    assert selectors.ledger_balance(employer=employer).minor == -50


def test_a_waiver_reduces_its_own_entry(employer: Employer) -> None:
    due = _dues(employer)[0]
    waiver = services.ledger_post_waiver(
        employer=employer, entry_id=due.pk, source="waiver:1", memo="agency decision 12", amount=400
    )
    assert waiver.amount == -400
    with pytest.raises(InvalidInput) as info:
        services.ledger_post_waiver(
            employer=employer, entry_id=due.pk, source="waiver:2", memo="x", amount=10**9
        )
    assert info.value.fields == ("amount",)
    with pytest.raises(InvalidInput) as info:
        services.ledger_post_waiver(employer=employer, entry_id=due.pk, source="w:3", memo=" ")
    assert info.value.fields == ("memo",)


# --- penalties ------------------------------------------------------------------------------


def test_penalties_equal_late_payment_for_each_overdue_due(employer: Employer) -> None:
    pack = get_fund("dz-cnas").pack()
    _dues(employer, source="d:1", period_label="2025-10", due_date=dt.date(2025, 11, 30),
          amounts={"retirement": 1_234_567, "work_accident": 89_999})  # fmt: skip
    _dues(employer, source="d:2", period_label="2025-11", due_date=dt.date(2025, 12, 31),
          amounts={"retirement": 2_000_000})  # fmt: skip
    _dues(
        employer,
        source="d:3",
        period_label="2026-02",
        due_date=dt.date(2026, 3, 31),
        amounts={"retirement": 10_000},
    )  # fmt: skip — not yet due
    on = dt.date(2026, 2, 15)
    posted = services.ledger_post_penalties(employer=employer, on=on)

    dues = {e.pk: e for e in Entry.objects.filter(kind="due")}
    assert len(posted) == 3
    for penalty in posted:
        due = dues[penalty.applies_to_id]  # type: ignore[index]
        assert due.due_date is not None
        expected = late_payment(pack, amount=due.amount, due=due.due_date, paid=on,
                                branch=due.branch).penalty  # fmt: skip
        assert penalty.amount == expected > 0
        assert penalty.kind == "penalty" and penalty.due_date == on

    # Run again in the same month of delay: nothing more.
    assert services.ledger_post_penalties(employer=employer, on=on) == []
    assert services.ledger_post_penalties(employer=employer, on=dt.date(2026, 2, 20)) == []
    # A month later: only the increase is posted, so the total equals late_payment again.
    later = dt.date(2026, 3, 16)
    services.ledger_post_penalties(employer=employer, on=later)
    for due in dues.values():
        if due.due_date is None or due.due_date >= later:
            continue
        total = sum(
            Entry.objects.filter(kind="penalty", applies_to=due).values_list("amount", flat=True)
        )
        assert total == late_payment(pack, amount=due.amount, due=due.due_date, paid=later,
                                     branch=due.branch).penalty  # fmt: skip


def test_paid_dues_accrue_no_penalty(employer: Employer) -> None:
    _dues(employer, due_date=dt.date(2025, 11, 30))
    services.ledger_post_payment(employer=employer, source="p", amount=1_500_000, currency="DZD")
    assert services.ledger_post_penalties(employer=employer, on=dt.date(2026, 2, 1)) == []
