"""Registry records for tests, made through the services (so they are valid by construction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tadamun.funds import get_fund
from tadamun.registry import services
from tadamun.registry.models import Agency, Employer


def agency_for(fund: str, code: str = "1601") -> Agency:
    return services.agency_create(
        code=code,
        name_fr="Alger-Centre",
        name_ar="الجزائر الوسطى",
        name_en="Algiers Centre",
        fund=fund,
    )


def employer_for(agency: Agency, serial: int = 1, **overrides: Any) -> Employer:
    fund = get_fund(agency.fund)
    assert fund.employer_number.issue is not None
    classes = fund.activity_classes()
    fields: dict[str, Any] = {
        "affiliate_number": fund.employer_number.issue(serial),
        "name_latin": "Atlas Industries",
        "name_arabic": "أطلس للصناعات",
        "agency": agency,
        "activity_class": classes[0] if classes else "",
        "fund": agency.fund,
    }
    fields.update(overrides)
    return services.employer_create(**fields)


def person_fields(fund: str = "dz-cnas", serial: int = 1, **overrides: Any) -> dict[str, Any]:
    profile = get_fund(fund)
    assert profile.insured_number.issue is not None
    fields: dict[str, Any] = {
        "ssn": profile.insured_number.issue(serial),
        "surname_latin": "Benali",
        "first_names_latin": "Amina",
        "surname_arabic": "بن علي",
        "first_names_arabic": "أمينة",
        "birth_date": dt.date(1990, 4, 12),
        "sex": "F",
        "national_id": "",
        "fund": fund,
    }
    fields.update(overrides)
    return fields
