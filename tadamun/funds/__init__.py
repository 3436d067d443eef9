"""Fund profiles: what makes CNAS Algeria, CNSS Morocco and CNSS Tunisia differ, as data.

Importing this package does not import Django; :func:`current_fund` reads the settings lazily.
"""

from __future__ import annotations

from tadamun.funds.periods import Period, Periodicity
from tadamun.funds.profiles import (
    DEFAULT_FUND,
    FUNDS,
    DueRule,
    FundProfile,
    PackValue,
    UnknownFund,
    get_fund,
)

__all__ = [
    "DEFAULT_FUND",
    "FUNDS",
    "DueRule",
    "FundProfile",
    "PackValue",
    "Period",
    "Periodicity",
    "UnknownFund",
    "current_fund",
    "get_fund",
]


def current_fund() -> FundProfile:
    """The profile this deployment runs (``settings.TADAMUN_FUND``)."""
    from django.conf import settings

    return get_fund(settings.TADAMUN_FUND)
