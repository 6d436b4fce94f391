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
from kit.insight.rollup import ensure_tables as ensure_rollup
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
    ensure_rollup(store)
    ensure(store, "insight_flags", DDL)


def record(store: Store, flags: Sequence[Flag], now: str) -> list[StoredFlag]:
    """Store flags not seen before; move ``last_run`` of those already stored. Returns the
    flags that are new."""
    ensure_tables(store)
    known = {k: (last, detail) for k, last, detail in store.query(
        "SELECT key, last_run, detail FROM insight_flags")}
    new, moved = [], []
    for f in flags:
        if f.key not in known:
            new.append((flag_id(f.key), f.key, f.room, f.pupil, f.rule, f.first_run, f.last_run,
                        f.day, f.rule_text, f.detail, json.dumps(f.numbers), "open", None, None,
                        None, now))
        elif known[f.key] != (f.last_run, f.detail):
            # Moved on, or looked at again after late events: the decision stays.
            moved.append((f.last_run, f.detail, json.dumps(f.numbers), f.key))
    store.execute_many([
        (f"INSERT INTO insight_flags ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})",
         new),
        ("UPDATE insight_flags SET last_run = ?, detail = ?, numbers = ? WHERE key = ?",
         moved)])
    return [_row(r) for r in new]


def refresh(store: Store, now: str, rules: Rules | None = None, room: str | None = None, *,
            loaded: tuple[list[RunInfo], list[PupilRun]] | None = None) -> list[StoredFlag]:
    """Roll up, evaluate every room (or one) and record; returns the new flags. ``loaded``:
    the room's runs and rows when the caller has just read them (after advancing)."""
    ensure_tables(store)
    if loaded is None:
        rollup.advance(store)
        runs = rollup.runs(store, room=room)
        rows = rollup.pupil_runs(store, room=room)
    else:
        runs, rows = loaded
    new: list[StoredFlag] = []
    for r in sorted({i.room for i in runs}):
        room_runs = complete([i for i in runs if i.room == r])
        start, before, state = _resume(store, r, room_runs, rules or Rules())
        status = {f.key: f.status for f in flags(store, room=r)} if start else {}
        found = evaluate(room_runs, [x for x in rows if x.room == r], rules, start=start,
                         before=before)
        new += record(store, found, now)
        # A flag first raised at a run looked at again that no longer holds (its lesson got
        # late events) is withdrawn, unless a teacher has already decided on it.
        index = {i.run: n for n, i in enumerate(room_runs)}
        keys = {f.key for f in found}
        gone = [(f.key,) for f in before if index.get(f.first_run, -1) >= start
                and f.key not in keys and status.get(f.key) == "open"] if start else []
        store.execute_many([("DELETE FROM insight_flags WHERE key = ?", gone)])
        store.execute_many([("DELETE FROM insight_state WHERE key = ?", [(state[0],)]),
                            ("INSERT INTO insight_state VALUES (?, ?)", [state])])
    return new


def complete(room_runs: list[RunInfo]) -> list[RunInfo]:
    """The runs a rule may look at: those the teacher ended, and any followed by a later run
    (a lesson still going on would look like a drop for everyone)."""
    order = sorted(room_runs, key=lambda i: (i.started, i.run))
    return order if not order or order[-1].closed else order[:-1]


def _resume(store: Store, room: str, room_runs: list[RunInfo], rules: Rules
            ) -> tuple[int, list[Flag], tuple[str, str]]:
    """Where the last evaluation of ``room`` stopped: the index of the first run to look at,
    the flags found so far, and the state to store after this evaluation. Starts again from
    the first run when the rules changed or an earlier run received events since."""
    key = f"signals.{room}.{hashlib.sha256(repr(rules).encode()).hexdigest()[:12]}"
    order = sorted(room_runs, key=lambda i: (i.started, i.run))
    mark = store.query("SELECT max(received_at) FROM events")[0][0] or ""
    state = (key, json.dumps({"run": order[-1].run if order else None, "mark": mark}))
    rows = store.query("SELECT value FROM insight_state WHERE key = ?", (key,))
    if not rows or not order:
        return 0, [], state
    last = json.loads(rows[0][0])
    index = {i.run: n for n, i in enumerate(order)}
    if last.get("run") not in index:
        return 0, [], state
    # Look again from the run after the last one looked at, or from the earliest run that
    # received events since (a lesson still going on, or late deliveries).
    start = index[last["run"]] + 1
    for rm, run in store.query("SELECT room, run FROM events WHERE received_at > ?",
                               (last.get("mark") or "",)):
        if rm == room and run in index:
            start = min(start, index[run])
    before = [Flag(f.room, f.pupil, f.rule, f.first_run, f.last_run, f.day, f.rule_text,
                   f.detail, f.numbers) for f in flags(store, room=room)]
    return start, before, state


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
