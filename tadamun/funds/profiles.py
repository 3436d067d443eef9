"""The funds Tadamun runs, as data: currency, languages, time zone, identifiers, regimes, deadlines.

Pure Python (no Django). ``TADAMUN_FUND`` picks one profile; the settings read its languages and
time zone, the registry its identifier schemes, the declarations its periodicity and due dates.

Where a regime's parameter pack (``tadamun/rules/packs/<id>/declarations.yaml``) holds a value —
a due day, a headcount threshold — the pack wins, dated and cited; the profile's own number is
the fallback used only when the pack has none, and says where it comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from tadamun.funds.periods import Period, Periodicity
from tadamun.registry.identifiers import SCHEMES, IdentifierScheme
from tadamun.rules.errors import NotInForce
from tadamun.rules.money import Currency
from tadamun.rules.parameters import Pack, load_packs

Texts = Mapping[str, str]


class UnknownFund(LookupError):
    """``TADAMUN_FUND`` (or a caller) named a fund that has no profile."""


@dataclass(frozen=True)
class PackValue:
    """An integer read from a regime's pack when it has the parameter, else ``default``."""

    default: int
    pack_param: str | None = None
    source: str = ""

    def value(self, pack: Pack | None, on: dt.date) -> int:
        if pack is not None and self.pack_param and pack.has_param(self.pack_param):
            try:
                return pack.param(self.pack_param).int_at(on)
            except NotInForce:
                pass
        return self.default


@dataclass(frozen=True)
class DueRule:
    """When a period's declaration and payment are due.

    ``day_of_following_month``: on day N of the month after the period ends (Morocco's BDS).
    ``days_after_period``: N days after the period's last day (Tunisia's DS, Algeria's DAC).
    """

    kind: Literal["day_of_following_month", "days_after_period"]
    days: PackValue

    def due_date(self, period: Period, pack: Pack | None) -> dt.date:
        n = self.days.value(pack, period.start)
        if self.kind == "days_after_period":
            return period.end + dt.timedelta(days=n)
        following = period.end + dt.timedelta(days=1)
        return following.replace(day=n)


@dataclass(frozen=True)
class FundProfile:
    code: str
    country: str
    name: Texts
    short_name: Texts
    country_name: Texts
    currency_code: str
    languages: tuple[str, ...]
    default_language: str
    timezone: str
    employer_number: IdentifierScheme
    insured_number: IdentifierScheme
    legal_identifier: IdentifierScheme
    national_id: IdentifierScheme
    #: Parameter-pack ids of the regimes the fund runs; the first is the employers' regime.
    regimes: tuple[str, ...]
    periodicities: tuple[Periodicity, ...]
    default_periodicity: Periodicity
    due: DueRule
    #: Headcount from which an employer declares monthly rather than quarterly (Algeria's DAC).
    monthly_headcount_threshold: PackValue | None = None

    @property
    def currency(self) -> Currency:
        return Currency.of(self.currency_code)

    @property
    def employer_regime(self) -> str:
        return self.regimes[0]

    def name_in(self, language: str) -> str:
        return self.name.get(language.split("-")[0], self.name["en"])

    def short_name_in(self, language: str) -> str:
        return self.short_name.get(language.split("-")[0], self.short_name["en"])

    def pack(self, regime: str | None = None) -> Pack:
        """The parameter pack of ``regime`` (the employers' regime by default)."""
        return load_packs().regime(regime or self.employer_regime)

    def activity_classes(self) -> tuple[str, ...]:
        """Work-accident classes of the employers' regime ('' when its rate is the same for all)."""
        return self.pack().activity_classes()

    def periodicity_for(self, *, headcount: int, on: dt.date) -> Periodicity:
        """The declaration periodicity of an employer with ``headcount`` workers on ``on``."""
        if self.monthly_headcount_threshold is None:
            return self.default_periodicity
        threshold = self.monthly_headcount_threshold.value(self.pack(), on)
        return Periodicity.MONTHLY if headcount >= threshold else Periodicity.QUARTERLY

    def due_date(self, period: Period) -> dt.date:
        """The last day on which the declaration (and payment) of ``period`` is on time."""
        if period.periodicity not in self.periodicities:
            allowed = ", ".join(p.value for p in self.periodicities)
            raise ValueError(f"{self.code} declares {allowed}, not {period.periodicity.value}")
        return self.due.due_date(period, self.pack())


_ALL_LANGUAGES = ("fr", "ar", "en")

#: Morocco's and Tunisia's funds bear the same name.
_CNSS_NAME = {
    "fr": "Caisse nationale de sécurité sociale",
    "ar": "الصندوق الوطني للضمان الاجتماعي",
    "en": "National Social Security Fund",
}
_CNSS_SHORT_NAME = {"fr": "CNSS", "ar": "CNSS", "en": "CNSS"}
_ALGERIA = {"fr": "Algérie", "ar": "الجزائر", "en": "Algeria"}

DZ_CNAS = FundProfile(
    code="dz-cnas",
    country="DZ",
    name={
        "fr": "Caisse nationale des assurances sociales des travailleurs salariés",
        "ar": "الصندوق الوطني للتأمينات الاجتماعية للعمال الأجراء",
        "en": "National Social Insurance Fund for Salaried Workers",
    },
    short_name={"fr": "CNAS", "ar": "CNAS", "en": "CNAS"},
    country_name=_ALGERIA,
    currency_code="DZD",
    languages=_ALL_LANGUAGES,
    default_language="fr",
    timezone="Africa/Algiers",
    employer_number=SCHEMES["dz-cnas-employer"],
    insured_number=SCHEMES["dz-nss"],
    legal_identifier=SCHEMES["dz-nif"],
    national_id=SCHEMES["dz-nin"],
    regimes=("dz-cnas", "dz-casnos", "dz-abroad"),
    periodicities=(Periodicity.MONTHLY, Periodicity.QUARTERLY),
    default_periodicity=Periodicity.MONTHLY,
    due=DueRule(
        "days_after_period",
        PackValue(
            30,
            "declarations.dac.due_days",
            "loi 83-14: contributions paid within 30 days after the month or quarter (U)",
        ),
    ),
    monthly_headcount_threshold=PackValue(
        10, "declarations.dac.monthly_headcount_threshold", "press: 10 employees (C)"
    ),
)

MA_CNSS = FundProfile(
    code="ma-cnss",
    country="MA",
    name=_CNSS_NAME,
    short_name=_CNSS_SHORT_NAME,
    country_name={"fr": "Maroc", "ar": "المغرب", "en": "Morocco"},
    currency_code="MAD",
    languages=_ALL_LANGUAGES,
    default_language="fr",
    timezone="Africa/Casablanca",
    employer_number=SCHEMES["ma-cnss-affiliate"],
    insured_number=SCHEMES["ma-cnss-insured"],
    legal_identifier=SCHEMES["ma-ice"],
    national_id=SCHEMES["ma-cin"],
    regimes=("ma-cnss",),
    periodicities=(Periodicity.MONTHLY,),
    default_periodicity=Periodicity.MONTHLY,
    due=DueRule(
        "day_of_following_month",
        PackValue(10, "declarations.bds.due_day", "BDS before the 10th of the next month (U)"),
    ),
)

TN_CNSS = FundProfile(
    code="tn-cnss",
    country="TN",
    name=_CNSS_NAME,
    short_name=_CNSS_SHORT_NAME,
    country_name={"fr": "Tunisie", "ar": "تونس", "en": "Tunisia"},
    currency_code="TND",
    languages=_ALL_LANGUAGES,
    default_language="fr",
    timezone="Africa/Tunis",
    employer_number=SCHEMES["tn-cnss-employer"],
    insured_number=SCHEMES["tn-cnss-insured"],
    legal_identifier=SCHEMES["tn-mf"],
    national_id=SCHEMES["tn-cin"],
    regimes=("tn-cnss-rsna",),
    periodicities=(Periodicity.QUARTERLY,),
    default_periodicity=Periodicity.QUARTERLY,
    due=DueRule(
        "days_after_period",
        PackValue(15, "declarations.ds.due_days", "DS within 15 days after the quarter (S)"),
    ),
)

#: CASNOS Algeria: the self-employed. Each contributor account (``registry.Employer`` of kind
#: ``self_employed``) is numbered with the same 8 digits + MOD 97-10 key convention as CNAS
#: employers, and the person keeps their one NSS. Income is declared once a year (the pack holds
#: the 31 January deadline; this DueRule is only the profile's fallback: 31 days after the year).
DZ_CASNOS = FundProfile(
    code="dz-casnos",
    country="DZ",
    name={
        "fr": "Caisse nationale de sécurité sociale des non-salariés",
        "ar": "الصندوق الوطني للضمان الاجتماعي لغير الأجراء",
        "en": "National Social Security Fund for the Self-Employed",
    },
    short_name={"fr": "CASNOS", "ar": "CASNOS", "en": "CASNOS"},
    country_name=_ALGERIA,
    currency_code="DZD",
    languages=_ALL_LANGUAGES,
    default_language="fr",
    timezone="Africa/Algiers",
    employer_number=SCHEMES["dz-cnas-employer"],
    insured_number=SCHEMES["dz-nss"],
    legal_identifier=SCHEMES["dz-nif"],
    national_id=SCHEMES["dz-nin"],
    regimes=("dz-casnos",),
    periodicities=(Periodicity.ANNUAL,),
    default_periodicity=Periodicity.ANNUAL,
    due=DueRule(
        "days_after_period",
        PackValue(31, None, "décret 15-289: annual income declared before 31 January (S)"),
    ),
)

FUNDS: dict[str, FundProfile] = {f.code: f for f in (DZ_CNAS, MA_CNSS, TN_CNSS, DZ_CASNOS)}
DEFAULT_FUND = "dz-cnas"


def get_fund(code: str) -> FundProfile:
    """The profile of ``code``; :class:`UnknownFund` lists the known funds otherwise."""
    try:
        return FUNDS[code]
    except KeyError:
        known = ", ".join(sorted(FUNDS))
        raise UnknownFund(f"unknown fund {code!r}; known funds: {known}") from None
