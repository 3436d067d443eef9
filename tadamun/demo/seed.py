"""Demo data for the chosen fund, written through the registry's services.

Deterministic (same numbers and names on every machine) and idempotent: what exists is kept,
what is missing is added, so running it twice creates nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from tadamun.demo.names import FIRST_NAMES, SURNAMES
from tadamun.funds import FundProfile, get_fund
from tadamun.registry import selectors, services
from tadamun.registry.models import Agency, Employer, InsuredPerson

BIG_EMPLOYER_SIZE = 2000

_AGENCIES: dict[str, list[tuple[str, str, str, str]]] = {
    "DZ": [
        ("1601", "Alger-Centre", "الجزائر الوسطى", "Algiers Centre"),
        ("3101", "Oran", "وهران", "Oran"),
        ("2501", "Constantine", "قسنطينة", "Constantine"),
    ],
    "MA": [
        ("01", "Casablanca Anfa", "الدار البيضاء أنفا", "Casablanca Anfa"),
        ("02", "Rabat Hassan", "الرباط حسان", "Rabat Hassan"),
        ("03", "Fès Saïs", "فاس سايس", "Fez Sais"),
    ],
    "TN": [
        ("11", "Tunis", "تونس", "Tunis"),
        ("34", "Sfax", "صفاقس", "Sfax"),
        ("51", "Sousse", "سوسة", "Sousse"),
    ],
}

# (Latin name, Arabic name, headcount)
_EMPLOYERS: list[tuple[str, str, int]] = [
    ("Atlas Industries", "أطلس للصناعات", BIG_EMPLOYER_SIZE),
    ("Boulangerie Essalam", "مخبزة السلام", 4),
    ("Cabinet Médical Ennour", "عيادة النور الطبية", 6),
    ("Transports du Sahel", "نقل الساحل", 12),
    ("Librairie El Andalous", "مكتبة الأندلس", 3),
]


def _ma_ice(serial: int) -> str:
    body = f"{serial:013d}"
    return body + f"{(97 - int(body) * 100 % 97) % 97:02d}"


_LEGAL_IDS: dict[str, Callable[[int], str]] = {
    "DZ": lambda serial: f"0{serial:014d}",
    "MA": _ma_ice,
    "TN": lambda serial: f"{serial:07d}MAM000",
}
_NATIONAL_IDS: dict[str, Callable[[int], str]] = {
    "DZ": lambda serial: f"1{serial:017d}",
    "MA": lambda serial: f"BK{serial % 1_000_000:06d}",
    "TN": lambda serial: f"{serial % 100_000_000:08d}",
}


@dataclass
class SeedReport:
    fund: str
    agencies_created: list[str] = field(default_factory=list)
    employers_created: list[str] = field(default_factory=list)
    insured_created: int = 0
    employments_created: int = 0
    employers: list[tuple[Employer, int]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Fund {self.fund}: created {len(self.agencies_created)} agencies, "
            f"{len(self.employers_created)} employers, {self.insured_created} insured persons, "
            f"{self.employments_created} employment links "
            f"(nothing is created twice; existing rows are kept).",
            "Employers:",
        ]
        for employer, headcount in self.employers:
            out.append(
                f"  {employer.affiliate_number}  {employer.name_latin} / {employer.name_arabic}"
                f"  — agency {employer.agency.code}, {headcount} employees,"
                f" {employer.declaration_periodicity}"
            )
        return out


def seed_demo(*, fund: str, big_employer_size: int = BIG_EMPLOYER_SIZE) -> SeedReport:
    profile = get_fund(fund)
    report = SeedReport(fund=profile.code)
    today = timezone.localdate()
    agencies = _seed_agencies(profile, report)
    next_person = 100_001
    for index, (name_latin, name_arabic, size) in enumerate(_EMPLOYERS):
        headcount = big_employer_size if size == BIG_EMPLOYER_SIZE else size
        employer = _seed_employer(
            profile,
            report,
            index,
            name_latin,
            name_arabic,
            agencies[index % len(agencies)],
            headcount,
            today,
        )
        people = _seed_people(profile, report, next_person, headcount)
        next_person += headcount
        _seed_employments(employer, people, report, today, seed=index)
        report.employers.append(
            (employer, selectors.employer_headcount(employer=employer, on=today))
        )
    return report


def _seed_agencies(profile: FundProfile, report: SeedReport) -> list[Agency]:
    agencies = []
    for code, fr, ar, en in _AGENCIES[profile.country]:
        agency = selectors.agency_get(fund=profile.code, code=code)
        if agency is None:
            agency = services.agency_create(
                code=code, name_fr=fr, name_ar=ar, name_en=en, fund=profile.code
            )
            report.agencies_created.append(code)
        agencies.append(agency)
    return agencies


def _seed_employer(
    profile: FundProfile,
    report: SeedReport,
    index: int,
    name_latin: str,
    name_arabic: str,
    agency: Agency,
    headcount: int,
    today: dt.date,
) -> Employer:
    assert profile.employer_number.issue is not None
    number = profile.employer_number.issue(1001 + index)
    employer = selectors.employer_get(fund=profile.code, affiliate_number=number)
    if employer is not None:
        return employer
    classes = profile.activity_classes()
    employer = services.employer_create(
        affiliate_number=number,
        name_latin=name_latin,
        name_arabic=name_arabic,
        agency=agency,
        legal_identifier=_LEGAL_IDS[profile.country](2001 + index),
        activity_class=classes[index % len(classes)] if classes else "",
        declaration_periodicity=profile.periodicity_for(headcount=headcount, on=today).value,
        fund=profile.code,
    )
    report.employers_created.append(number)
    return employer


def _seed_people(
    profile: FundProfile, report: SeedReport, first_serial: int, count: int
) -> list[InsuredPerson]:
    issue = profile.insured_number.issue
    assert issue is not None
    rng = random.Random(first_serial)
    wanted: list[services.NewInsuredPerson] = []
    for serial in range(first_serial, first_serial + count):
        sex = "F" if rng.random() < 0.4 else "M"
        surname, surname_ar = rng.choice(SURNAMES)
        first, first_ar = rng.choice(FIRST_NAMES[sex])
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
        wanted.append(
            services.NewInsuredPerson(
                ssn=issue(serial),
                surname_latin=surname,
                first_names_latin=first,
                surname_arabic=surname_ar,
                first_names_arabic=first_ar,
                birth_date=birth,
                sex=sex,
                national_id=_NATIONAL_IDS[profile.country](serial),
            )
        )
    ssns = [w.ssn for w in wanted]
    existing = {
        p.ssn: p
        for start in range(0, len(ssns), 500)
        for p in InsuredPerson.objects.filter(fund=profile.code, ssn__in=ssns[start : start + 500])
    }
    missing = [w for w in wanted if w.ssn not in existing]
    if missing:
        created = services.insured_person_bulk_create(people=missing, fund=profile.code)
        report.insured_created += len(created)
        existing.update(
            (p.ssn, p)
            for start in range(0, len(ssns), 500)
            for p in InsuredPerson.objects.filter(
                fund=profile.code, ssn__in=ssns[start : start + 500]
            )
        )
    return [existing[ssn] for ssn in ssns]


def _seed_employments(
    employer: Employer,
    people: list[InsuredPerson],
    report: SeedReport,
    today: dt.date,
    *,
    seed: int,
) -> None:
    linked = set(employer.employments.values_list("insured_id", flat=True))
    rng = random.Random(seed)
    hires = [
        services.NewEmployment(
            insured=person, start_date=today - dt.timedelta(days=rng.randrange(30, 10 * 365))
        )
        for person in people
        if person.pk not in linked
    ]
    if hires:
        report.employments_created += services.employment_bulk_create(
            employer=employer, hires=hires
        )
