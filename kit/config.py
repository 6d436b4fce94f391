"""Where kit keeps its files, and the credentials of the classroom's MQTT roles.

Everything lives in one data directory on the school's own machine: ``$KIT_HOME`` if set,
otherwise the user's data directory (``~/.local/share/kit`` on Linux).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kit.errors import ConfigError
from kit.hub.acl import ROLES


def home() -> Path:
    env = os.environ.get("KIT_HOME")
    if env:
        path = Path(env)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("kit", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_store_url() -> str:
    return f"sqlite:///{home() / 'kit.db'}"


def credentials(path: Path | None = None) -> dict[str, str]:
    """The password of each role, made on first use and kept private to this user."""
    path = path or home() / "credentials.json"
    if path.exists():
        try:
            creds = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise ConfigError(f"{path}: cannot read the MQTT credentials ({e}); delete the file "
                              "and restart 'kit hub' to make new ones") from e
        if isinstance(creds, dict) and all(isinstance(creds.get(r), str) for r in ROLES):
            return {r: creds[r] for r in ROLES}
    creds = {r: secrets.token_urlsafe(18) for r in ROLES}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(creds, f, indent=2)
    return creds


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where to reach the MQTT broker, and as whom."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    #: "5" for MQTT 5 (Mosquitto), "3.1.1" for the embedded broker.
    protocol: str = "3.1.1"

    @classmethod
    def parse(cls, url: str, *, protocol: str | None = None) -> BrokerAddress:
        """``mqtt://user:pass@host:port`` (``mqtt5://`` asks for MQTT 5)."""
        parts = urlsplit(url if "://" in url else f"mqtt://{url}")
        if parts.scheme not in ("mqtt", "mqtt5", "tcp"):
            raise ConfigError(f"broker URL {url!r}: use mqtt://host:port (or mqtt5://host:port)")
        try:
            port = parts.port or 1883
        except ValueError as e:
            raise ConfigError(f"broker URL {url!r}: the port is not a number") from e
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            protocol=protocol or ("5" if parts.scheme == "mqtt5" else "3.1.1"),
        )

    def as_role(self, role: str, creds: dict[str, str] | None = None) -> BrokerAddress:
        """The same broker, logged in as ``role`` with this machine's credentials."""
        creds = creds if creds is not None else credentials()
        return BrokerAddress(self.host, self.port, role, creds[role], self.protocol)

    @property
    def url(self) -> str:
        scheme = "mqtt5" if self.protocol == "5" else "mqtt"
        return f"{scheme}://{self.host}:{self.port}"
