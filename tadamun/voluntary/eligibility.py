"""Who may join: the automatic eligibility checks of décret 22-351, each with its reason.

Pure Python (no Django): the facts the registry knows (an open employment, a contributor account)
are passed in by the service. Every check is returned, passed or not, so that the page can show
the reason for each; the age limit is read from the pack (``declarations.affiliation.max_age``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tadamun.rules.parameters import Pack

ALGERIA = "DZ"
ACTIVITIES = ("salaried", "self_employed")


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``: one more on each birthday (someone born on 29 February
    turns a year older on 1 March in a common year)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Check:
    """One eligibility check: ``ok`` and why, in French, Arabic and English."""

    code: str
    ok: bool
    texts: Mapping[str, str]

    def message(self, language: str) -> str:
        return self.texts.get(language.split("-")[0], self.texts["en"])


@dataclass(frozen=True)
class Facts:
    """What the applicant declared and what the registry knows of them."""

    nationality: str
    country: str
    consular_number: str
    activity: str
    birth_date: dt.date
    affiliation_date: dt.date
    open_employment: bool
    contributor_account: bool


def _check(code: str, ok: bool, texts: dict[str, str]) -> Check:
    return Check(code=code, ok=ok, texts=texts)


def checks(facts: Facts, pack: Pack) -> list[Check]:
    """Every check, in the order the page shows them."""
    max_age = pack.param("declarations.affiliation.max_age").int_at(facts.affiliation_date)
    age = age_on(facts.birth_date, facts.affiliation_date)
    day = facts.affiliation_date.isoformat()
    found: list[Check] = []
    if facts.nationality == ALGERIA:
        found.append(
            _check(
                "nationality",
                True,
                {
                    "fr": "Nationalité algérienne : oui.",
                    "ar": "الجنسية الجزائرية: نعم.",
                    "en": "Algerian nationality: yes.",
                },
            )
        )
    else:
        found.append(
            _check(
                "nationality",
                False,
                {
                    "fr": "Nationalité algérienne : non. L'adhésion volontaire est réservée aux "
                    "membres de la communauté nationale à l'étranger (décret 22-351).",
                    "ar": "الجنسية الجزائرية: لا. الانتساب الطوعي مخصص لأفراد الجالية الوطنية "
                    "بالخارج (المرسوم 22-351).",
                    "en": "Algerian nationality: no. Voluntary membership is open to Algerian "
                    "nationals living abroad only (decree 22-351).",
                },
            )
        )
    abroad = facts.country != ALGERIA and bool(facts.country) and bool(facts.consular_number)
    found.append(
        _check(
            "consular_registration",
            abroad,
            {
                "fr": "Résidence à l'étranger et immatriculation consulaire : oui."
                if abroad
                else "Résidence à l'étranger et immatriculation consulaire : non. Il faut "
                "résider hors d'Algérie et être immatriculé dans un consulat algérien.",
                "ar": "الإقامة بالخارج والتسجيل القنصلي: نعم."
                if abroad
                else "الإقامة بالخارج والتسجيل القنصلي: لا. يجب الإقامة خارج الجزائر والتسجيل "
                "لدى قنصلية جزائرية.",
                "en": "Living abroad and registered at a consulate: yes."
                if abroad
                else "Living abroad and registered at a consulate: no. You must live outside "
                "Algeria and be registered at an Algerian consulate.",
            },
        )
    )
    working = facts.activity in ACTIVITIES
    found.append(
        _check(
            "activity_abroad",
            working,
            {
                "fr": "Activité professionnelle à l'étranger (salariée ou non salariée) : oui."
                if working
                else "Activité professionnelle à l'étranger : non déclarée.",
                "ar": "نشاط مهني بالخارج (أجير أو غير أجير): نعم."
                if working
                else "نشاط مهني بالخارج: غير مصرَّح به.",
                "en": "Professional activity abroad (salaried or self-employed): yes."
                if working
                else "Professional activity abroad: not declared.",
            },
        )
    )
    young = age < max_age
    found.append(
        _check(
            "age",
            young,
            {
                "fr": f"Âge à la date d'affiliation ({day}) : {age} ans, moins de {max_age} ans."
                if young
                else f"Âge à la date d'affiliation ({day}) : {age} ans. Il faut avoir moins de "
                f"{max_age} ans à l'affiliation.",
                "ar": f"السن في تاريخ الانتساب ({day}): {age} سنة، أقل من {max_age} سنة."
                if young
                else f"السن في تاريخ الانتساب ({day}): {age} سنة. يجب أن يكون السن أقل من "
                f"{max_age} سنة عند الانتساب.",
                "en": f"Age on the affiliation date ({day}): {age}, under {max_age}."
                if young
                else f"Age on the affiliation date ({day}): {age}. You must be under {max_age} "
                "when you join.",
            },
        )
    )
    if facts.open_employment:
        texts = {
            "fr": "Déjà affilié à titre obligatoire : oui, un emploi en cours est enregistré en "
            "Algérie. L'adhésion volontaire ne s'y ajoute pas.",
            "ar": "منتسب إجباريًا: نعم، توجد فترة عمل جارية مسجلة في الجزائر. لا يضاف إليها "
            "الانتساب الطوعي.",
            "en": "Already compulsorily affiliated: yes, an ongoing employment is recorded in "
            "Algeria. Voluntary membership cannot be added to it.",
        }
    elif facts.contributor_account:
        texts = {
            "fr": "Déjà affilié à titre obligatoire : oui, un compte cotisant (non-salarié ou "
            "adhérent) existe déjà à votre nom.",
            "ar": "منتسب إجباريًا: نعم، يوجد حساب اشتراك (غير أجير أو منخرط) باسمك.",
            "en": "Already compulsorily affiliated: yes, a contributor account (self-employed or "
            "member) already exists in your name.",
        }
    else:
        texts = {
            "fr": "Déjà affilié à titre obligatoire : non.",
            "ar": "منتسب إجباريًا: لا.",
            "en": "Already compulsorily affiliated: no.",
        }
    found.append(
        _check("not_compulsory", not (facts.open_employment or facts.contributor_account), texts)
    )
    return found


def eligible(found: Sequence[Check]) -> bool:
    return all(check.ok for check in found)
