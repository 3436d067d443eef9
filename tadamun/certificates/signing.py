"""Signed statements carried by a certificate's QR code, verifiable offline.

Pure Python (``cryptography``, no Django): a relying party — a bank, a consulate, another fund —
checks a certificate with nothing but the fund's published Ed25519 public key, the way
``tadamun certificates verify`` does.

A token is ``TDM1.<payload>.<signature>``: the payload is the statement as canonical JSON (sorted
keys, no spaces, UTF-8), both parts base64url without padding. The signature covers the prefix and
the payload, so a token cannot be replayed under another version. ``kid`` names the key (the
first 16 hex digits of the SHA-256 of the raw public key), so a fund can rotate keys and keep
verifying what it signed before.

What the statement holds is what the paper says, so that a reader can compare the two: the
certificate number, its kind, the holder's name and masked identifier, the facts stated, the date
of issue and the end of validity. Revocation cannot be known offline: the public verification
page says whether the fund has since revoked the certificate.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "TDM1"
#: A QR code of version 40 holds ~2,900 bytes; refuse anything that could not have come from one
#: before decoding it.
MAX_TOKEN_LENGTH = 2_900
KINDS = ("affiliation", "wages", "employer_up_to_date")


class TokenError(ValueError):
    """The token is not a valid certificate. ``code`` says why: ``malformed`` (not a token at
    all), ``unknown_key`` (signed with a key this fund never published), ``forged`` (the
    signature does not match the content)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class Statement:
    """What a certificate states, as signed."""

    kid: str
    fund: str
    kind: str
    number: str
    holder: str
    identifier: str  # masked
    issued: dt.date
    valid_until: dt.date
    facts: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "kid": self.kid,
            "fund": self.fund,
            "kind": self.kind,
            "no": self.number,
            "holder": self.holder,
            "id": self.identifier,
            "iss": self.issued.isoformat(),
            "exp": self.valid_until.isoformat(),
            "facts": dict(sorted(self.facts.items())),
        }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in _B64_ALPHABET for c in text):
        raise TokenError("malformed", "not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("malformed", "not base64url") from None


_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the certificate signing key must be an Ed25519 private key")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def new_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def sign(statement: Statement, private_key: Ed25519PrivateKey) -> str:
    """The token for ``statement``; ``statement.kid`` must be the key's id."""
    if statement.kid != key_id(private_key.public_key()):
        raise ValueError("the statement names another key than the one signing it")
    payload = _b64(_canonical(statement.as_json()))
    signed = f"{PREFIX}.{payload}".encode("ascii")
    return f"{PREFIX}.{payload}.{_b64(private_key.sign(signed))}"


def _statement(data: object) -> Statement:
    if not isinstance(data, dict) or data.get("v") != 1:
        raise TokenError("malformed", "unknown statement version")
    try:
        facts = data["facts"]
        if not isinstance(facts, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in facts.items()
        ):
            raise TypeError("facts")
        texts = {
            key: data[key] for key in ("kid", "fund", "kind", "no", "holder", "id", "iss", "exp")
        }
        if not all(isinstance(value, str) for value in texts.values()):
            raise TypeError("text")
        return Statement(
            kid=texts["kid"],
            fund=texts["fund"],
            kind=texts["kind"],
            number=texts["no"],
            holder=texts["holder"],
            identifier=texts["id"],
            issued=dt.date.fromisoformat(texts["iss"]),
            valid_until=dt.date.fromisoformat(texts["exp"]),
            facts=facts,
        )
    except (KeyError, TypeError, ValueError):
        raise TokenError("malformed", "the statement lacks a field or has a wrong one") from None


def verify(token: str, public_keys: Mapping[str, Ed25519PublicKey]) -> Statement:
    """The statement signed in ``token`` by one of ``public_keys`` (by key id), or
    :class:`TokenError` saying why not. Nothing in the payload is trusted before the signature
    has been checked."""
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("malformed", "too long to be a certificate")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenError("malformed", f"a certificate token reads {PREFIX}.<payload>.<signature>")
    payload_bytes = _unb64(parts[1])
    signature = _unb64(parts[2])
    try:
        unverified = json.loads(payload_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TokenError("malformed", "the payload is not JSON") from None
    kid = unverified.get("kid") if isinstance(unverified, dict) else None
    key = public_keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise TokenError("unknown_key", "signed with a key this fund has not published")
    try:
        key.verify(signature, f"{PREFIX}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        raise TokenError("forged", "the signature does not match the content") from None
    return _statement(unverified)
