"""The school's issuer: its public profile, its signing keys and the secret behind learner ids.

Everything lives in ``<KIT_HOME>/issuer/`` (directory 0700, files 0600) on the hub's machine:

- ``issuer.json``: the school's name, the hub's public address (``base_url``) and whether
  credentials may carry the pupil's name (off by default);
- ``keys.json`` and ``key-<kid>.pem``: Ed25519 signing keys. One key is ``active`` and signs new
  credentials; ``kit badge key rotate`` makes a new active key and *retires* the old one
  (credentials it signed still verify); ``kit badge key revoke`` marks a key *revoked* (a stolen
  key: nothing it signed verifies any more);
- ``learner-secret``: the key of :func:`learner_id`, which turns a pseudonym into an opaque id
  for credentials and learning records. Without the secret nobody can link the two.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kit.errors import ConfigError, KitError

DEFAULT_BASE_URL = "https://kit-hub.invalid"
DEFAULT_NAME = "kit classroom hub"


class IssuerKeyError(KitError, RuntimeError):
    """A signing key is missing, unreadable or revoked."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by this user only (0600), replacing it atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    kid: str
    created: str
    state: str  # active | retired | revoked
    revoked_at: str | None = None


class Issuer:
    """The school's issuer, kept in ``directory`` (default ``<KIT_HOME>/issuer``)."""

    def __init__(self, directory: Path | None = None) -> None:
        if directory is None:
            from kit import config

            directory = config.home() / "issuer"
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self._profile = self._read_json("issuer.json", {})
        self._learner_secret: bytes | None = None

    # Profile -------------------------------------------------------------------------------

    def _read_json(self, name: str, default: Any) -> Any:
        path = self.dir / name
        if not path.exists():
            return default
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(f"{path}: cannot be read ({e}); restore it from a backup, or "
                              "delete it to start again (credentials already issued will "
                              "then no longer verify)") from e

    def _write_json(self, name: str, value: Any) -> None:
        _write_private(self.dir / name, json.dumps(value, indent=2).encode())

    @property
    def name(self) -> str:
        return str(self._profile.get("name", DEFAULT_NAME))

    @property
    def base_url(self) -> str:
        return str(self._profile.get("base_url", DEFAULT_BASE_URL)).rstrip("/")

    @property
    def names_in_credentials(self) -> bool:
        """Whether the school chose to put pupils' names in their credentials."""
        return bool(self._profile.get("names_in_credentials", False))

    def configure(self, *, name: str | None = None, base_url: str | None = None,
                  names_in_credentials: bool | None = None) -> None:
        if base_url is not None and not base_url.startswith(("https://", "http://")):
            raise ConfigError(f"issuer address {base_url!r}: give the hub's web address, "
                              "e.g. https://hub.school.example")
        for key, value in (("name", name), ("base_url", base_url),
                           ("names_in_credentials", names_in_credentials)):
            if value is not None:
                self._profile[key] = value
        self._write_json("issuer.json", self._profile)

    @property
    def id(self) -> str:
        return f"{self.base_url}/badges/issuer"

    def profile(self) -> dict[str, Any]:
        """The OB 3.0 issuer ``Profile``."""
        return {"id": self.id, "type": ["Profile"], "name": self.name, "url": self.base_url}

    def kid_url(self, kid: str) -> str:
        return f"{self.id}#{kid}"

    def status_list_url(self, kid: str) -> str:
        return f"{self.base_url}/badges/status/{kid}"

    def achievement_url(self, badge: str) -> str:
        return f"{self.base_url}/badges/achievements/{badge}"

    # Learner ids ---------------------------------------------------------------------------

    def _secret(self) -> bytes:
        if self._learner_secret is None:
            path = self.dir / "learner-secret"
            if not path.exists():
                _write_private(path, secrets.token_hex(32).encode())
            self._learner_secret = path.read_bytes().strip()
        return self._learner_secret

    def learner_id(self, pupil: str) -> str:
        """An opaque, stable id for ``pupil``: ``l-`` and 20 hex digits of an HMAC."""
        digest = hmac.new(self._secret(), pupil.encode(), hashlib.sha256).hexdigest()
        return f"l-{digest[:20]}"

    # Keys ----------------------------------------------------------------------------------

    def signing_keys(self) -> list[KeyInfo]:
        return [KeyInfo(**k) for k in self._read_json("keys.json", [])]

    def _save_keys(self, keys: list[KeyInfo]) -> None:
        self._write_json("keys.json", [
            {"kid": k.kid, "created": k.created, "state": k.state, "revoked_at": k.revoked_at}
            for k in keys])

    def active_key(self, now: datetime) -> KeyInfo:
        """The key that signs new credentials, made on first use."""
        for k in self.signing_keys():
            if k.state == "active":
                return k
        return self.rotate(now)

    def rotate(self, now: datetime) -> KeyInfo:
        """Make a new active key; the previous one is retired (what it signed still verifies)."""
        kid = f"key-{now.strftime('%Y%m%d')}-{secrets.token_hex(3)}"
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        _write_private(self.dir / f"{kid}.pem", pem)
        keys = [KeyInfo(k.kid, k.created, "retired" if k.state == "active" else k.state,
                        k.revoked_at) for k in self.signing_keys()]
        new = KeyInfo(kid, now.isoformat(), "active")
        self._save_keys([*keys, new])
        return new

    def revoke_key(self, kid: str, now: datetime) -> KeyInfo:
        """Mark a key revoked: nothing it signed verifies any more. A new key takes over."""
        keys = self.signing_keys()
        if kid not in {k.kid for k in keys}:
            known = ", ".join(k.kid for k in keys) or "none yet"
            raise IssuerKeyError(f"no issuer key {kid!r} (keys: {known})")
        was_active = any(k.kid == kid and k.state == "active" for k in keys)
        self._save_keys([KeyInfo(k.kid, k.created, "revoked", now.isoformat())
                         if k.kid == kid else k for k in keys])
        if was_active:
            self.rotate(now)
        return next(k for k in self.signing_keys() if k.kid == kid)

    def key_info(self, kid: str) -> KeyInfo | None:
        return next((k for k in self.signing_keys() if k.kid == kid), None)

    def private_key(self, kid: str) -> Ed25519PrivateKey:
        path = self.dir / f"{kid}.pem"
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as e:
            raise IssuerKeyError(f"{path}: the issuer key cannot be read ({e})") from e
        if not isinstance(key, Ed25519PrivateKey):
            raise IssuerKeyError(f"{path}: not an Ed25519 key")
        return key

    def public_key(self, kid: str) -> Ed25519PublicKey:
        return self.private_key(kid).public_key()

    def public_pem(self, kid: str) -> bytes:
        return self.public_key(kid).public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)

    def public_jwk(self, kid: str) -> dict[str, str]:
        raw = self.public_key(kid).public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": self.kid_url(kid)}

    def jwks(self) -> dict[str, Any]:
        """The public keys a verifier may use (retired ones too; revoked ones never)."""
        keys = self.signing_keys()
        return {"keys": [self.public_jwk(k.kid) for k in keys if k.state != "revoked"]}

    def __repr__(self) -> str:
        return f"<Issuer {self.name!r} {self.base_url} in {self.dir}>"
