"""A learning record store client: POST statements (xAPI 1.0.3 §2.1.2) in batches, each with
its own id, so a resend after a dropped connection is harmless (the LRS answers 204 or 200
without storing a duplicate), and the outbox keeps whatever did not get through.

The transport is httpx's: tests and a school's proxy plug in through ``transport=``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from kit.errors import KitError
from kit.hub.store.base import Store
from kit.protocol.envelope import format_ts
from kit.xapi import outbox
from kit.xapi.statements import VERSION

if TYPE_CHECKING:
    from kit.hub.store import AsyncStore

T = TypeVar("T")

log = logging.getLogger(__name__)


class LrsError(KitError, ConnectionError):
    """The LRS could not be reached, or refused the statements. ``status`` is the HTTP status
    (``None`` when nothing answered)."""

    def __init__(self, endpoint: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"the learning record store at {endpoint} {reason}")
        self.endpoint = endpoint
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class LrsConfig:
    endpoint: str  # e.g. http://127.0.0.1:8100/xAPI (statements are at <endpoint>/statements)
    username: str | None = None
    password: str | None = None
    timeout_s: float = 30.0
    batch: int = 500


class LrsClient:
    def __init__(self, config: LrsConfig, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        auth = (config.username, config.password or "") if config.username else None
        self._http = httpx.AsyncClient(auth=auth, timeout=config.timeout_s, transport=transport,
                                  headers={"X-Experience-API-Version": VERSION})

    @property
    def statements_url(self) -> str:
        return self.config.endpoint.rstrip("/") + "/statements"

    async def post(self, statements: list[dict[str, Any]]) -> None:
        """POST one batch; returns when the LRS has it (stored now, or stored before)."""
        url = self.statements_url
        try:
            r = await self._http.post(url, json=statements)
        except httpx.HTTPError as e:
            raise LrsError(url, f"did not answer ({type(e).__name__}: {e}); the statements "
                                "stay in the outbox for the next try") from e
        if r.status_code in (200, 204):
            return
        detail = r.text[:300].strip()
        if r.status_code in (401, 403):
            raise LrsError(url, f"refused kit's login (HTTP {r.status_code}); check the LRS "
                                "user name and password", r.status_code)
        raise LrsError(url, f"answered HTTP {r.status_code}: {detail}", r.status_code)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> LrsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


StoreCall = Callable[[Callable[[Store], T]], Awaitable[T]]


async def flush(store: Store, client: LrsClient, now: datetime, *,
                retries: int = 1) -> dict[str, int]:
    """Send everything waiting in the outbox, batch by batch. Stops at the first failure
    (the rest waits for the next try). A batch whose connection dropped is sent again up to
    ``retries`` times at once: the LRS keeps each statement id once, so a batch it had
    already stored costs nothing. Returns ``sent`` (this time), ``pending`` and ``failed``
    (1 if the last try failed).

    The store is called directly (a command-line run); the hub's loop uses
    :func:`flush_async` with its :class:`kit.hub.store.AsyncStore`."""
    async def call(fn: Callable[[Store], T]) -> T:
        return fn(store)

    return await _flush(call, client, now, retries)


async def flush_async(store: AsyncStore, client: LrsClient, now: datetime, *,
                      retries: int = 1) -> dict[str, int]:
    """:func:`flush` for async code: the store is reached on its own thread."""
    return await _flush(store.call, client, now, retries)


async def _flush(call: StoreCall[Any], client: LrsClient, now: datetime,
                 retries: int) -> dict[str, int]:
    sent = 0
    failed = 0
    stamp = format_ts(now)
    size = client.config.batch
    while True:
        batch: list[dict[str, Any]] = await call(lambda s: outbox.pending(s, size))
        if not batch:
            break
        ids = [st["id"] for st in batch]
        error: LrsError | None = None
        for _ in range(retries + 1):
            try:
                await client.post(batch)
            except LrsError as e:
                error = e
                if e.status is not None:  # it answered: sending the same again won't help
                    break
                log.info("xAPI: %s; sending the batch again", e)
                continue
            error = None
            break
        if error is not None:
            log.warning("xAPI: %s", error)
            reason = error.reason
            await call(partial(outbox.mark_failed, ids=ids, error=reason))
            failed = 1
            break
        sent += await call(partial(outbox.mark_sent, ids=ids, now=stamp))
    pending: int = (await call(outbox.counts))["pending"]
    return {"sent": sent, "pending": pending, "failed": failed}
