"""PostgreSQL store, for a school server or several recorders sharing one database."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg

from kit.errors import StoreError
from kit.hub.store.base import SCHEMA, SCHEMA_VERSION, Rejection, Store, event_params
from kit.protocol.envelope import Event


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class PostgresStore(Store):
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self._db = psycopg.connect(url, autocommit=True)
            with self._db.transaction():
                # Two recorders may start at once: serialise schema creation.
                self._db.execute("SELECT pg_advisory_xact_lock(4242)")
                self._db.execute(SCHEMA.format(
                    serial="BIGINT GENERATED ALWAYS AS IDENTITY", blob="BYTEA"))
                self._db.execute("INSERT INTO meta VALUES ('schema', %s) ON CONFLICT DO NOTHING",
                                 (SCHEMA_VERSION,))
        except psycopg.Error as e:
            raise StoreError(f"cannot open the participation store {url}: {e}") from e

    def insert_events(self, events: Sequence[Event], received_at: str) -> int:
        if not events:
            return 0
        with self._db.transaction(), self._db.cursor() as cur:
            cur.executemany(
                "INSERT INTO events VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (id) DO NOTHING",
                [event_params(e, received_at) for e in events])
            return max(cur.rowcount, 0)

    def insert_rejected(self, items: Sequence[Rejection]) -> int:
        if not items:
            return 0
        with self._db.transaction(), self._db.cursor() as cur:
            cur.executemany(
                "INSERT INTO rejected (digest, received_at, topic, reason, detail, payload) "
                "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (digest) DO NOTHING",
                [(r.digest, r.received_at, r.topic, r.reason, r.detail, r.payload)
                 for r in items])
            return max(cur.rowcount, 0)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._db.transaction():
            yield

    def rollback(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self._db.rollback()

    def scrub(self, tables: Sequence[str]) -> None:
        """Deleted rows stay in PostgreSQL's table files as dead tuples until VACUUM: rewrite
        the tables (``VACUUM FULL``). The server's own write-ahead log keeps the old rows until
        it recycles its segments after checkpoints; a CHECKPOINT is asked for (it needs the
        pg_checkpoint role or superuser; without it the server's next one does it)."""
        log = logging.getLogger(__name__)
        for table in dict.fromkeys(tables):
            try:
                self._db.execute(f'VACUUM FULL "{table}"')
            except psycopg.Error as e:
                log.warning("could not VACUUM %s after an erasure: %s", table, e)
        try:
            self._db.execute("CHECKPOINT")
        except psycopg.Error as e:
            log.info("no CHECKPOINT after the erasure (%s); the server makes one soon", e)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._db.cursor() as cur:
            cur.execute(_pg(sql), tuple(params))
            return list(cur.fetchall())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._db.cursor() as cur:
            cur.execute(_pg(sql), tuple(params))
            return max(cur.rowcount, 0)

    def execute_many(self, steps: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        with self._db.transaction(), self._db.cursor() as cur:
            for sql, rows in steps:
                if rows:
                    cur.executemany(_pg(sql), [tuple(r) for r in rows])

    def close(self) -> None:
        self._db.close()

    def __repr__(self) -> str:
        return f"<PostgresStore {self.url}>"
