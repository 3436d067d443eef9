"""Secrets the platform must read back — TOTP seeds — sealed at rest with AES-256-GCM.

A password is hashed because it only has to be compared; a TOTP seed has to be read to compute
the expected code, so it is encrypted instead. A copy of the database (a backup, a replica, a
dump handed to support) then holds no usable second factor without the deployment's secret key.

* **Keys** are derived with HKDF-SHA256 from Django's ``SECRET_KEY`` (the environment's
  ``TADAMUN_SECRET_KEY``): nothing new to provision. Values are sealed with the current key and
  opened with it or any of ``SECRET_KEY_FALLBACKS`` (``TADAMUN_SECRET_KEY_FALLBACKS``), so the
  secret key can be rotated without locking anybody out; a value is sealed again with the new key
  the next time it is saved.
* **Associated data** binds a sealed value to its column (``accounts.User.totp_secret``): copied
  into another column or another table, it does not open.
* A sealed value is ``sealed1:`` and URL-safe base64 of nonce (12 bytes), ciphertext and tag.
  Sealing is randomised, so a sealed column cannot be searched by equality — a secret never is.
"""

from __future__ import annotations

import base64
import functools
import os
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "sealed1:"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_INFO = b"tadamun sealed field v1"


class SealError(ValueError):
    """A sealed value that no configured key opens, or that is not a sealed value at all."""


@functools.lru_cache(maxsize=8)
def _derive(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return AESGCM(key)


def _secrets() -> list[str]:
    return [str(settings.SECRET_KEY), *map(str, getattr(settings, "SECRET_KEY_FALLBACKS", []))]


def seal(text: str, *, context: str) -> str:
    """``text`` sealed with the current key, bound to ``context`` (the column's name)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _derive(_secrets()[0]).encrypt(nonce, text.encode(), context.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(value: str, *, context: str) -> str:
    """The text sealed in ``value``; :class:`SealError` if no configured key opens it."""
    if not value.startswith(PREFIX):
        raise SealError(f"{context}: not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX) :].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SealError(f"{context}: damaged sealed value") from exc
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise SealError(f"{context}: damaged sealed value")
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for secret in _secrets():
        try:
            return _derive(secret).decrypt(nonce, sealed, context.encode()).decode()
        except InvalidTag:
            continue
    raise SealError(f"{context}: no configured secret key opens this value")


if TYPE_CHECKING:
    _CharField = models.CharField[Any, str]
else:  # django-stubs' generic parameters do not exist at run time
    _CharField = models.CharField


class SealedCharField(_CharField):
    """A text column stored sealed; the model attribute holds the plain text ("" stays "")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Room for the prefix, nonce, tag and base64 around a secret of up to 128 characters.
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def _context(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return unseal(value, context=self._context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return seal(str(value), context=self._context())
