"""What every store does, and the SQL both backends share."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
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


#: ``json.dumps(..., separators=(",", ":"), ensure_ascii=False)``, made once.
_data_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def event_params(ev: Event, received_at: str) -> tuple[Any, ...]:
    data = ev.data
    text = _data_json(data if type(data) is dict else dict(data)) if data else "{}"
    return (ev.id, ev.ts, ev.room, ev.run, ev.pupil, ev.team, ev.station, ev.seq, ev.kind,
            text, received_at)


def row_to_event(row: Sequence[Any]) -> EventRow:
    (id_, ts, room, run, pupil, team, station, seq, kind, data, received_at) = row
    return EventRow(id_, ts, room, run, pupil, team, station, int(seq), kind, json.loads(data),
                    received_at)


def _token(pupil: str) -> re.Pattern[str]:
    """A pseudonym as a whole id: ``p-ab12`` is not found inside ``p-ab123``."""
    return re.compile(rf"(?<![a-z0-9-]){re.escape(pupil)}(?![a-z0-9-])")


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def unescaped(text: str) -> str:
    """``text`` with JSON ``\\uXXXX`` escapes decoded (no parsing, so no depth limit): a
    station could write a pseudonym as ``\\u0070-...``."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def mentions(text: str, pupil: str) -> bool:
    token = _token(pupil)
    return bool(token.search(text) or token.search(unescaped(text)))


def redact(value: Any, pupil: str) -> Any:
    """``value`` with every mention of ``pupil`` replaced by ``"erased"``, at any depth (on
    its JSON text: pseudonyms are plain ``[a-z0-9-]``, which JSON never escapes)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return json.loads(redact_json(text, pupil))


def redact_json(text: str, pupil: str) -> str:
    """The stored JSON text with every mention of ``pupil`` replaced by ``erased``; escaped
    mentions are decoded first (the result stays valid JSON)."""
    token = _token(pupil)
    if token.search(text):
        return token.sub("erased", text)
    if token.search(unescaped(text)):
        # Re-encode with no escapes, then redact: json would recurse, so decode escapes only
        # inside strings, keeping quotes and backslashes escaped.
        def fix(m: re.Match[str]) -> str:
            ch = chr(int(m.group(1), 16))
            return m.group(0) if ch in '"\\' or ord(ch) < 0x20 else ch

        return token.sub("erased", _ESCAPE.sub(fix, text))
    return text


#: An eraser removes what one part of kit keeps about a pupil. It runs inside
#: :meth:`Store.forget`'s transaction, through ``store.query``/``store.execute`` only, and
#: returns row counts by table; raising aborts the whole erasure (nothing is half-erased).
Eraser = Callable[["Store", str], dict[str, int]]
_ERASERS: dict[str, tuple[Eraser, tuple[str, ...]]] = {}


def register_eraser(name: str, eraser: Eraser, *, tables: Sequence[str] = ()) -> None:
    """Make ``kit pupil forget`` (:meth:`Store.forget`) erase what ``name`` keeps as well.

    ``tables`` are the tables the eraser deletes from or rewrites: after the transaction
    PostgreSQL rewrites them (``VACUUM FULL``) so no dead row keeps the pupil's data. Call it
    at import of the module that owns the tables, e.g.::

        def _forget(store: Store, pupil: str) -> dict[str, int]:
            return {"notes": store.execute("DELETE FROM notes WHERE pupil = ?", (pupil,))}

        register_eraser("notes", _forget, tables=("notes",))
    """
    _ERASERS[name] = (eraser, tuple(tables))


def erasers() -> dict[str, tuple[Eraser, tuple[str, ...]]]:
    return dict(_ERASERS)


#: A purger removes what one part of kit keeps from before a time (retention), the way
#: :meth:`Store.purge_before` removes events: inside its transaction, returning row counts.
Purger = Callable[["Store", str], dict[str, int]]
_PURGERS: dict[str, Purger] = {}


def register_purger(name: str, purger: Purger) -> None:
    """Make the hub's retention sweep (:meth:`Store.purge_before`) remove what ``name`` keeps
    from before the cut-off as well (roll-ups, for instance), so nothing outlives the events
    it was made from."""
    _PURGERS[name] = purger


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

    def record(self, events: Sequence[Event], rejections: Sequence[Rejection],
               suppressed: Mapping[tuple[str, str], int], received_at: str) -> tuple[int, int]:
        """What the recorder received in one batch, in one transaction (one sync to disk):
        events, rejected messages, and per (topic, hour) how many more rejections were
        counted rather than kept (:meth:`note_suppressed`). Returns how many events and
        rejections were new."""
        if not rejections and not suppressed:
            return self.insert_events(events, received_at), 0
        with self.transaction():
            n = self.insert_events(events, received_at), self.insert_rejected(rejections)
            for (topic, hour), extra in suppressed.items():
                self.note_suppressed(topic, hour, extra, received_at)
        return n

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

    @abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """One transaction around everything :meth:`execute` does inside it."""

    @abstractmethod
    def rollback(self) -> None:
        """Leave a failed transaction, if one is open (the next call starts clean)."""

    @abstractmethod
    def scrub(self, tables: Sequence[str]) -> None:
        """After deletes: make sure the deleted bytes are gone from the store's files."""

    def note_suppressed(self, topic: str, hour: str, count: int, now: str) -> None:
        """Count rejected messages beyond the per-station limit in one row per hour."""
        digest = hashlib.sha256(f"suppressed\0{topic}\0{hour}".encode()).hexdigest()
        detail = (f"{count} more rejected messages from this station in the hour from "
                  f"{hour}:00 were counted, not kept")
        self.execute("INSERT INTO rejected (digest, received_at, topic, reason, detail, payload) "
                     "VALUES (?,?,?,?,?,?) ON CONFLICT (digest) DO UPDATE SET "
                     "detail = excluded.detail, received_at = excluded.received_at",
                     (digest, now, topic, "rate-limited", detail, b""))

    def forget(self, pupil: str) -> dict[str, int]:
        """Erase every row about ``pupil`` in one transaction (with the registered erasers,
        :func:`register_eraser`); mentions in other pupils' events are redacted. Then the
        store's files are scrubbed (:meth:`scrub`)."""
        tables = ["events", "roster", "rejected"]
        with self.transaction():
            counts = {
                "events": self.execute("DELETE FROM events WHERE pupil = ?", (pupil,)),
                "roster": self.execute("DELETE FROM roster WHERE pupil = ?", (pupil,)),
            }
            redacted = 0
            # Event data is stored decoded (json.dumps without ASCII escapes): a mention is
            # always there as plain text.
            for id_, data in self.query("SELECT id, data FROM events WHERE data LIKE ?",
                                        (f"%{pupil}%",)):
                clean = redact_json(data, pupil)
                if clean != data:
                    redacted += self.execute("UPDATE events SET data = ? WHERE id = ?",
                                             (clean, id_))
            counts["events_redacted"] = redacted
            gone = [n for n, topic, detail, payload in self.query(
                        "SELECT n, topic, detail, payload FROM rejected")
                    if mentions(bytes(payload).decode("utf-8", "replace"), pupil)
                    or mentions(topic, pupil) or mentions(detail, pupil)]
            counts["rejected"] = sum(self.execute("DELETE FROM rejected WHERE n = ?", (n,))
                                     for n in gone)
            for name, (eraser, extra) in _ERASERS.items():
                for table, n in eraser(self, pupil).items():
                    counts[f"{name}.{table}" if table in counts else table] = n
                tables += extra
        self.scrub(tables)
        return counts

    def purge_before(self, ts: str) -> dict[str, int]:
        """Retention: delete events (and rejected messages) older than ``ts``, and what the
        registered purgers keep from before it (:func:`register_purger`), in one
        transaction."""
        with self.transaction():
            counts = {
                "events": self.execute("DELETE FROM events WHERE ts < ?", (ts,)),
                "rejected": self.execute("DELETE FROM rejected WHERE received_at < ?", (ts,)),
            }
            for purger in _PURGERS.values():
                counts.update(purger(self, ts))
        return counts

    def tables_mentioning(self, text: str) -> dict[str, int]:
        """How many rows of each table name the id ``text`` anywhere (to prove erasure)."""
        found: dict[str, int] = {}
        for table, cols in (("events", EVENT_COLUMNS),
                            ("roster", ("pupil", "display_name", "room")),
                            ("rejected", ("topic", "detail"))):
            n = 0
            for row in self.query(f"SELECT {', '.join(cols)} FROM {table}"):
                n += any(mentions(str(v), text) for v in row if v is not None)
            if table == "rejected":
                n += sum(mentions(bytes(p).decode("utf-8", "replace"), text)
                         for (p,) in self.query("SELECT payload FROM rejected"))
            found[table] = n
        return found
