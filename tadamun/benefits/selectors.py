"""Reads of retirement requests: only the person's own."""

from __future__ import annotations

from tadamun.benefits.models import RetirementRequest
from tadamun.registry.models import InsuredPerson


def retirement_requests(*, insured: InsuredPerson) -> list[RetirementRequest]:
    return list(RetirementRequest.objects.filter(insured=insured).select_related("dossier"))
