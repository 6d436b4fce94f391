"""The xAPI outbox: every statement waits in the hub's store until the LRS has taken it, so an
unreachable LRS loses nothing. Statements are kept by id (insert-or-ignore), so queueing the
same events twice queues them once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kit.hub.store.base import Store

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS xapi_outbox (
        id TEXT PRIMARY KEY,
        pupil TEXT,
        statement TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        sent_at TEXT,
        attempts INTEGER NOT NULL,
        last_error TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS xapi_outbox_pending ON xapi_outbox (sent_at, queued_at)",
)


def ensure_tables(store: Store) -> None:
    for sql in SCHEMA:
        store.execute(sql)


#: Rows per INSERT/UPDATE: one transaction (one fsync) per chunk instead of per statement.
CHUNK = 200


def enqueue(store: Store, items: Iterable[tuple[str | None, dict[str, Any]]],
            now: str) -> int:
    """Queue ``(pupil, statement)`` pairs; returns how many were new (ids already queued,
    sent or not, are left as they are)."""
    ensure_tables(store)
    rows = [(st["id"], pupil, json.dumps(st, separators=(",", ":"), ensure_ascii=False), now)
            for pupil, st in items]
    new = 0
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        values = ", ".join("(?, ?, ?, ?, NULL, 0, NULL)" for _ in chunk)
        new += store.execute(
            "INSERT INTO xapi_outbox (id, pupil, statement, queued_at, sent_at, attempts, "
            f"last_error) VALUES {values} ON CONFLICT (id) DO NOTHING",
            [v for row in chunk for v in row])
    return new


def pending(store: Store, limit: int) -> list[dict[str, Any]]:
    ensure_tables(store)
    rows = store.query("SELECT statement FROM xapi_outbox WHERE sent_at IS NULL "
                       "ORDER BY queued_at, id LIMIT ?", (limit,))
    return [json.loads(s) for (s,) in rows]


def counts(store: Store) -> dict[str, int]:
    ensure_tables(store)
    sent = int(store.query("SELECT count(*) FROM xapi_outbox WHERE sent_at IS NOT NULL")[0][0])
    waiting = int(store.query("SELECT count(*) FROM xapi_outbox WHERE sent_at IS NULL")[0][0])
    return {"sent": sent, "pending": waiting}


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    items = list(ids)
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def mark_sent(store: Store, ids: Iterable[str], now: str) -> int:
    return sum(store.execute(
        "UPDATE xapi_outbox SET sent_at = ?, last_error = NULL, attempts = attempts + 1 "
        f"WHERE id IN ({', '.join('?' * len(c))})", [now, *c]) for c in _chunks(ids))


def mark_failed(store: Store, ids: Iterable[str], error: str) -> None:
    for c in _chunks(ids):
        store.execute("UPDATE xapi_outbox SET attempts = attempts + 1, last_error = ? "
                      f"WHERE id IN ({', '.join('?' * len(c))})", [error, *c])


def forget(store: Store, pupil: str) -> dict[str, int]:
    """Erase the pupil's statements not yet sent *and* the record of those sent. (Statements
    an LRS already holds must be deleted there: xAPI itself cannot delete.)"""
    ensure_tables(store)
    return {"xapi_outbox": store.execute("DELETE FROM xapi_outbox WHERE pupil = ?", (pupil,))}
