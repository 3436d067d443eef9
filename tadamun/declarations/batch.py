"""Accepting many declarations at once: a batch of declaration files (the last days before the
deadline, when a national month arrives).

:func:`declarations_submit_batch` does for a thousand small files what
:func:`tadamun.declarations.services.declaration_submit_from_columns` does for one — the same
checks, contributions, receipt numbers and ledger dues — with a fixed number of statements per
batch instead of per file: one call of the rules engine over every line of the batch, and one
``COPY`` each (SQLite: batched inserts) for all the lines, the declarations, their contributions
and their dues. All of it in the caller's transaction: a batch is accepted whole or not at all.

Ordering matters under several workers. The receipt counter is a single row per fund and year,
locked until commit; a batch therefore takes its block of numbers last, after its lines and dues
are written (their foreign keys to the declarations are checked at commit — Django creates them
``DEFERRABLE INITIALLY DEFERRED``), so two workers overlap everything but the last inserts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.dbcopy import insert_rows
from tadamun.declarations.lines import LineColumns, Method, lines_write_many
from tadamun.declarations.models import Declaration, DeclarationContribution, Kind, Status
from tadamun.declarations.problems import line_problem
from tadamun.declarations.services import _TOKEN_RE, _check_period, already_declared
from tadamun.errors import Problem
from tadamun.funds import Period, get_fund
from tadamun.ledger.services import DuesPosting, ledger_post_dues_many
from tadamun.numbering.services import number_block
from tadamun.registry.models import Employer
from tadamun.rules.contributions import LineBatch, compute
from tadamun.rules.periods import month_index


@dataclass(frozen=True)
class BatchItem:
    """One declaration file's checked lines, for its employer and period."""

    employer: Employer
    period: Period
    lines: LineColumns
    user: User
    token: str


@dataclass(frozen=True)
class BatchOutcome:
    """Per item, in order: the accepted declaration, or the problems that refused it."""

    declarations: list[Declaration | None]
    problems: list[list[Problem]]


def _refusals(items: Sequence[BatchItem], today: dt.date) -> list[list[Problem]]:
    refusals: list[list[Problem]] = []
    for item in items:
        problems: list[Problem] = []
        if not _TOKEN_RE.match(item.token):
            problems.append(line_problem(None, "", "token", "required"))
        problems += _check_period(employer=item.employer, period=item.period, today=today)
        if len(item.lines) == 0:
            problems.append(line_problem(None, "", "lines", "empty"))
        elif (item.lines.wage < 0).any():
            problems.append(
                line_problem(None, "", "wage", "negative", value=int(item.lines.wage.min()))
            )
        refusals.append(problems)
    declared = {
        (employer_id, label): receipt
        for employer_id, label, receipt in Declaration.objects.filter(
            employer_id__in={i.employer.pk for i in items},
            period_label__in={i.period.label for i in items},
            status=Status.ACCEPTED,
        ).values_list("employer_id", "period_label", "receipt_number")
    }
    for item, problems in zip(items, refusals, strict=True):
        receipt = declared.get((item.employer.pk, item.period.label))
        if receipt is not None and not problems:
            problems.append(already_declared(period_label=item.period.label, receipt=receipt))
    return refusals


@dataclass(frozen=True)
class _Computed:
    per_line: npt.NDArray[np.int64]  # every branch and payer, per line
    #: (branch, payer) -> amount per item
    per_item: dict[tuple[str, str], npt.NDArray[np.int64]]


def _compute(regime: str, items: Sequence[BatchItem]) -> _Computed:
    """One call of the rules engine over every line of every item."""
    sizes = np.array([len(i.lines) for i in items], dtype=np.int64)
    base = np.concatenate([i.lines.wage for i in items]).astype(np.int64)
    months = np.repeat(
        np.array([month_index(i.period.start.year, i.period.start.month) for i in items]), sizes
    ).astype(np.int32)
    classes = sorted({i.employer.activity_class for i in items if i.employer.activity_class})
    if classes:
        index = {c: n for n, c in enumerate(classes)}
        per_item_class = [index.get(i.employer.activity_class, 0) for i in items]
        activity = np.repeat(np.array(per_item_class, dtype=np.int16), sizes)
    batch = LineBatch.of_regime(
        regime,
        base=base,
        period=months,
        classes=tuple(classes),
        activity_class=activity if classes else None,
    )
    result = compute(batch)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    per_item = {
        column: np.add.reduceat(result.amounts[column], starts) for column in result.columns
    }
    return _Computed(per_line=np.asarray(result.total(), dtype=np.int64), per_item=per_item)


_DECLARATION_FIELDS = (
    *("id", "fund", "employer", "period_label", "period_start", "period_end", "periodicity"),
    *("version", "kind", "status", "replaces", "submitted_by", "submitted_at", "token"),
    *("receipt_number", "currency", "due_date", "headcount", "total_wages"),
    "total_contributions",
)


def _fields() -> list[Field[object, object]]:
    fields = []
    for name in _DECLARATION_FIELDS:
        field = Declaration._meta.get_field(name)
        assert isinstance(field, Field)
        fields.append(field)
    return fields


def _reserve_ids(count: int) -> list[int]:
    """Ids for ``count`` new declarations, taken before their rows exist (see the module's
    docstring): the id sequence on PostgreSQL; on SQLite, whose writer holds the database lock
    for the whole transaction, the ids after the largest one."""
    table = Declaration._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))


def declarations_submit_batch(
    *, items: Sequence[BatchItem], today: dt.date | None = None, method: Method = "auto"
) -> BatchOutcome:
    """Accept every item that passes its checks, in one transaction; refuse the others with
    their problems. All items are of one fund. Items whose token was already used return the
    declaration it made (a batch run again after a crash finds what it made, if anything)."""
    day = today or timezone.localdate()
    outcome = BatchOutcome(declarations=[None] * len(items), problems=[[] for _ in items])
    if not items:
        return outcome
    fund = get_fund(items[0].employer.fund)
    made = {
        d.token: d
        for d in Declaration.objects.filter(token__in=[i.token for i in items]).select_related(
            "employer"
        )
    }
    refusals = _refusals(items, day)
    todo: list[int] = []
    for n, item in enumerate(items):
        previous = made.get(item.token)
        if previous is not None and previous.employer_id == item.employer.pk:
            outcome.declarations[n] = previous
        elif refusals[n]:
            outcome.problems[n].extend(refusals[n])
        else:
            todo.append(n)
    if not todo:
        return outcome
    chosen = [items[n] for n in todo]
    computed = _compute(fund.employer_regime, chosen)
    ids = _reserve_ids(len(chosen))
    sizes = [len(i.lines) for i in chosen]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    now = timezone.now()
    with transaction.atomic():
        lines_write_many(
            parts=[
                (ids[k], item.lines, computed.per_line[offsets[k] : offsets[k + 1]])
                for k, item in enumerate(chosen)
            ],
            method=method,
        )
        contributions: list[tuple[int, str, str, int]] = []
        postings: list[DuesPosting] = []
        periods = {item.period.label: item.period for item in chosen}
        due_dates = {label: fund.due_date(p) for label, p in periods.items()}
        for k, item in enumerate(chosen):
            by_branch: dict[str, int] = {}
            for (branch, payer), amounts in computed.per_item.items():
                amount = int(amounts[k])
                contributions.append((ids[k], branch, payer, amount))
                by_branch[branch] = by_branch.get(branch, 0) + amount
            postings.append(
                DuesPosting(
                    employer_id=item.employer.pk,
                    source=f"declaration:{ids[k]}",
                    period_label=item.period.label,
                    due_date=due_dates[item.period.label],
                    currency=fund.currency_code,
                    amounts=by_branch,
                    created_by_id=item.user.pk,
                )
            )
        insert_rows(
            DeclarationContribution, ("declaration", "branch", "payer", "amount"), contributions
        )
        ledger_post_dues_many(postings=postings)
        # Last: the receipt numbers (the counter's lock is held until commit).
        first = number_block(
            series=f"declaration-receipt:{fund.code}", year=day.year, count=len(chosen)
        )
        # Rows as tuples in the model's field order, then instances as the ORM makes them from
        # the database (``from_db``: positional, no keyword handling): 0.4 ms a declaration
        # less than ``Declaration(**fields)`` for a batch of small files.
        totals = (
            np.sum(list(computed.per_item.values()), axis=0).tolist()
            if computed.per_item
            else [0] * len(chosen)
        )
        prefix = f"DEC-{fund.code.upper()}-{day.year}-"
        rows = [
            (
                ids[k],
                fund.code,
                item.employer.pk,
                item.period.label,
                item.period.start,
                item.period.end,
                item.period.periodicity.value,
                1,
                Kind.NORMAL,
                Status.ACCEPTED,
                None,
                item.user.pk,
                now,
                item.token,
                f"{prefix}{first + k:06d}",
                fund.currency_code,
                due_dates[item.period.label],
                sizes[k],
                int(item.lines.wage.sum()),
                int(totals[k]),
            )
            for k, item in enumerate(chosen)
        ]
        insert_rows(Declaration, _DECLARATION_FIELDS, rows)
        attnames = [f.attname for f in _fields()]
        employer_field = Declaration._meta.get_field("employer")
        user_field = Declaration._meta.get_field("submitted_by")
        assert isinstance(employer_field, Field) and isinstance(user_field, Field)
        declarations = []
        for item, row in zip(chosen, rows, strict=True):
            declaration = Declaration.from_db(connection.alias, attnames, row)
            employer_field.set_cached_value(declaration, item.employer)
            user_field.set_cached_value(declaration, item.user)
            declarations.append(declaration)
    for k, n in enumerate(todo):
        outcome.declarations[n] = declarations[k]
    return outcome
