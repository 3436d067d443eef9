"""Demo data: created through the services, for each fund, and never twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tadamun.demo.seed import BIG_EMPLOYER_SIZE, seed_demo
from tadamun.funds import FUNDS, get_fund
from tadamun.registry import selectors
from tadamun.registry.models import Agency, Employer, Employment, InsuredPerson

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Agency.objects.count(),
        Employer.objects.count(),
        InsuredPerson.objects.count(),
        Employment.objects.count(),
    )


@pytest.mark.parametrize("fund", sorted(FUNDS))
def test_seed_each_fund_idempotently(fund: str) -> None:
    first = seed_demo(fund=fund, big_employer_size=40)
    assert len(first.agencies_created) == 3
    assert len(first.employers_created) == 5
    assert first.insured_created == first.employments_created == 40 + 4 + 6 + 12 + 3
    counts = _counts()
    second = seed_demo(fund=fund, big_employer_size=40)
    assert second.agencies_created == second.employers_created == []
    assert second.insured_created == second.employments_created == 0
    assert _counts() == counts
    profile = get_fund(fund)
    for employer, _ in first.employers:
        assert profile.employer_number.validate(employer.affiliate_number)
        assert profile.legal_identifier.validate(employer.legal_identifier)
        assert employer.declaration_periodicity in {p.value for p in profile.periodicities}


def test_the_big_employer_has_2000_employees() -> None:
    report = seed_demo(fund="dz-cnas")
    big, headcount = report.employers[0]
    assert headcount == BIG_EMPLOYER_SIZE == 2000
    today = timezone.localdate()
    assert selectors.employer_headcount(employer=big, on=today) == 2000
    assert big.declaration_periodicity == "monthly"
    assert Employment.objects.filter(start_date__gt=today - dt.timedelta(days=29)).count() == 0


def test_command_prints_what_it_created() -> None:
    out = StringIO()
    call_command("seed_demo", "--fund", "ma-cnss", "--big-employer-size", "10", stdout=out)
    text = out.getvalue()
    assert "Fund ma-cnss: created 3 agencies, 5 employers, 35 insured persons" in text
    assert "Atlas Industries / أطلس للصناعات" in text
    out = StringIO()
    call_command("seed_demo", "--fund", "ma-cnss", "--big-employer-size", "10", stdout=out)
    assert (
        "created 0 agencies, 0 employers, 0 insured persons, 0 employment links" in out.getvalue()
    )
