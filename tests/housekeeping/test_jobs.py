"""Each periodic job's effect on real rows, run as cron runs it (``tadamun housekeeping --only
NAME``, chunks in-process) and, for the national ones, as Celery beat does (the planning task
queues its chunks as jobs; here they run on commit, in-process)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.certificates import services as certificates
from tadamun.documents import storage
from tadamun.documents.models import Document
from tadamun.documents.services import document_store
from tadamun.filings.models import Filing, FilingStatus
from tadamun.funds import get_fund
from tadamun.housekeeping import tasks
from tadamun.housekeeping.schedule import job_names
from tadamun.housekeeping.selectors import insured_ranges
from tadamun.insured.models import RightsStatus
from tadamun.ledger import services as ledger
from tadamun.ledger.models import Entry, EntryKind
from tadamun.ledger.selectors import ledger_accounts_overdue, ledger_due_schedule
from tadamun.payments.models import PaymentIntent
from tadamun.payments.services import payment_start
from tadamun.registry import services as registry
from tadamun.registry.models import Agency, Employer, Employment, InsuredPerson
from tadamun.rules.penalties import late_payment
from tests.certificates.conftest import World
from tests.certificates.conftest import world as world  # the fixture
from tests.documents import samples
from tests.filings.conftest import bds, member, upload
from tests.registry.factories import agency_for, employer_for, person_fields
from tests.support.people import make_user

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def run(*names: str) -> str:
    out = StringIO()
    call_command("housekeeping", "--only", *names, stdout=out)
    return out.getvalue()


@pytest.fixture
def algeria(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = "dz-cnas"


@pytest.fixture
def agency(algeria: None) -> Agency:
    return agency_for("dz-cnas")


def account(agency: Agency, serial: int, **overrides: Any) -> Employer:
    return employer_for(agency, serial=serial, name_latin=f"Firm {serial}", **overrides)


def due(
    employer: Employer, label: str, on: dt.date, amount: int, branch: str = "retirement"
) -> Entry:
    [entry] = ledger.ledger_post_dues(
        employer=employer,
        source=f"declaration:{employer.pk}:{label}:{branch}",
        period_label=label,
        due_date=on,
        currency="DZD",
        amounts={branch: amount},
    )
    return entry


def pay(employer: Employer, amount: int) -> None:
    ledger.ledger_post_payment(
        employer=employer, source=f"payment:{secrets.token_hex(6)}", amount=amount, currency="DZD"
    )


def penalties_of(employer: Employer) -> int:
    total = Entry.objects.filter(employer=employer, kind=EntryKind.PENALTY).aggregate(
        s=Sum("amount")
    )
    return int(total["s"] or 0)


TODAY = timezone.localdate()
LATE = TODAY - dt.timedelta(days=100)  # a due date three months gone
SOON = TODAY + dt.timedelta(days=20)  # a due date to come


# --- penalties -----------------------------------------------------------------------------------


def test_penalties_are_posted_once_for_overdue_unpaid_dues_and_not_twice(agency: Agency) -> None:
    late = account(agency, 1)
    overdue = due(late, "2026-01", LATE, 1_000_000)
    paid = account(agency, 2)
    due(paid, "2026-01", LATE, 1_000_000)
    pay(paid, 1_000_000)
    early = account(agency, 3)
    due(early, "2026-02", SOON, 1_000_000)

    out = run("penalties")

    expected = late_payment(
        get_fund("dz-cnas").pack(), amount=1_000_000, due=LATE, paid=TODAY, branch="retirement"
    ).penalty
    [penalty] = Entry.objects.filter(kind=EntryKind.PENALTY)
    assert (penalty.employer_id, penalty.applies_to_id, penalty.amount) == (
        late.pk,
        overdue.pk,
        expected,
    )
    assert expected > 0 and penalty.due_date == TODAY
    assert (
        out.strip()
        == f"penalties: penalties on {TODAY}: 1 account(s) overdue, 1 penalty entries posted, 0 account(s) failed"
    )
    # The same night again (cron retried, beat sent it twice): nothing more.
    assert "0 penalty entries posted" in run("penalties")
    assert Entry.objects.filter(kind=EntryKind.PENALTY).count() == 1


def test_a_voluntary_members_account_owes_the_abroad_regimes_surcharge(agency: Agency) -> None:
    holder = registry.insured_person_create(**person_fields("dz-cnas", 5))
    member_account = account(agency, 4, kind="voluntary", holder=holder)
    due(member_account, "2026-Q1", LATE, 1_000_000)
    run("penalties")
    packs = {r: get_fund("dz-cnas").pack(r) for r in ("dz-abroad", "dz-cnas")}
    abroad, salaried = (
        late_payment(packs[r], amount=1_000_000, due=LATE, paid=TODAY, branch="retirement").penalty
        for r in ("dz-abroad", "dz-cnas")
    )
    assert penalties_of(member_account) == abroad != salaried


def test_the_nightly_run_fans_out_one_job_per_chunk(
    agency: Agency, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Capture
) -> None:
    monkeypatch.setattr(tasks, "PENALTY_CHUNK", 2)
    accounts = [account(agency, n) for n in range(1, 6)]
    for employer in accounts:
        due(employer, "2026-01", LATE, 500_000)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        summary = tasks.penalties()  # what beat sends: the planning job
    assert summary == f"penalties on {TODAY}: 5 account(s) overdue, 3 chunk(s) queued"
    assert len(queued) == 3
    assert all(penalties_of(e) > 0 for e in accounts)
    assert Entry.objects.filter(kind=EntryKind.PENALTY).count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        tasks.penalties()
    assert Entry.objects.filter(kind=EntryKind.PENALTY).count() == 5  # idempotent


def test_the_overdue_accounts_are_found_in_one_query_and_match_the_allocation(
    agency: Agency, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    unpaid = account(agency, 1)
    due(unpaid, "2026-01", LATE, 1_000)
    paid = account(agency, 2)
    due(paid, "2026-01", LATE, 1_000)
    pay(paid, 1_000)
    future_only = account(agency, 3)
    due(future_only, "2026-02", SOON, 1_000)
    partly = account(agency, 4)
    due(partly, "2026-01", LATE, 1_000)
    pay(partly, 999)
    # Owes only what is not yet due: a positive balance, yet nothing overdue.
    ahead = account(agency, 5)
    due(ahead, "2026-01", LATE, 1_000)
    due(ahead, "2026-02", SOON, 500)
    pay(ahead, 1_000)
    # A waiver on the due to come does not settle the overdue one.
    waived = account(agency, 6)
    due(waived, "2026-01", LATE, 1_000)
    coming = due(waived, "2026-02", SOON, 500)
    ledger.ledger_post_waiver(employer=waived, entry_id=coming.pk, source="waiver:6", memo="agreed")
    pay(waived, 600)
    # A waiver on the overdue due settles it.
    forgiven = account(agency, 7)
    late = due(forgiven, "2026-01", LATE, 1_000)
    ledger.ledger_post_waiver(employer=forgiven, entry_id=late.pk, source="waiver:7", memo="agreed")
    nothing = account(agency, 8)

    with django_assert_num_queries(1):
        found = ledger_accounts_overdue(on=TODAY)

    truth = [
        e.pk
        for e in (unpaid, paid, future_only, partly, ahead, waived, forgiven, nothing)
        if any(
            line.overdue and line.kind == EntryKind.DUE
            for line in ledger_due_schedule(employer=e, on=TODAY).lines
        )
    ]
    assert found == truth == [unpaid.pk, partly.pk, waived.pk]


# --- payments ------------------------------------------------------------------------------------


def stale_intent(serial: int = 90) -> PaymentIntent:
    """A card payment started and abandoned at the gateway, its lifetime over."""
    employer = employer_for(agency_for("dz-cnas", code=f"16{serial}"), serial=serial)
    intent, _ = payment_start(
        employer=employer,
        amount=10_000,
        user=None,
        idempotency_key=f"abandoned-{serial}-{secrets.token_hex(4)}",
        return_url="https://portal.example/return",
        callback_url="https://portal.example/callback",
    )
    PaymentIntent.objects.filter(pk=intent.pk).update(
        status="pending", expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    intent.refresh_from_db()
    return intent


def test_an_abandoned_card_payment_expires(algeria: None) -> None:
    stale = stale_intent(90)
    live = stale_intent(91)
    PaymentIntent.objects.filter(pk=live.pk).update(
        expires_at=timezone.now() + dt.timedelta(minutes=10)
    )
    assert run("payments_expire").strip() == "payments_expire: payments: 1 intent(s) expired"
    stale.refresh_from_db()
    live.refresh_from_db()
    assert (stale.status, live.status) == ("expired", "pending")
    assert "0 intent(s) expired" in run("payments_expire")


# --- certificates --------------------------------------------------------------------------------


@pytest.fixture
def morocco(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = "ma-cnss"


def test_a_certificate_whose_affiliation_ended_is_revoked(morocco: None, world: World) -> None:
    certificate = certificates.certificate_issue(
        kind="affiliation", requested_by=world.person_user, insured=world.person
    )
    registry.employment_end(
        employment=Employment.objects.get(insured=world.person),
        end_date=timezone.localdate() - dt.timedelta(days=1),
        end_reason="resignation",
    )
    assert "1 certificate(s) revoked" in run("certificates_sweep")
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "affiliation_ended"
    assert "0 certificate(s) revoked" in run("certificates_sweep")


# --- documents -----------------------------------------------------------------------------------


def test_stray_document_files_are_deleted_and_kept_ones_stay(algeria: None) -> None:
    person = make_user("amina@example.dz")
    kept = document_store(
        owner=person, kind="id", upload=samples.upload("a.pdf", samples.pdf_bytes())
    )
    stray_old, stray_new = storage.write(b"left by a rollback"), storage.write(b"in flight")
    for name in (kept.storage_name, stray_old):
        os.utime(storage.path_of(name), (1, 1))
    assert "1 stray file(s) deleted" in run("documents_sweep")
    assert storage.path_of(kept.storage_name).exists()
    assert not storage.path_of(stray_old).exists()
    assert storage.path_of(stray_new).exists()  # younger than an hour: an upload may own it
    assert Document.objects.count() == 1


# --- rights --------------------------------------------------------------------------------------


@pytest.fixture
def people(algeria: None) -> list[InsuredPerson]:
    made = [registry.insured_person_create(**person_fields("dz-cnas", n)) for n in range(1, 6)]
    registry.insured_person_create(**person_fields("ma-cnss", 1))  # another fund's
    return made


def test_the_rights_are_refreshed_for_every_insured_person_of_the_fund(
    people: list[InsuredPerson], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "RIGHTS_CHUNK", 2)
    assert "refreshed for 5 insured person(s)" in run("rights_refresh")
    rows = RightsStatus.objects.order_by("insured_id")
    assert [r.insured_id for r in rows] == [p.pk for p in people]
    assert {r.fund for r in rows} == {"dz-cnas"}
    first = {r.pk: r.computed_at for r in rows}
    run("rights_refresh")
    again = RightsStatus.objects.order_by("insured_id")
    assert [r.pk for r in again] == list(first)  # updated in place, none added
    assert all(r.computed_at >= first[r.pk] for r in again)


def test_the_rights_run_queues_one_job_per_range(
    people: list[InsuredPerson],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    ranges = insured_ranges(fund="dz-cnas", size=2)
    ids = [p.pk for p in people]
    assert ranges == [(0, ids[1]), (ids[1], ids[3]), (ids[3], ids[4])]
    monkeypatch.setattr(tasks, "RIGHTS_CHUNK", 2)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert tasks.rights_refresh() == f"rights on {TODAY}: 3 chunk(s) queued"
    assert len(queued) == 3
    assert sorted(RightsStatus.objects.values_list("insured_id", flat=True)) == ids


# --- filings -------------------------------------------------------------------------------------


def test_stuck_filings_are_queued_again_and_processed(
    morocco: None, settings: SettingsWrapper, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.TADAMUN_BROKER_VISIBILITY_TIMEOUT = 3600
    agency = agency_for("ma-cnss", code="01")
    firms = [employer_for(agency, serial=n, name_latin=f"Firm {n}") for n in (1, 2, 3)]
    filings = []
    for n, employer in enumerate(firms, start=1):
        fields = person_fields("ma-cnss", n)
        fields.pop("fund")
        [person] = registry.insured_person_bulk_create(
            people=[registry.NewInsuredPerson(**fields)], fund="ma-cnss"
        )
        registry.employment_bulk_create(
            employer=employer, hires=[registry.NewEmployment(person, dt.date(2025, 1, 1))]
        )
        user: User = member(employer, f"owner{n}@example.ma")
        # Uploaded while "the broker was down": the commit's job never ran (test transaction).
        filings.append(upload(employer, user, bds(employer, [person])))
    lost_queued, lost_processing, fresh = filings
    hours_ago = timezone.now() - dt.timedelta(hours=3)
    Filing.objects.filter(pk=lost_queued.pk).update(created_at=hours_ago)
    Filing.objects.filter(pk=lost_processing.pk).update(
        created_at=hours_ago, status=FilingStatus.PROCESSING, started_at=hours_ago, attempts=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        out = run("filings_requeue")

    assert "filings: 2 stuck filing(s) queued again" in out
    for filing in filings:
        filing.refresh_from_db()
    assert lost_queued.status == lost_processing.status == FilingStatus.ACCEPTED
    assert lost_processing.attempts == 2
    assert fresh.status == FilingStatus.QUEUED  # an hour has not passed: its job may be coming
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 stuck filing(s)" in run("filings_requeue")


def test_only_runs_the_named_jobs_and_no_name_runs_them_all(agency: Agency) -> None:
    late = account(agency, 1)
    due(late, "2026-01", LATE, 1_000_000)
    stale = stale_intent(92)
    out = run("payments_expire")
    assert out.splitlines() == ["payments_expire: payments: 1 intent(s) expired"]
    assert penalties_of(late) == 0
    stale.refresh_from_db()
    assert stale.status == "expired"

    everything = StringIO()
    call_command("housekeeping", stdout=everything)
    names = [line.split(":")[0] for line in everything.getvalue().splitlines()]
    assert names == job_names()
    assert penalties_of(late) > 0


def test_one_broken_account_does_not_stop_the_others_and_the_run_says_it_failed(
    agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, sound = account(agency, 1), account(agency, 2)
    for employer in (broken, sound):
        due(employer, "2026-01", LATE, 1_000_000)
    real = ledger.ledger_post_penalties

    def post(*, employer: Employer, **kw: Any) -> list[Entry]:
        if employer.pk == broken.pk:
            raise RuntimeError("corrupt account")
        return real(employer=employer, **kw)

    monkeypatch.setattr("tadamun.housekeeping.services.ledger_post_penalties", post)
    stale = stale_intent(93)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "housekeeping", "--only", "penalties", "payments_expire", stdout=out, stderr=err
        )
    assert str(info.value) == "job(s) failed: penalties"
    assert "1 account(s) failed" in err.getvalue()
    assert (penalties_of(broken), penalties_of(sound) > 0) == (0, True)
    assert "payments: 1 intent(s) expired" in out.getvalue()  # the next job still ran
    stale.refresh_from_db()
    assert stale.status == "expired"
