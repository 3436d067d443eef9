"""Issuing certificates from the record, refusing what does not hold, revoking when the situation
changes, and verifying what is presented."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from tadamun.certificates import services
from tadamun.certificates.models import Certificate
from tadamun.errors import InvalidInput
from tadamun.ledger import services as ledger
from tadamun.registry import services as registry
from tadamun.registry.models import Employment
from tests.certificates.conftest import World, declare

pytestmark = pytest.mark.django_db


def test_affiliation_certificate_states_the_record_and_verifies(world: World) -> None:
    certificate = services.certificate_issue(
        kind="affiliation", requested_by=world.person_user, insured=world.person
    )
    assert certificate.number.startswith(f"CERT-{timezone.localdate().year}-")
    assert certificate.facts == {"since": "2025-01-01", "active": "yes"}
    assert world.person.ssn not in certificate.token  # only the masked number is signed
    assert certificate.identifier_masked.endswith(world.person.ssn[-3:])
    result = services.certificate_verify(token=certificate.token)
    assert result.outcome == "valid"
    assert result.statement is not None and result.statement.number == certificate.number


def test_no_affiliation_in_force_is_refused_and_nothing_is_written(world: World) -> None:
    employment = Employment.objects.get(insured=world.person)
    registry.employment_end(
        employment=employment, end_date=dt.date(2025, 6, 30), end_reason="resignation"
    )
    with pytest.raises(InvalidInput) as caught:
        services.certificate_issue(
            kind="affiliation", requested_by=world.person_user, insured=world.person
        )
    assert caught.value.problems[0].code == "not_affiliated"
    assert not Certificate.objects.exists()


def test_the_affiliation_certificate_is_revoked_when_the_employment_ends(world: World) -> None:
    certificate = services.certificate_issue(
        kind="affiliation", requested_by=world.person_user, insured=world.person
    )
    registry.employment_end(
        employment=Employment.objects.get(insured=world.person),
        end_date=timezone.localdate() - dt.timedelta(days=1),
        end_reason="resignation",
    )
    result = services.certificate_verify(token=certificate.token)
    assert result.outcome == "revoked"
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == "affiliation_ended"


def test_wages_certificate_sums_the_declarations_in_force(world: World) -> None:
    declare(world, "5000.00")
    certificate = services.certificate_issue(
        kind="wages", requested_by=world.person_user, insured=world.person, year=2026
    )
    assert certificate.facts == {
        "year": "2026", "currency": "MAD", "wages": "500000", "days": "26", "employers": "1"
    }  # fmt: skip


def test_a_replaced_declaration_revokes_the_wages_certificate(world: World) -> None:
    first = declare(world, "5000.00")
    certificate = services.certificate_issue(
        kind="wages", requested_by=world.person_user, insured=world.person, year=2026
    )
    declare(world, "6000.00", replaces=first)
    assert services.certificate_verify(token=certificate.token).outcome == "revoked"


@pytest.mark.parametrize("year", [None, 1949, 2999])
def test_a_wages_year_out_of_range_is_refused(world: World, year: int | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.certificate_issue(
            kind="wages", requested_by=world.person_user, insured=world.person, year=year
        )
    assert (caught.value.problems[0].field, caught.value.problems[0].code) == ("year", "bad_year")


def test_a_year_without_wages_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.certificate_issue(
            kind="wages", requested_by=world.person_user, insured=world.person, year=2020
        )
    assert caught.value.problems[0].code == "nothing_declared"
    assert "2020" in caught.value.problems[0].message("ar")


def test_unknown_kind_and_wrong_subject_are_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.certificate_issue(kind="x", requested_by=world.owner, employer=world.employer)
    assert caught.value.problems[0].code == "unknown_kind"
    with pytest.raises(InvalidInput) as caught:
        services.certificate_issue(
            kind="employer_up_to_date", requested_by=world.owner, insured=world.person
        )
    assert caught.value.problems[0].code == "wrong_subject"


def test_employer_with_overdue_dues_is_refused_then_certified_once_clean(world: World) -> None:
    declare(world, "5000.00")  # January 2026, due 10 February 2026: overdue today
    with pytest.raises(InvalidInput) as caught:
        services.certificate_issue(
            kind="employer_up_to_date", requested_by=world.owner, employer=world.employer
        )
    assert caught.value.problems[0].code == "not_up_to_date"


def test_employer_certificate_is_revoked_when_dues_become_overdue(world: World) -> None:
    certificate = services.certificate_issue(
        kind="employer_up_to_date", requested_by=world.owner, employer=world.employer
    )
    assert certificate.facts["overdue"] == "0"
    assert certificate.identifier_masked == world.employer.affiliate_number
    assert services.certificate_verify(token=certificate.token).outcome == "valid"
    ledger.ledger_post_dues(
        employer=world.employer,
        source="test:late",
        period_label="2026-09",
        due_date=timezone.localdate() - dt.timedelta(days=3),
        currency="MAD",
        amounts={"amo": 10_000},
    )
    assert services.certificates_sweep() == 1
    assert services.certificate_verify(token=certificate.token).outcome == "revoked"


def test_an_expired_certificate_says_expired(world: World) -> None:
    certificate = services.certificate_issue(
        kind="affiliation", requested_by=world.person_user, insured=world.person
    )
    later = timezone.now() + services.VALIDITY + dt.timedelta(days=2)
    assert services.certificate_verify(token=certificate.token, now=later).outcome == "expired"


def test_a_token_signed_by_us_but_not_the_one_issued_is_unknown(world: World) -> None:
    certificate = services.certificate_issue(
        kind="affiliation", requested_by=world.person_user, insured=world.person
    )
    Certificate.objects.filter(pk=certificate.pk).update(number="CERT-1999-000001")
    assert services.certificate_verify(token=certificate.token).outcome == "unknown"


def test_every_verification_is_logged_tampered_ones_included(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    certificate = services.certificate_issue(
        kind="affiliation", requested_by=world.person_user, insured=world.person
    )
    tampered = certificate.token[:-6] + (
        "AAAAAA" if not certificate.token.endswith("AAAAAA") else "BBBBBB"
    )
    with caplog.at_level(logging.INFO, logger="tadamun.certificates"):
        assert services.certificate_verify(token=tampered, client="203.0.113.9").outcome == "forged"
        services.certificate_verify(token=certificate.token, client="203.0.113.9")
    messages = [r.getMessage() for r in caplog.records]
    assert any("outcome=forged" in m and "203.0.113.9" in m for m in messages)
    assert any("outcome=valid" in m and certificate.number in m for m in messages)


def test_the_sweep_command_revokes_what_no_longer_holds(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    certificate = services.certificate_issue(
        kind="affiliation", requested_by=world.person_user, insured=world.person
    )
    registry.employment_end(
        employment=Employment.objects.get(insured=world.person),
        end_date=timezone.localdate() - dt.timedelta(days=1),
        end_reason="resignation",
    )
    out = StringIO()
    call_command("certificates_sweep", stdout=out)
    assert out.getvalue().strip() == "1 certificate(s) revoked"
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "affiliation_ended"
