"""Issuing insured numbers and contributor account numbers, with their keys, per fund.

Numbers come from the fund's identifier scheme (``registry.identifiers``: NSS, CNSS numbers…)
over a serial drawn from the numbering service. Numbers already issued by the fund before
Tadamun (imported, or the demo's) use low serials, so online issuance draws from the top tenth
of each scheme's serial range (a documented convention, like the keys themselves); a serial whose
number is somehow taken already is skipped. Must run inside ``transaction.atomic``: a rolled-back
caller gives its number back.
"""

from __future__ import annotations

from collections.abc import Callable

from tadamun.funds import FundProfile
from tadamun.numbering.services import number_next
from tadamun.registry.identifiers import IdentifierScheme
from tadamun.registry.models import Employer, InsuredPerson

#: Serial series are not yearly: year 0 holds their counter.
_NO_YEAR = 0
_ATTEMPTS = 1000


def _issue(scheme: IdentifierScheme, series: str, taken: Callable[[str], bool]) -> str:
    if scheme.issue is None:
        raise ValueError(f"{scheme.id} numbers are not issued by the fund")
    offset = (scheme.max_serial + 1) * 9 // 10
    for _ in range(_ATTEMPTS):
        serial = offset + number_next(series=series, year=_NO_YEAR)
        if serial > scheme.max_serial:
            raise RuntimeError(f"{series}: the online block of {scheme.id} is exhausted")
        number = scheme.issue(serial)
        if not taken(number):
            return number
    raise RuntimeError(f"{series}: {_ATTEMPTS} numbers in a row were already taken")


def insured_number_issue(*, fund: FundProfile) -> str:
    """A new insured (social security) number of ``fund``, with its key."""
    return _issue(
        fund.insured_number,
        f"insured-number:{fund.code}",
        lambda n: InsuredPerson.objects.filter(fund=fund.code, ssn=n).exists(),
    )


def account_number_issue(*, fund: FundProfile) -> str:
    """A new contributor account number of ``fund`` (the employer-number scheme), with its key."""
    return _issue(
        fund.employer_number,
        f"account-number:{fund.code}",
        lambda n: Employer.objects.filter(fund=fund.code, affiliate_number=n).exists(),
    )
