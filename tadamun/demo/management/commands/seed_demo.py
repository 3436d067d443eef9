"""``tadamun seed_demo``: agencies, employers (one of 2,000), their accounts and twelve periods
of declarations and payments for the chosen fund."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tadamun.accounts.demo import seed_demo_accounts
from tadamun.demo.history import seed_demo_history
from tadamun.demo.seed import BIG_EMPLOYER_SIZE, seed_demo
from tadamun.demo.showcase import seed_demo_showcase
from tadamun.errors import InvalidInput
from tadamun.funds import FUNDS
from tadamun.insured.demo import seed_demo_insured
from tadamun.registry.selectors import agency_list


class Command(BaseCommand):
    help = "Seed demo data for the fund (idempotent: running it twice adds nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fund",
            default=None,
            choices=sorted(FUNDS),
            help="fund profile (default: TADAMUN_FUND)",
        )
        parser.add_argument(
            "--big-employer-size",
            type=int,
            default=BIG_EMPLOYER_SIZE,
            help=f"employees of the large employer (default {BIG_EMPLOYER_SIZE})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fund = options["fund"] or settings.TADAMUN_FUND
        try:
            report = seed_demo(fund=fund, big_employer_size=options["big_employer_size"])
        except InvalidInput as exc:
            raise CommandError(f"demo data refused: {exc}") from exc
        for line in report.lines():
            self.stdout.write(line)
        employers = [employer for employer, _ in report.employers]
        for line in seed_demo_accounts(
            employers=employers, agencies=list(agency_list(fund=report.fund))
        ):
            self.stdout.write(line)
        try:
            history = seed_demo_history(employers=employers)
        except InvalidInput as exc:
            raise CommandError(f"demo history refused: {exc}") from exc
        for line in history.lines():
            self.stdout.write(line)
        for line in seed_demo_insured(employers=employers, today=timezone.localdate()):
            self.stdout.write(line)
        for line in seed_demo_showcase(agencies=list(agency_list(fund=report.fund))):
            self.stdout.write(line)
