"""SQLite store: one file in WAL mode, fsync on every commit (a closed lid loses nothing)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kit.errors import StoreError
from kit.hub.store.base import SCHEMA, SCHEMA_VERSION, Rejection, Store, event_params
from kit.protocol.envelope import Event


class SqliteStore(Store):
    def __init__(self, path: str) -> None:
        self.url = f"sqlite:///{path}"
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA.format(serial="INTEGER", blob="BLOB"))
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the participation store {path}: {e}") from e

    def insert_events(self, events: Sequence[Event], received_at: str) -> int:
        if not events:
            return 0
        db = self._db
        before = db.total_changes
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR IGNORE INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                           [event_params(e, received_at) for e in events])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return db.total_changes - before

    def insert_rejected(self, items: Sequence[Rejection]) -> int:
        if not items:
            return 0
        db = self._db
        before = db.total_changes
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT OR IGNORE INTO rejected (digest, received_at, topic, reason, detail, "
                "payload) VALUES (?,?,?,?,?,?)",
                [(r.digest, r.received_at, r.topic, r.reason, r.detail, r.payload)
                 for r in items])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return db.total_changes - before

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._db.execute(sql, tuple(params)).fetchall())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._db.execute(sql, tuple(params)).rowcount

    def execute_many(self, steps: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for sql, rows in steps:
                db.executemany(sql, [tuple(r) for r in rows])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __repr__(self) -> str:
        return f"<SqliteStore {self.path}>"
