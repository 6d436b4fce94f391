"""Roll-ups kept beside the events: one row per pupil and lesson run, one per run, one per
interaction edge, so a report over a year reads thousands of rows, not millions of events.

The recorder is not changed: :func:`advance` brings the roll-ups up to date from a watermark
on ``events.received_at`` (the time the hub stored each event) whenever a report, the
dashboard or the hub asks. Every run that received events since the watermark (less a safety
margin, for late deliveries and several recorders with slightly different clocks) is rolled up
again from its events, in one transaction per group of runs, so rolling a run twice is
harmless and a crash leaves either the old or the new figures, never half.

Erasure (:func:`forget`) and retention (:func:`purge_before`) remove roll-up rows the same way
the store removes events.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from kit.insight.metrics import PupilRun, RawEvent, RunSummary, summarise_run
from kit.insight.tables import ensure
from kit.protocol.envelope import format_ts, parse_ts

if TYPE_CHECKING:
    from kit.hub.store import Store

log = logging.getLogger(__name__)

DDL = """
CREATE TABLE IF NOT EXISTS insight_runs (
    room TEXT NOT NULL,
    run TEXT NOT NULL,
    day TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT NOT NULL,
    events INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    PRIMARY KEY (room, run)
);
CREATE TABLE IF NOT EXISTS insight_pupil_runs (
    room TEXT NOT NULL,
    run TEXT NOT NULL,
    day TEXT NOT NULL,
    pupil TEXT NOT NULL,
    team TEXT NOT NULL,
    role TEXT,
    events INTEGER NOT NULL,
    contributions INTEGER NOT NULL,
    passes INTEGER NOT NULL,
    timeouts INTEGER NOT NULL,
    turns INTEGER NOT NULL,
    helps_given INTEGER NOT NULL,
    helps_received INTEGER NOT NULL,
    active_s DOUBLE PRECISION NOT NULL,
    first_action_s DOUBLE PRECISION,
    team_size INTEGER NOT NULL,
    team_contributions INTEGER NOT NULL,
    PRIMARY KEY (room, run, pupil)
);
CREATE INDEX IF NOT EXISTS insight_pupil_runs_pupil ON insight_pupil_runs (pupil);
CREATE TABLE IF NOT EXISTS insight_edges (
    room TEXT NOT NULL,
    run TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (room, run, source, target, kind)
);
CREATE TABLE IF NOT EXISTS insight_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_received ON events (received_at)
"""

#: Runs that received events this long before the watermark are rolled again.
MARGIN = timedelta(minutes=5)
_WATERMARK = "rollup.watermark"
_ROW_COLS = ("room", "run", "day", "pupil", "team", "role", "events", "contributions", "passes",
             "timeouts", "turns", "helps_given", "helps_received", "active_s", "first_action_s",
             "team_size", "team_contributions")


@dataclass(frozen=True, slots=True)
class RunInfo:
    room: str
    run: str
    day: str
    started: str
    ended: str
    events: int = 0
    closed: bool = False  # the teacher ended the lesson


@dataclass(frozen=True, slots=True)
class Edge:
    room: str
    run: str
    source: str
    target: str
    kind: str
    n: int


def ensure_tables(store: Store) -> None:
    ensure(store, "insight", DDL)


def _state(store: Store, key: str) -> str | None:
    rows = store.query("SELECT value FROM insight_state WHERE key = ?", (key,))
    return str(rows[0][0]) if rows else None


def _write_steps(summary: RunSummary) -> list[tuple[str, Sequence[Sequence[Any]]]]:
    key = [(summary.room, summary.run)]
    steps: list[tuple[str, Sequence[Sequence[Any]]]] = [
        ("DELETE FROM insight_runs WHERE room = ? AND run = ?", key),
        ("DELETE FROM insight_pupil_runs WHERE room = ? AND run = ?", key),
        ("DELETE FROM insight_edges WHERE room = ? AND run = ?", key),
    ]
    if not summary.started:
        return steps
    steps.append(("INSERT INTO insight_runs VALUES (?,?,?,?,?,?,?)",
                  [(summary.room, summary.run, summary.day, summary.started, summary.ended,
                    summary.events, int(summary.closed))]))
    steps.append((f"INSERT INTO insight_pupil_runs ({', '.join(_ROW_COLS)}) "
                  f"VALUES ({', '.join('?' * len(_ROW_COLS))})",
                  [tuple(getattr(r, c) for c in _ROW_COLS) for r in summary.pupils]))
    steps.append(("INSERT INTO insight_edges VALUES (?,?,?,?,?,?)",
                  [(summary.room, summary.run, s, t, k, n)
                   for (s, t, k), n in sorted(summary.edges.items())]))
    return steps


def roll_run(store: Store, room: str, run: str) -> RunSummary:
    """Read one run's events and summarise them (no write)."""
    rows = store.query("SELECT ts, pupil, team, kind, data FROM events WHERE room = ? AND run = ? "
                       "ORDER BY ts, station, seq", (room, run))
    return summarise_run(room, run, [RawEvent(ts, pupil, team, kind, json.loads(data))
                                     for ts, pupil, team, kind, data in rows])


def _unchanged(store: Store, room: str, run: str) -> bool:
    rolled = store.query("SELECT events FROM insight_runs WHERE room = ? AND run = ?",
                         (room, run))
    if not rolled:
        return False
    n = store.query("SELECT count(*) FROM events WHERE room = ? AND run = ?", (room, run))
    return int(n[0][0]) == int(rolled[0][0])


def advance(store: Store, *, batch: int = 16) -> int:
    """Bring the roll-ups up to date with the events; returns how many runs were rolled."""
    ensure_tables(store)
    top = store.query("SELECT max(received_at) FROM events")[0][0]
    if top is None:
        return 0
    mark = _state(store, _WATERMARK)
    if mark is None:
        todo = store.query("SELECT DISTINCT room, run FROM events WHERE run IS NOT NULL")
    else:
        since = format_ts(parse_ts(mark) - MARGIN) if mark.endswith("Z") else mark
        # No DISTINCT here: SQLite would answer it by scanning the whole (room, run) index
        # instead of the few rows after the watermark.
        todo = list({(room, run) for room, run in store.query(
            "SELECT room, run FROM events WHERE received_at >= ?", (since,)) if run is not None})
        # Runs seen again only because of the margin are skipped when nothing was added.
        todo = [(room, run) for room, run in todo if not _unchanged(store, room, run)]
    todo = sorted(todo)
    for i in range(0, len(todo), batch):
        steps: list[tuple[str, Sequence[Sequence[Any]]]] = []
        for room, run in todo[i:i + batch]:
            steps += _write_steps(roll_run(store, room, run))
        store.execute_many(steps)
    store.execute_many([("DELETE FROM insight_state WHERE key = ?", [(_WATERMARK,)]),
                        ("INSERT INTO insight_state VALUES (?, ?)", [(_WATERMARK, str(top))])])
    if todo:
        log.debug("rolled up %d runs up to %s", len(todo), top)
    return len(todo)


def rebuild(store: Store) -> int:
    """Forget the watermark and roll every run again (after a bulk import or repair)."""
    ensure_tables(store)
    store.execute_many([("DELETE FROM insight_state WHERE key = ?", [(_WATERMARK,)]),
                        ("DELETE FROM insight_runs", [()]),
                        ("DELETE FROM insight_pupil_runs", [()]),
                        ("DELETE FROM insight_edges", [()])])
    return advance(store)


def _where(room: str | None, since: str | None, until: str | None, run: str | None,
           pupil: str | None = None) -> tuple[str, list[Any]]:
    where, params = [], []
    for cond, val in (("room = ?", room), ("day >= ?", since), ("day <= ?", until),
                      ("run = ?", run), ("pupil = ?", pupil)):
        if val is not None:
            where.append(cond)
            params.append(val)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def runs(store: Store, *, room: str | None = None, since: str | None = None,
         until: str | None = None, run: str | None = None) -> list[RunInfo]:
    """Rolled-up lesson runs in time order; ``since``/``until`` are days (YYYY-MM-DD)."""
    ensure_tables(store)
    clause, params = _where(room, since, until, run)
    return [RunInfo(r[0], r[1], r[2], r[3], r[4], int(r[5]), bool(r[6])) for r in store.query(
        f"SELECT room, run, day, started, ended, events, closed FROM insight_runs{clause} "
        "ORDER BY started, room, run", params)]


def pupil_runs(store: Store, *, room: str | None = None, since: str | None = None,
               until: str | None = None, run: str | None = None,
               pupil: str | None = None) -> list[PupilRun]:
    ensure_tables(store)
    clause, params = _where(room, since, until, run, pupil)
    rows = store.query(f"SELECT {', '.join(_ROW_COLS)} FROM insight_pupil_runs{clause}", params)
    # The columns are PupilRun's fields, in order.
    return [PupilRun(*r[:13], float(r[13]),  # type: ignore[call-arg]
                     None if r[14] is None else float(r[14]), *r[15:])
            for r in rows]


def edges(store: Store, *, room: str | None = None, since: str | None = None,
          until: str | None = None, run: str | None = None) -> list[Edge]:
    ensure_tables(store)
    clause, params = _where(room, None, None, run)
    rows = store.query(f"SELECT room, run, source, target, kind, n FROM insight_edges{clause}",
                       params)
    if since is None and until is None:
        return [Edge(*r) for r in rows]
    days = {(i.room, i.run) for i in runs(store, room=room, since=since, until=until, run=run)}
    return [Edge(*r) for r in rows if (r[0], r[1]) in days]


def forget(store: Store, pupil: str) -> dict[str, int]:
    """Erase the pupil's roll-up rows and every interaction edge naming them."""
    ensure_tables(store)
    return {
        "insight_pupil_runs": store.execute("DELETE FROM insight_pupil_runs WHERE pupil = ?",
                                            (pupil,)),
        "insight_edges": store.execute(
            "DELETE FROM insight_edges WHERE source = ? OR target = ?", (pupil, pupil)),
    }


def purge_before(store: Store, ts: str) -> dict[str, int]:
    """Retention: drop the roll-ups of runs that started before ``ts``."""
    ensure_tables(store)
    day = ts[:10]
    return {
        "insight_pupil_runs": store.execute("DELETE FROM insight_pupil_runs WHERE day < ?",
                                            (day,)),
        "insight_edges": store.execute(
            "DELETE FROM insight_edges WHERE EXISTS (SELECT 1 FROM insight_runs r WHERE "
            "r.room = insight_edges.room AND r.run = insight_edges.run AND r.day < ?)", (day,)),
        "insight_runs": store.execute("DELETE FROM insight_runs WHERE day < ?", (day,)),
    }
