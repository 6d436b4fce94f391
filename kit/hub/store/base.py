"""What every store does, and the SQL both backends share."""

from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kit.protocol.envelope import Event

SCHEMA_VERSION = "1"

#: The schema, written once; ``{serial}`` and ``{blob}`` differ between SQLite and PostgreSQL.
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    ts TEXT NOT NULL,
    room TEXT NOT NULL,
    run TEXT,
    pupil TEXT,
    team TEXT,
    station TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_pupil ON events (pupil);
CREATE INDEX IF NOT EXISTS events_run ON events (room, run, ts);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE TABLE IF NOT EXISTS rejected (
    n {serial} PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    topic TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    payload {blob} NOT NULL
);
CREATE TABLE IF NOT EXISTS roster (
    pupil TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    room TEXT,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

EVENT_COLUMNS = ("id", "ts", "room", "run", "pupil", "team", "station", "seq", "kind", "data",
                 "received_at")


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message the hub could not accept, kept with the reason so nothing is lost."""

    topic: str
    reason: str
    detail: str
    payload: bytes
    received_at: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.topic.encode() + b"\0" + self.payload).hexdigest()


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event as stored."""

    id: str
    ts: str
    room: str
    run: str | None
    pupil: str | None
    team: str | None
    station: str
    seq: int
    kind: str
    data: dict[str, Any]
    received_at: str


def event_params(ev: Event, received_at: str) -> tuple[Any, ...]:
    return (ev.id, ev.ts, ev.room, ev.run, ev.pupil, ev.team, ev.station, ev.seq, ev.kind,
            json.dumps(dict(ev.data), separators=(",", ":"), ensure_ascii=False), received_at)


def row_to_event(row: Sequence[Any]) -> EventRow:
    (id_, ts, room, run, pupil, team, station, seq, kind, data, received_at) = row
    return EventRow(id_, ts, room, run, pupil, team, station, int(seq), kind, json.loads(data),
                    received_at)


def _token(pupil: str) -> re.Pattern[str]:
    """A pseudonym as a whole id: ``p-ab12`` is not found inside ``p-ab123``."""
    return re.compile(rf"(?<![a-z0-9-]){re.escape(pupil)}(?![a-z0-9-])")


def redact(value: Any, pupil: str) -> Any:
    """``value`` with every mention of ``pupil`` replaced by ``"erased"``."""
    token = _token(pupil)
    if isinstance(value, str):
        return token.sub("erased", value)
    if isinstance(value, list):
        return [redact(v, pupil) for v in value]
    if isinstance(value, dict):
        return {redact(k, pupil): redact(v, pupil) for k, v in value.items()}
    return value


class Store(ABC):
    """Blocking store interface; see :class:`kit.hub.store.AsyncStore` for async callers."""

    url: str

    @abstractmethod
    def insert_events(self, events: Sequence[Event], received_at: str) -> int:
        """Store events in one transaction, ignoring ids already stored. Returns how many were
        new. Returns only after the transaction is durable."""

    @abstractmethod
    def insert_rejected(self, items: Sequence[Rejection]) -> int:
        """Keep rejected messages (the same topic+payload is kept once)."""

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only query written with ``?`` placeholders."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement in its own transaction; returns the row count."""

    @abstractmethod
    def close(self) -> None: ...

    def execute_many(self, steps: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        """Run each statement once per parameter row, all in one transaction where the
        backend has one (SQLite and PostgreSQL override this): all or nothing."""
        for sql, rows in steps:
            for params in rows:
                self.execute(sql, params)

    # Shared logic, written once over query/execute ----------------------------------------

    def count_events(self, room: str | None = None) -> int:
        if room is None:
            return int(self.query("SELECT count(*) FROM events")[0][0])
        return int(self.query("SELECT count(*) FROM events WHERE room = ?", (room,))[0][0])

    def events(self, *, room: str | None = None, run: str | None = None,
               pupil: str | None = None) -> list[EventRow]:
        where, params = [], []
        for col, val in (("room", room), ("run", run), ("pupil", pupil)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        cols = ", ".join(EVENT_COLUMNS)
        rows = self.query(f"SELECT {cols} FROM events{clause} ORDER BY ts, station, seq", params)
        return [row_to_event(r) for r in rows]

    def rejected(self) -> list[Rejection]:
        rows = self.query("SELECT topic, reason, detail, payload, received_at FROM rejected "
                          "ORDER BY n")
        return [Rejection(t, r, d, bytes(p), at) for t, r, d, p, at in rows]

    def set_name(self, pupil: str, display_name: str, room: str | None, now: str) -> None:
        """Put a pupil in the roster. Names stay here: they never travel over MQTT."""
        self.execute("DELETE FROM roster WHERE pupil = ?", (pupil,))
        self.execute("INSERT INTO roster (pupil, display_name, room, added_at) VALUES (?,?,?,?)",
                     (pupil, display_name, room, now))

    def names(self) -> dict[str, str]:
        return dict(self.query("SELECT pupil, display_name FROM roster"))

    def forget(self, pupil: str) -> dict[str, int]:
        """Erase every row about ``pupil``; mentions in other pupils' events are redacted."""
        counts = {
            "events": self.execute("DELETE FROM events WHERE pupil = ?", (pupil,)),
            "roster": self.execute("DELETE FROM roster WHERE pupil = ?", (pupil,)),
        }
        cols = ", ".join(EVENT_COLUMNS)
        mentioned = [row_to_event(r) for r in self.query(
            f"SELECT {cols} FROM events WHERE data LIKE ?", (f"%{pupil}%",))]
        redacted = 0
        for ev in mentioned:
            clean = redact(ev.data, pupil)
            if clean != ev.data:
                redacted += self.execute("UPDATE events SET data = ? WHERE id = ?",
                                         (json.dumps(clean, separators=(",", ":")), ev.id))
        counts["events_redacted"] = redacted
        token = _token(pupil)
        gone = [n for n, topic, payload in self.query("SELECT n, topic, payload FROM rejected")
                if token.search(bytes(payload).decode("utf-8", "replace")) or token.search(topic)]
        counts["rejected"] = sum(self.execute("DELETE FROM rejected WHERE n = ?", (n,))
                                 for n in gone)
        return counts

    def purge_before(self, ts: str) -> dict[str, int]:
        """Retention: delete events (and rejected messages) older than ``ts``."""
        return {
            "events": self.execute("DELETE FROM events WHERE ts < ?", (ts,)),
            "rejected": self.execute("DELETE FROM rejected WHERE received_at < ?", (ts,)),
        }

    def tables_mentioning(self, text: str) -> dict[str, int]:
        """How many rows of each table name the id ``text`` anywhere (to prove erasure)."""
        token = _token(text)
        found: dict[str, int] = {}
        for table, cols in (("events", EVENT_COLUMNS),
                            ("roster", ("pupil", "display_name", "room")),
                            ("rejected", ("topic", "detail"))):
            n = 0
            for row in self.query(f"SELECT {', '.join(cols)} FROM {table}"):
                n += any(token.search(str(v)) for v in row if v is not None)
            if table == "rejected":
                n += sum(bool(token.search(bytes(p).decode("utf-8", "replace")))
                         for (p,) in self.query("SELECT payload FROM rejected"))
            found[table] = n
        return found
