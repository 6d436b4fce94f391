"""Where kit keeps its files, and the MQTT credential of every process in the classroom.

Everything lives in one data directory on the school's own machine (``$KIT_HOME`` if set,
otherwise the user's data directory, ``~/.local/share/kit`` on Linux), kept private to the
user who runs kit (0700; files holding pupil data or secrets 0600).

Identity: each station, gateway, lesson engine and recorder has a credential of its own, made
on first use by :func:`station_address` in ``credentials.json``. The MQTT user name *is* the
client id (``<station>@<room>``, ``<name>@*`` for the hub role) and both brokers refuse a
connection whose client id differs from its user name, so no process can take another's
session, and the broker's rules (:mod:`kit.hub.acl`) bind each user name to its role, room
and station. The embedded broker reads the file on every connection; ``kit hub --broker
mosquitto`` rewrites Mosquitto's password and ACL files when it changes and reloads them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kit.errors import ConfigError

#: The roles a credential can have (see :data:`kit.hub.acl.RULES`).
ROLES = ("hub", "teacher", "station", "gateway")
#: The room of credentials that are not bound to one room (the hub role only).
ANY_ROOM = "*"


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) a directory only this user may enter."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # a directory we do not own keeps its mode
        path.chmod(0o700)
    return path


def home() -> Path:
    env = os.environ.get("KIT_HOME")
    if env:
        path = Path(env)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("kit", appauthor=False))
    return private_dir(path)


def private_file(path: Path) -> Path:
    """Create ``path`` if missing, readable and writable by this user only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def default_store_url() -> str:
    return f"sqlite:///{home() / 'kit.db'}"


@dataclass(frozen=True, slots=True)
class Identity:
    """One MQTT credential: who may connect, as which client id, and with which rights."""

    username: str  # also the MQTT client id
    password: str
    role: str
    room: str  # ANY_ROOM for the hub role
    station: str


def username_for(role: str, station: str, room: str) -> str:
    return f"{station}@{ANY_ROOM if role == 'hub' else room}"


def registry_path() -> Path:
    return home() / "credentials.json"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def identities(path: Path | None = None) -> dict[str, Identity]:
    """Every credential made on this machine, by user name (empty if none yet)."""
    path = path or registry_path()
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: cannot read the MQTT credentials ({e}); delete the file and "
                          "restart 'kit hub' and the stations to make new ones") from e
    users = raw.get("users") if isinstance(raw, dict) and raw.get("version") == 2 else None
    if not isinstance(users, dict):
        return {}  # an older kit's file: its shared role passwords are no longer used
    out: dict[str, Identity] = {}
    for name, u in users.items():
        if isinstance(u, dict) and all(isinstance(u.get(k), str)
                                       for k in ("password", "role", "room", "station")):
            out[name] = Identity(name, u["password"], u["role"], u["room"], u["station"])
    return out


def identity(*, role: str, station: str, room: str, path: Path | None = None) -> Identity:
    """The credential of ``station`` in ``room`` with ``role``, made on first use (0600 file)."""
    from kit.protocol.ids import check_id

    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    check_id(station, "station")
    if role == "hub":
        room = ANY_ROOM
    else:
        check_id(room, "room")
    path = path or registry_path()
    name = username_for(role, station, room)
    found = identities(path).get(name)
    if found is None:
        private_dir(path.parent)
        with _locked(path):
            current = identities(path)
            found = current.get(name)
            if found is None:
                found = Identity(name, secrets.token_urlsafe(24), role, room, station)
                current[name] = found
                _write(path, current)
    if found.role != role:
        raise ConfigError(f"{station!r} in room {room!r} is already a {found.role} on this "
                          f"machine, not a {role}: choose another station id")
    return found


def _write(path: Path, users: dict[str, Identity]) -> None:
    data = {"version": 2, "users": {
        n: {"password": i.password, "role": i.role, "room": i.room, "station": i.station}
        for n, i in sorted(users.items())}}
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where to reach the MQTT broker, and as whom."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    #: "5" for MQTT 5 (Mosquitto), "3.1.1" for the embedded broker.
    protocol: str = "3.1.1"
    #: The role of the credential (set by :func:`station_address`).
    role: str | None = None
    #: Connect with TLS; ``ca`` is the certificate file to trust (kit's own, or the school's).
    tls: bool = False
    ca: str | None = None

    @classmethod
    def parse(cls, url: str, *, protocol: str | None = None) -> BrokerAddress:
        """``mqtt://user:pass@host:port`` (``mqtt5://`` asks for MQTT 5, ``mqtts://`` TLS)."""
        parts = urlsplit(url if "://" in url else f"mqtt://{url}")
        if parts.scheme not in ("mqtt", "mqtt5", "tcp", "mqtts", "mqtts5"):
            raise ConfigError(f"broker URL {url!r}: use mqtt://host:port (or mqtt5://host:port)")
        try:
            port = parts.port or (8883 if parts.scheme.startswith("mqtts") else 1883)
        except ValueError as e:
            raise ConfigError(f"broker URL {url!r}: the port is not a number") from e
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            protocol=protocol or ("5" if parts.scheme.endswith("5") else "3.1.1"),
            tls=parts.scheme.startswith("mqtts"),
        )

    @property
    def client_id(self) -> str | None:
        """The client id a credential made by kit must use (its user name)."""
        return self.username if self.role else None

    @property
    def url(self) -> str:
        scheme = ("mqtts" if self.tls else "mqtt") + ("5" if self.protocol == "5" else "")
        return f"{scheme}://{self.host}:{self.port}"


def station_address(broker: BrokerAddress, *, role: str, station: str, room: str
                    ) -> BrokerAddress:
    """The broker at ``broker``, logged in as ``station`` of ``room`` with ``role``.

    The one function every process uses to reach the hub: the credential is made on first
    use (kept 0600 in the data directory) and the hub picks it up; the client id is the
    credential's user name (:attr:`BrokerAddress.client_id`). ``role`` is ``station`` (an
    activity screen), ``gateway`` (speaks for the room's ``mb-`` controllers), ``teacher``
    (the lesson engine and console) or ``hub`` (recorder, reports; ``room`` is ignored).
    """
    ident = identity(role=role, station=station, room=room)
    ca = broker.ca
    if broker.tls and ca is None:
        own = home() / "tls" / "ca.pem"
        ca = str(own) if own.exists() else None
    return replace(broker, username=ident.username, password=ident.password, role=ident.role,
                   ca=ca)


def recorder_group() -> str:
    """The name of the recorders' shared subscription (``$share/<group>/...``), kept secret in
    the data directory: a client that cannot read it cannot join the group and take a share
    of the events (Mosquitto delivers a share's message to one member only)."""
    path = home() / "recorder-group"
    try:
        name = path.read_text().strip()
    except FileNotFoundError:
        name = ""
    if not name:
        candidate = f"recorders-{secrets.token_hex(12)}"
        with _locked(path):
            try:
                name = path.read_text().strip()
            except FileNotFoundError:
                name = ""
            if not name:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(candidate + "\n")
                name = candidate
    return name
