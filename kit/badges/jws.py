"""Compact JWS with Ed25519 (``alg: EdDSA``, RFC 8037): the proof of OB 3.0 VC-JWT credentials
and of signed OB 2.0 assertions. Pure functions over bytes and keys."""

from __future__ import annotations

import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kit.badges.issuer import b64url, b64url_decode
from kit.errors import KitError


class BadSignature(KitError, ValueError):
    """A token whose signature, header or payload does not hold up."""


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def sign(payload: dict[str, Any], key: Ed25519PrivateKey, header: dict[str, Any]) -> str:
    head = {"alg": "EdDSA", **header}
    signing_input = f"{b64url(_json(head))}.{b64url(_json(payload))}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode('ascii')))}"


def split(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, unverified."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise BadSignature("not a compact JWS (three parts separated by dots)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
    except ValueError as e:
        raise BadSignature(f"the token cannot be decoded ({e})") from e
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise BadSignature("the token's header and payload must be JSON objects")
    return header, payload


def verify(token: str, key: Ed25519PublicKey) -> dict[str, Any]:
    """The payload, if ``key`` signed ``token``; :class:`BadSignature` otherwise."""
    header, payload = split(token)
    if header.get("alg") != "EdDSA":
        raise BadSignature(f"unexpected signature algorithm {header.get('alg')!r}")
    head, body, sig = token.strip().split(".")
    try:
        key.verify(b64url_decode(sig), f"{head}.{body}".encode("ascii"))
    except (InvalidSignature, ValueError) as e:
        raise BadSignature("the signature does not match: the credential was changed "
                           "after it was signed, or another key signed it") from e
    return payload
