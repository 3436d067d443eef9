"""The fund's certificate signing key and the public keys it has published.

``TADAMUN_CERTIFICATE_KEY_FILE`` names a PEM file holding the Ed25519 private key (production:
keep it in the deployment's secret store, mounted read-only). Without it, a key is generated once
into ``var/certificate_signing_key.pem`` — right for the embedded default and the tests, and
flagged by ``manage.py check`` (tadamun.certificates.W001) anywhere else, because a key that
changes with the machine invalidates every certificate issued before.

``TADAMUN_CERTIFICATE_RETIRED_KEYS_FILE`` may name a PEM file of earlier public keys (one after
the other), so certificates signed before a rotation still verify.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from tadamun.certificates import signing

_PEM_BLOCK = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)


def _configured_path() -> Path | None:
    raw = os.environ.get("TADAMUN_CERTIFICATE_KEY_FILE", "").strip()
    return Path(raw) if raw else None


def is_configured() -> bool:
    return _configured_path() is not None


def _generated_path() -> Path:
    path = Path(settings.VAR_DIR) / "certificate_signing_key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            return path
        with os.fdopen(fd, "wb") as fh:
            fh.write(signing.new_private_key_pem())
    return path


@functools.cache
def private_key() -> Ed25519PrivateKey:
    path = _configured_path() or _generated_path()
    return signing.load_private_key(path.read_bytes())


def current_key_id() -> str:
    return signing.key_id(private_key().public_key())


def current_public_key_pem() -> str:
    return signing.public_key_pem(private_key().public_key())


@functools.cache
def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every key a certificate of this fund may have been signed with, by key id."""
    keys = {current_key_id(): private_key().public_key()}
    retired = os.environ.get("TADAMUN_CERTIFICATE_RETIRED_KEYS_FILE", "").strip()
    if retired:
        for block in _PEM_BLOCK.findall(Path(retired).read_bytes()):
            key = signing.load_public_key(block)
            keys.setdefault(signing.key_id(key), key)
    return keys
