"""SQLite store: one file in WAL mode, fsync on every commit (a closed lid loses nothing).

The file and its WAL are private (0600); deleted rows are overwritten (``secure_delete``) and
an erasure ends with a WAL checkpoint that truncates the log, so no old page image is left.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kit.config import private_dir, private_file
from kit.errors import StoreError
from kit.hub.store.base import SCHEMA, SCHEMA_VERSION, Rejection, Store, event_params
from kit.protocol.envelope import Event


class SqliteStore(Store):
    def __init__(self, path: str) -> None:
        self.url = f"sqlite:///{path}"
        self.path = path
        self._in_tx = False
        try:
            if path != ":memory:":
                if not Path(path).parent.exists():
                    private_dir(Path(path).parent)
                private_file(Path(path))
                for suffix in ("-wal", "-shm"):  # SQLite keeps the mode of existing files
                    extra = Path(path + suffix)
                    if extra.exists():
                        private_file(extra)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA secure_delete=ON")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA.format(serial="INTEGER", blob="BLOB"))
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"cannot open the participation store {path}: {e}") from e

    def insert_events(self, events: Sequence[Event], received_at: str) -> int:
        if not events:
            return 0
        return self._insert("INSERT OR IGNORE INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                            [event_params(e, received_at) for e in events])

    def insert_rejected(self, items: Sequence[Rejection]) -> int:
        if not items:
            return 0
        return self._insert(
            "INSERT OR IGNORE INTO rejected (digest, received_at, topic, reason, detail, "
            "payload) VALUES (?,?,?,?,?,?)",
            [(r.digest, r.received_at, r.topic, r.reason, r.detail, r.payload) for r in items])

    def _insert(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        """Rows inserted, in a transaction of their own unless one is open."""
        db = self._db
        before = db.total_changes
        if self._in_tx:
            db.executemany(sql, rows)
            return db.total_changes - before
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(sql, rows)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return db.total_changes - before

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._in_tx = False

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def scrub(self, tables: Sequence[str]) -> None:
        """Copy the WAL into the database and truncate it (retrying while a reader such as a
        running hub holds an older snapshot)."""
        for _ in range(100):
            busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            time.sleep(0.05)
        logging.getLogger(__name__).warning(
            "the store's write-ahead log is still in use; it is cleared at the next checkpoint")

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
