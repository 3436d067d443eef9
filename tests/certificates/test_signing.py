"""The signed statement: round trip, and every way a token can be wrong."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from tadamun.certificates import signing

KEY = Ed25519PrivateKey.generate()
KID = signing.key_id(KEY.public_key())
KEYS = {KID: KEY.public_key()}


def statement(**overrides: object) -> signing.Statement:
    fields: dict[str, object] = {
        "kid": KID,
        "fund": "ma-cnss",
        "kind": "affiliation",
        "number": "CERT-2026-000001",
        "holder": "Benali Amina / بن علي أمينة",
        "identifier": "•••••123",
        "issued": dt.date(2026, 11, 23),
        "valid_until": dt.date(2027, 2, 21),
        "facts": {"since": "2025-01-01", "active": "yes"},
    }
    fields.update(overrides)
    return signing.Statement(**fields)  # type: ignore[arg-type]


def test_round_trip_keeps_every_field_including_arabic() -> None:
    token = signing.sign(statement(), KEY)
    assert token.startswith("TDM1.")
    assert signing.verify(token, KEYS) == statement()


def _payload(token: str) -> dict[str, object]:
    part = token.split(".")[1]
    data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    assert isinstance(data, dict)
    return data


def _repack(token: str, data: dict[str, object]) -> str:
    prefix, _, signature = token.split(".")
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    payload = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return f"{prefix}.{payload}.{signature}"


@pytest.mark.parametrize(
    "change", [("facts", {"since": "2025-01-01", "active": "yes", "x": "1"}), ("holder", "X")]
)
def test_an_altered_statement_is_forged(change: tuple[str, object]) -> None:
    token = signing.sign(statement(), KEY)
    data = _payload(token)
    data[change[0]] = change[1]
    with pytest.raises(signing.TokenError) as caught:
        signing.verify(_repack(token, data), KEYS)
    assert caught.value.code == "forged"


def test_a_longer_validity_is_forged() -> None:
    token = signing.sign(statement(), KEY)
    data = _payload(token)
    data["exp"] = "2099-12-31"
    with pytest.raises(signing.TokenError, match="signature") as caught:
        signing.verify(_repack(token, data), KEYS)
    assert caught.value.code == "forged"


def test_a_signature_from_another_key_naming_ours_is_forged() -> None:
    other = Ed25519PrivateKey.generate()
    payload = signing.sign(statement(), KEY).split(".")[1]
    signature = other.sign(f"TDM1.{payload}".encode())
    forged = f"TDM1.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(signing.TokenError) as caught:
        signing.verify(forged, KEYS)
    assert caught.value.code == "forged"


def test_a_token_of_another_fund_key_is_unknown() -> None:
    other = Ed25519PrivateKey.generate()
    token = signing.sign(statement(kid=signing.key_id(other.public_key())), other)
    with pytest.raises(signing.TokenError) as caught:
        signing.verify(token, KEYS)
    assert caught.value.code == "unknown_key"


def test_the_statement_must_name_the_signing_key() -> None:
    with pytest.raises(ValueError, match="another key"):
        signing.sign(statement(kid="0" * 16), KEY)


@pytest.mark.parametrize(
    "token",
    ["", "hello", "TDM1.", "TDM1.a.b.c", "TDM2.e30.AAAA", "TDM1.!!!.AAAA", "TDM1.e30.AAAA",
     "TDM1." + "A" * 3000 + ".AAAA"],
)  # fmt: skip
def test_malformed_tokens_say_so(token: str) -> None:
    with pytest.raises(signing.TokenError) as caught:
        signing.verify(token, KEYS)
    assert caught.value.code in ("malformed", "unknown_key")


@given(st.text(max_size=400))
def test_nothing_escapes_but_a_token_error(text: str) -> None:
    with contextlib.suppress(signing.TokenError):
        signing.verify(text, KEYS)


@given(st.binary(max_size=300))
def test_tampered_bytes_in_a_real_token_never_verify_unless_unchanged(noise: bytes) -> None:
    token = signing.sign(statement(), KEY)
    payload = token.split(".")[1]
    changed = base64.urlsafe_b64encode(noise).rstrip(b"=").decode()
    tampered = f"TDM1.{changed}.{token.split('.')[2]}"
    if changed == payload:
        return
    with pytest.raises(signing.TokenError):
        signing.verify(tampered, KEYS)
