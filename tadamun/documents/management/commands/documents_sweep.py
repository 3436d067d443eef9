"""``tadamun documents_sweep``: remove stored document files no row refers to (an upload whose
caller's transaction rolled back after the file was written). Safe to run at any time, e.g.
daily from cron."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tadamun.documents.services import documents_sweep


class Command(BaseCommand):
    help = "Remove stored document files that no document row refers to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="only files at least this old (uploads in flight are left alone)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        removed = documents_sweep(older_than=dt.timedelta(minutes=options["older_than_minutes"]))
        self.stdout.write(f"{removed} orphan file(s) removed")
