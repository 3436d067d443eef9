"""Countries (ISO 3166 codes, names from the CLDR through Babel) and the Algerian consulates a
member may be registered at (pure data). A fund adds a consulate here; the code is stored."""

from __future__ import annotations

from functools import cache

from babel import Locale

#: code -> (country, names fr / ar / en)
CONSULATES: dict[str, tuple[str, dict[str, str]]] = {
    "FR-PARIS": ("FR", {"fr": "Paris", "ar": "باريس", "en": "Paris"}),
    "FR-NANTERRE": ("FR", {"fr": "Nanterre", "ar": "نانتير", "en": "Nanterre"}),
    "FR-BOBIGNY": ("FR", {"fr": "Bobigny", "ar": "بوبيني", "en": "Bobigny"}),
    "FR-CRETEIL": ("FR", {"fr": "Créteil", "ar": "كريتاي", "en": "Créteil"}),
    "FR-MARSEILLE": ("FR", {"fr": "Marseille", "ar": "مرسيليا", "en": "Marseille"}),
    "FR-LYON": ("FR", {"fr": "Lyon", "ar": "ليون", "en": "Lyon"}),
    "FR-LILLE": ("FR", {"fr": "Lille", "ar": "ليل", "en": "Lille"}),
    "FR-TOULOUSE": ("FR", {"fr": "Toulouse", "ar": "تولوز", "en": "Toulouse"}),
    "FR-STRASBOURG": ("FR", {"fr": "Strasbourg", "ar": "ستراسبورغ", "en": "Strasbourg"}),
    "BE-BRUXELLES": ("BE", {"fr": "Bruxelles", "ar": "بروكسل", "en": "Brussels"}),
    "DE-FRANKFURT": ("DE", {"fr": "Francfort", "ar": "فرانكفورت", "en": "Frankfurt"}),
    "ES-ALICANTE": ("ES", {"fr": "Alicante", "ar": "أليكانتي", "en": "Alicante"}),
    "ES-BARCELONA": ("ES", {"fr": "Barcelone", "ar": "برشلونة", "en": "Barcelona"}),
    "IT-MILANO": ("IT", {"fr": "Milan", "ar": "ميلانو", "en": "Milan"}),
    "GB-LONDON": ("GB", {"fr": "Londres", "ar": "لندن", "en": "London"}),
    "CH-GENEVE": ("CH", {"fr": "Genève", "ar": "جنيف", "en": "Geneva"}),
    "CA-MONTREAL": ("CA", {"fr": "Montréal", "ar": "مونتريال", "en": "Montreal"}),
    "US-NEWYORK": ("US", {"fr": "New York", "ar": "نيويورك", "en": "New York"}),
    "TN-TUNIS": ("TN", {"fr": "Tunis", "ar": "تونس", "en": "Tunis"}),
    "MA-CASABLANCA": ("MA", {"fr": "Casablanca", "ar": "الدار البيضاء", "en": "Casablanca"}),
    "AE-DUBAI": ("AE", {"fr": "Dubaï", "ar": "دبي", "en": "Dubai"}),
}


#: CLDR codes that are not countries (unknown region, outlying Oceania, EU, eurozone, UN).
_NOT_COUNTRIES = frozenset({"ZZ", "QO", "EU", "EZ", "UN"})


@cache
def _territories(language: str) -> dict[str, str]:
    names = Locale.parse(language).territories
    return {
        code: str(name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def countries(language: str) -> list[tuple[str, str]]:
    """Every country as (ISO code, name in ``language``), sorted by name."""
    names = _territories(language.split("-")[0])
    return sorted(names.items(), key=lambda item: item[1])


def country_codes() -> frozenset[str]:
    return frozenset(_territories("en"))


def country_name(code: str, language: str) -> str:
    return _territories(language.split("-")[0]).get(code, code)


def consulates(language: str) -> list[tuple[str, str]]:
    """Every consulate as (code, "City (Country)") in ``language``."""
    lang = language.split("-")[0]
    return [
        (code, f"{names.get(lang, names['en'])} ({country_name(country, lang)})")
        for code, (country, names) in CONSULATES.items()
    ]


def consulate_name(code: str, language: str) -> str:
    found = CONSULATES.get(code)
    if found is None:
        return code
    country, names = found
    lang = language.split("-")[0]
    return f"{names.get(lang, names['en'])} ({country_name(country, lang)})"
