from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tadamun.certificates.services import certificates_sweep


class Command(BaseCommand):
    help = "Re-check every certificate in force and revoke those whose situation has changed."

    def handle(self, *args: Any, **options: Any) -> None:
        revoked = certificates_sweep()
        self.stdout.write(f"{revoked} certificate(s) revoked")
