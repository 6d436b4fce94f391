"""Teacher accounts and login sessions for the dashboard.

Accounts live in the store (``teachers``): a name, the name shown on notes and plans, and a
scrypt hash of the password (salted, from the standard library). MQTT role passwords are not
accounts: a station's credentials open nothing here. Sessions are kept in memory (a restarted
hub asks teachers to log in again): a random token in an HttpOnly, SameSite=Strict cookie, and
a per-session CSRF token that every form and script request must send back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kit.errors import KitError
from kit.insight.tables import ensure

if TYPE_CHECKING:
    from kit.hub.store import Store

DDL = """
CREATE TABLE IF NOT EXISTS teachers (
    name TEXT PRIMARY KEY,
    display TEXT NOT NULL,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""

MIN_PASSWORD = 10
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class AccountError(KitError, ValueError):
    """A teacher account that cannot be made or used as asked."""


@dataclass(frozen=True, slots=True)
class Teacher:
    name: str
    display: str


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)


def add_teacher(store: Store, name: str, password: str, *, display: str, now: str) -> Teacher:
    ensure(store, "teachers", DDL)
    name = name.strip().lower()
    if not name or not name.replace("-", "").replace(".", "").isalnum():
        raise AccountError(f"teacher name {name!r}: use letters, digits, '.' or '-'")
    if name in ("hub", "teacher", "station", "gateway"):
        raise AccountError(f"{name!r} is an MQTT role, not a person: choose the teacher's name")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    store.execute_many([
        ("DELETE FROM teachers WHERE name = ?", [(name,)]),
        ("INSERT INTO teachers VALUES (?,?,?,?,?)",
         [(name, display.strip() or name, salt.hex(), _hash(password, salt).hex(), now)])])
    return Teacher(name, display.strip() or name)


def remove_teacher(store: Store, name: str) -> bool:
    ensure(store, "teachers", DDL)
    return store.execute("DELETE FROM teachers WHERE name = ?", (name.strip().lower(),)) > 0


def teachers(store: Store) -> list[Teacher]:
    ensure(store, "teachers", DDL)
    return [Teacher(n, d) for n, d in store.query(
        "SELECT name, display FROM teachers ORDER BY name")]


_DUMMY_SALT = secrets.token_bytes(16)


def check_password(store: Store, name: str, password: str) -> Teacher | None:
    """The teacher, if the password is theirs; ``None`` otherwise (in about the same time)."""
    ensure(store, "teachers", DDL)
    rows = store.query("SELECT name, display, salt, hash FROM teachers WHERE name = ?",
                       (name.strip().lower(),))
    if not rows:
        _hash(password, _DUMMY_SALT)
        return None
    n, display, salt, digest = rows[0]
    if hmac.compare_digest(_hash(password, bytes.fromhex(salt)).hex(), digest):
        return Teacher(n, display)
    return None


@dataclass(slots=True)
class Session:
    teacher: Teacher
    csrf: str
    last_seen: float


@dataclass
class Sessions:
    """Login sessions in memory, ended after ``idle_s`` without a request."""

    idle_s: float = 8 * 3600
    _by_token: dict[str, Session] = field(default_factory=dict)

    def open(self, teacher: Teacher, now: float) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        session = Session(teacher, secrets.token_urlsafe(24), now)
        self._by_token[token] = session
        return token, session

    def get(self, token: str | None, now: float) -> Session | None:
        if not token:
            return None
        s = self._by_token.get(token)
        if s is None:
            return None
        if now - s.last_seen > self.idle_s:
            del self._by_token[token]
            return None
        s.last_seen = now
        return s

    def close(self, token: str | None) -> None:
        if token:
            self._by_token.pop(token, None)


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


@dataclass
class Throttle:
    """Refuses logins for a while after ``limit`` wrong passwords for one name from one address
    within ``window_s`` (guessing a teacher's password by brute force)."""

    limit: int = 5
    window_s: float = 300.0
    _failures: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def allowed(self, key: tuple[str, str], now: float) -> bool:
        recent = [t for t in self._failures.get(key, ()) if now - t < self.window_s]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return len(recent) < self.limit

    def failed(self, key: tuple[str, str], now: float) -> None:
        self._failures.setdefault(key, []).append(now)

    def succeeded(self, key: tuple[str, str]) -> None:
        self._failures.pop(key, None)
