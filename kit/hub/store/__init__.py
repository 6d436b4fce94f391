"""The participation store: SQLite (WAL) by default, PostgreSQL through a URL.

One schema and one interface for both (:class:`Store`); :func:`open_store` picks the backend
from the URL. Store methods are blocking; async code reaches them through :class:`AsyncStore`,
which runs every call on one dedicated thread (sqlite3 and psycopg are blocking libraries).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from kit.errors import ConfigError, StoreError
from kit.hub.store.base import EventRow, Rejection, Store, register_eraser, register_purger

T = TypeVar("T")
log = logging.getLogger(__name__)

__all__ = ["AsyncStore", "EventRow", "Rejection", "Store", "open_store", "register_eraser",
           "register_purger"]


def open_store(url: str) -> Store:
    """``sqlite:///path/to/kit.db`` or ``postgresql://user@host:port/db``."""
    if url.startswith("sqlite:"):
        from kit.hub.store.sqlite import SqliteStore

        # SQLAlchemy's convention: sqlite:///relative.db, sqlite:////absolute.db
        path = url.removeprefix("sqlite:").removeprefix("///").removeprefix("//")
        return SqliteStore(path or ":memory:")
    if url.startswith(("postgresql:", "postgres:")):
        from kit.hub.store.postgres import PostgresStore

        return PostgresStore(url)
    raise ConfigError(f"store URL {url!r}: use sqlite:///path/kit.db or postgresql://host/db")


class AsyncStore:
    """Runs a store's blocking calls on one thread of their own, in order."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kit-store")
        self._store: Store | None = None

    async def __aenter__(self) -> AsyncStore:
        self._store = await self._run(lambda: open_store(self.url))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            await self._run(store.close)
        self._pool.shutdown(wait=True)

    async def reopen(self) -> bool:
        """Close the store and open it again (after a lost connection); False if it cannot
        be opened yet."""
        old, self._store = self._store, None
        if old is not None:
            with contextlib.suppress(Exception):
                await self._run(old.close)
        try:
            self._store = await self._run(lambda: open_store(self.url))
        except Exception as e:
            log.warning("the participation store cannot be opened yet: %s", e)
            return False
        return True

    async def call(self, fn: Callable[[Store], T]) -> T:
        store = self._store
        if store is None:
            raise StoreError("the participation store is not open")
        return await self._run(lambda: fn(store))

    async def _run(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)
