from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from tadamun.certificates import keys


@register()
def signing_key_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.EMBEDDED or settings.DEBUG or keys.is_configured():
        return []
    return [
        Warning(
            "Certificates are signed with a key generated under var/.",
            hint="Set TADAMUN_CERTIFICATE_KEY_FILE to the fund's Ed25519 private key (PEM): a "
            "generated key changes with the machine and invalidates earlier certificates.",
            id="tadamun.certificates.W001",
        )
    ]
