"""``tadamun certificates verify``: check a certificate offline with the fund's public key.

Pure Python (no Django): a bank or a consulate checks the code of a certificate — the text of its
QR code, or the verification address it holds — with nothing but the PEM file the fund publishes.
Exit 0 when the signature is good (revocation can only be known online, and the output says so),
1 when it is not, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tadamun.certificates import signing


def _token(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith(("http://", "https://")):
        values = parse_qs(urlsplit(raw).query).get("c", [])
        return values[0] if values else ""
    return raw


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tadamun certificates")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="check a certificate's signature offline")
    check.add_argument("code", help="the QR code's text (a URL or a TDM1.… token); - for stdin")
    check.add_argument("--public-key", required=True, type=Path, help="the fund's PEM key file")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        pem = args.public_key.read_bytes()
        keys: dict[str, Ed25519PublicKey] = {}
        for block in pem.split(b"-----END PUBLIC KEY-----"):
            if b"-----BEGIN PUBLIC KEY-----" in block:
                key = signing.load_public_key(block + b"-----END PUBLIC KEY-----\n")
                keys[signing.key_id(key)] = key
        if not keys:
            raise ValueError(f"no PEM public key in {args.public_key}")
    except (OSError, ValueError) as exc:
        print(f"tadamun certificates: cannot read the public key: {exc}", file=sys.stderr)
        return 2
    raw = sys.stdin.read() if args.code == "-" else args.code
    try:
        statement = signing.verify(_token(raw), keys)
    except signing.TokenError as exc:
        if args.json:
            print(json.dumps({"valid": False, "reason": exc.code, "detail": str(exc)}))
        else:
            print(f"NOT VALID ({exc.code}): {exc}")
        return 1
    expired = statement.valid_until < dt.date.today()
    if args.json:
        print(
            json.dumps(
                {"valid": True, "expired": expired, "statement": statement.as_json()},
                ensure_ascii=False,
            )
        )
    else:
        print(f"SIGNATURE VALID: certificate {statement.number} ({statement.kind})")
        print(f"  holder: {statement.holder} ({statement.identifier})")
        for name, fact in sorted(statement.facts.items()):
            print(f"  {name}: {fact}")
        print(f"  issued {statement.issued}, valid until {statement.valid_until}")
        if expired:
            print("  EXPIRED")
        print("  Whether the fund has revoked it since can only be checked online.")
    return 0
