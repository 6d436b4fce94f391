"""Creating kit's own tables beside the event store, once per open store, on SQLite and
PostgreSQL alike (the DDL below is written in the subset both accept)."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kit.hub.store import Store

_done: weakref.WeakKeyDictionary[Store, set[str]] = weakref.WeakKeyDictionary()


def ensure(store: Store, name: str, ddl: str) -> None:
    """Run ``ddl`` (``;``-separated ``CREATE ... IF NOT EXISTS`` statements) the first time
    ``name`` is asked for on this store."""
    done = _done.setdefault(store, set())
    if name in done:
        return
    for statement in ddl.split(";"):
        if statement.strip():
            store.execute(statement)
    done.add(name)
