"""What a declaration line may contain, per fund, as data (pure Python).

Morocco's rules come from the BDS layout (``shared/reference/file-formats.md`` §1): days ≤ 26,
situation codes blank, SO, DE, IT, IL, AT, CS, MS, MP. Algeria's DAC and Tunisia's DS carry no
situation code or day count in their files; until the funds publish their own, the form uses the
same codes and bounds a day count by the calendar (31 a month, 92 a quarter). A correction is a
change of this table, not of code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tadamun.funds.periods import Periodicity

#: Every situation code the platform knows, with its meaning in the three languages.
SITUATIONS: dict[str, dict[str, str]] = {
    "": {"fr": "Normal", "ar": "عادي", "en": "Normal"},
    "SO": {"fr": "Sorti", "ar": "مغادر", "en": "Left"},
    "DE": {"fr": "Décédé", "ar": "متوفى", "en": "Deceased"},
    "IT": {"fr": "Congé de maternité", "ar": "عطلة أمومة", "en": "Maternity leave"},
    "IL": {"fr": "Maladie", "ar": "مرض", "en": "Illness"},
    "AT": {"fr": "Accident du travail", "ar": "حادثة شغل", "en": "Work accident"},
    "CS": {"fr": "Congé sans solde", "ar": "عطلة بدون أجر", "en": "Unpaid leave"},
    "MS": {"fr": "Maintenu sans salaire", "ar": "محتفظ به بدون أجر", "en": "Kept without salary"},
    "MP": {"fr": "Maladie professionnelle", "ar": "مرض مهني", "en": "Occupational disease"},
}

#: Codes whose line must have 0 days and a zero wage.
ZERO_LINE_SITUATIONS = frozenset({"CS", "MS", "MP"})
#: Codes a zero wage is allowed with (a normal line with no wage is a leaver: SO).
ZERO_WAGE_SITUATIONS = frozenset({"SO", "DE", "IT", "IL", "AT", "CS", "MS", "MP"})


@dataclass(frozen=True)
class DeclarationRules:
    situations: tuple[str, ...]
    max_days: Mapping[Periodicity, int]
    #: Days pre-filled for an employee with no previous line (a full period of work).
    full_days: Mapping[Periodicity, int]
    #: Above this wage (major units, per period) a line is a typing error, not a salary.
    max_wage_major: Mapping[Periodicity, int]
    source: str

    def days_bound(self, periodicity: Periodicity) -> int:
        return self.max_days[periodicity]


_ALL = tuple(SITUATIONS)
_CALENDAR = {Periodicity.MONTHLY: 31, Periodicity.QUARTERLY: 92, Periodicity.ANNUAL: 366}
_FULL = {Periodicity.MONTHLY: 30, Periodicity.QUARTERLY: 90, Periodicity.ANNUAL: 360}

RULES: dict[str, DeclarationRules] = {
    "ma-cnss": DeclarationRules(
        situations=_ALL,
        max_days={Periodicity.MONTHLY: 26},
        full_days={Periodicity.MONTHLY: 26},
        max_wage_major={Periodicity.MONTHLY: 5_000_000},
        source="BDS layout (file-formats.md §1): days ≤ 26, situation codes and their rules",
    ),
    "dz-cnas": DeclarationRules(
        situations=_ALL,
        max_days=_CALENDAR,
        full_days=_FULL,
        max_wage_major={
            Periodicity.MONTHLY: 50_000_000,
            Periodicity.QUARTERLY: 150_000_000,
            Periodicity.ANNUAL: 600_000_000,
        },
        source="no published day rule for the DAC: calendar bound; codes as Morocco's (U)",
    ),
    "tn-cnss": DeclarationRules(
        situations=_ALL,
        max_days=_CALENDAR,
        full_days=_FULL,
        max_wage_major={
            Periodicity.MONTHLY: 1_000_000,
            Periodicity.QUARTERLY: 3_000_000,
            Periodicity.ANNUAL: 12_000_000,
        },
        source="the DS carries no days: calendar bound; codes as Morocco's (U)",
    ),
}


def rules_for(fund: str) -> DeclarationRules:
    return RULES[fund]
