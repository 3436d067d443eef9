"""``tadamun refresh_rights``: recompute the stored care rights of every insured person of the
fund (rights lapse with time, so a nightly run keeps the partners' answers current), in chunks,
each chunk one transaction."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tadamun.funds import current_fund
from tadamun.insured.services import rights_refresh
from tadamun.registry.models import InsuredPerson


class Command(BaseCommand):
    help = "Recompute the stored care rights of the fund's insured persons."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        chunk = max(1, int(options["chunk"]))
        ids = list(
            InsuredPerson.objects.filter(fund=current_fund().code)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        written = 0
        for start in range(0, len(ids), chunk):
            with transaction.atomic():
                written += rights_refresh(insured_ids=ids[start : start + chunk])
        self.stdout.write(f"rights refreshed for {written} insured persons")
