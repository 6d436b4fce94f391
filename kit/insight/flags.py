"""Flags kept in the store, so a facilitator's decision about each one (confirmed, dismissed)
is remembered, and only a confirmed flag can be cited as a risk in a support plan.

:func:`refresh` rolls up new events, evaluates the rules over each room's runs and records the
flags not seen before (``open``); a flag already stored keeps its decision, and only its
``last_run`` moves on while its rule keeps holding.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kit.errors import KitError
from kit.insight import rollup
from kit.insight.metrics import PupilRun
from kit.insight.rollup import RunInfo
from kit.insight.signals import Flag, Rules, evaluate
from kit.insight.tables import ensure

if TYPE_CHECKING:
    from kit.hub.store import Store

DDL = """
CREATE TABLE IF NOT EXISTS insight_flags (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    room TEXT NOT NULL,
    pupil TEXT NOT NULL,
    rule TEXT NOT NULL,
    first_run TEXT NOT NULL,
    last_run TEXT NOT NULL,
    day TEXT NOT NULL,
    rule_text TEXT NOT NULL,
    detail TEXT NOT NULL,
    numbers TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    raised_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS insight_flags_pupil ON insight_flags (pupil)
"""

STATUSES = ("open", "confirmed", "dismissed")
_COLS = ("id", "key", "room", "pupil", "rule", "first_run", "last_run", "day", "rule_text",
         "detail", "numbers", "status", "decided_by", "decided_at", "reason", "raised_at")


class FlagError(KitError, LookupError):
    """A flag that does not exist or cannot change that way."""


@dataclass(frozen=True, slots=True)
class StoredFlag:
    id: str
    key: str
    room: str
    pupil: str
    rule: str
    first_run: str
    last_run: str
    day: str
    rule_text: str
    detail: str
    numbers: dict[str, Any]
    status: str
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    raised_at: str


def flag_id(key: str) -> str:
    """A short id a teacher can type: ``f-`` and 8 hex digits of the flag's key."""
    return "f-" + hashlib.sha256(key.encode()).hexdigest()[:8]


def ensure_tables(store: Store) -> None:
    ensure(store, "insight_flags", DDL)


def record(store: Store, flags: Sequence[Flag], now: str) -> list[StoredFlag]:
    """Store flags not seen before; move ``last_run`` of those already stored. Returns the
    flags that are new."""
    ensure_tables(store)
    known = {k: last for k, last in store.query("SELECT key, last_run FROM insight_flags")}
    new, moved = [], []
    for f in flags:
        if f.key not in known:
            new.append((flag_id(f.key), f.key, f.room, f.pupil, f.rule, f.first_run, f.last_run,
                        f.day, f.rule_text, f.detail, json.dumps(f.numbers), "open", None, None,
                        None, now))
        elif known[f.key] != f.last_run:
            moved.append((f.last_run, f.key))
    store.execute_many([
        (f"INSERT INTO insight_flags ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})",
         new),
        ("UPDATE insight_flags SET last_run = ? WHERE key = ?", moved)])
    return [_row(r) for r in new]


def refresh(store: Store, now: str, rules: Rules | None = None, room: str | None = None, *,
            loaded: tuple[list[RunInfo], list[PupilRun]] | None = None) -> list[StoredFlag]:
    """Roll up, evaluate every room (or one) and record; returns the new flags. ``loaded``:
    the room's runs and rows when the caller has just read them (after advancing)."""
    if loaded is None:
        rollup.advance(store)
        runs = rollup.runs(store, room=room)
        rows = rollup.pupil_runs(store, room=room)
    else:
        runs, rows = loaded
    new: list[StoredFlag] = []
    for r in sorted({i.room for i in runs}):
        new += record(store, evaluate([i for i in runs if i.room == r],
                                      [x for x in rows if x.room == r], rules), now)
    return new


def _row(r: Sequence[Any]) -> StoredFlag:
    values = dict(zip(_COLS, r, strict=True))
    values["numbers"] = json.loads(values["numbers"])
    return StoredFlag(**values)


def flags(store: Store, *, room: str | None = None, pupil: str | None = None,
          status: str | None = None) -> list[StoredFlag]:
    ensure_tables(store)
    where, params = [], []
    for col, val in (("room", room), ("pupil", pupil), ("status", status)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return [_row(r) for r in store.query(
        f"SELECT {', '.join(_COLS)} FROM insight_flags{clause} ORDER BY day, pupil, rule",
        params)]


def get(store: Store, fid: str) -> StoredFlag:
    ensure_tables(store)
    rows = store.query(f"SELECT {', '.join(_COLS)} FROM insight_flags WHERE id = ?", (fid,))
    if not rows:
        raise FlagError(f"there is no flag {fid!r}; 'kit report --flags' lists them")
    return _row(rows[0])


def decide(store: Store, fid: str, status: str, *, by: str, now: str,
           reason: str | None = None) -> StoredFlag:
    """A facilitator confirms or dismisses a flag (or reopens it)."""
    if status not in STATUSES:
        raise FlagError(f"a flag can be {', '.join(STATUSES)}, not {status!r}")
    if not by.strip():
        raise FlagError("say who decides (the teacher's name)")
    get(store, fid)
    store.execute("UPDATE insight_flags SET status = ?, decided_by = ?, decided_at = ?, "
                  "reason = ? WHERE id = ?", (status, by, now, reason, fid))
    return get(store, fid)


def forget(store: Store, pupil: str) -> dict[str, int]:
    ensure_tables(store)
    return {"insight_flags": store.execute("DELETE FROM insight_flags WHERE pupil = ?", (pupil,))}
