"""``kit hub``: the broker (embedded, Mosquitto, or someone else's), the recorder and the
retention sweep, composed in one place from settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from kit import config
from kit.clock import Clock, SystemClock
from kit.config import BrokerAddress
from kit.hub.recorder import Recorder, RecorderStats
from kit.hub.store import AsyncStore, Store
from kit.protocol.envelope import format_ts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubSettings:
    broker: str = "embedded"  # "embedded", "mosquitto" or an mqtt:// URL
    host: str = "127.0.0.1"
    port: int = 1883
    store: str = ""  # default: sqlite in the data directory
    retention_days: int | None = 365
    recorder: bool = True
    recorder_name: str = "main"
    shared: bool = False
    room: str = "+"
    count_total: bool = False  # count the store's rows after each commit (for --progress)
    dashboard_port: int | None = None  # serve the teachers' dashboard on this port
    dashboard_host: str = "127.0.0.1"


@contextlib.asynccontextmanager
async def broker(settings: HubSettings, creds: dict[str, str]) -> AsyncIterator[BrokerAddress]:
    """Start (or point at) the broker; yields its address without a role."""
    if settings.broker == "embedded":
        from kit.hub.embedded import EmbeddedBroker

        async with EmbeddedBroker(settings.port, creds, settings.host):
            yield BrokerAddress(settings.host, settings.port, protocol="3.1.1")
    elif settings.broker == "mosquitto":
        from kit.hub.mosquitto import MosquittoBroker

        directory = config.home() / f"mosquitto-{settings.port}"
        async with MosquittoBroker(directory, settings.port, creds, settings.host):
            yield BrokerAddress(settings.host, settings.port, protocol="5")
    else:
        yield BrokerAddress.parse(settings.broker)


def _purge(store: Store, cutoff: str) -> dict[str, int]:
    return store.purge_before(cutoff)


async def retention_sweep(store: AsyncStore, days: int, clock: Clock) -> None:
    """Delete events older than the retention period, now and then once a day."""
    while True:
        cutoff = format_ts(clock.now() - timedelta(days=days))
        gone = await store.call(partial(_purge, cutoff=cutoff))
        if any(gone.values()):
            log.info("retention: removed %s (older than %d days)", gone, days)
        await clock.sleep(86400)


async def run_hub(
    settings: HubSettings,
    *,
    clock: Clock | None = None,
    on_ready: Callable[[BrokerAddress], None] | None = None,
    on_commit: Callable[[RecorderStats], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    clock = clock or SystemClock()
    creds = config.credentials()
    store_url = settings.store or config.default_store_url()
    async with broker(settings, creds) as address, AsyncStore(store_url) as store:
        hub = address.as_role("hub", creds)
        recorder = Recorder(hub, store, name=settings.recorder_name, room=settings.room,
                            shared=settings.shared, clock=clock, on_commit=on_commit,
                            count_total=settings.count_total,
                            on_ready=(lambda: on_ready(address)) if on_ready else None)
        async with asyncio.TaskGroup() as tg:
            tasks = []
            if settings.recorder:
                tasks.append(tg.create_task(recorder.run(), name="recorder"))
            elif on_ready:
                on_ready(address)
            if settings.retention_days:
                tasks.append(tg.create_task(
                    retention_sweep(store, settings.retention_days, clock), name="retention"))
            if settings.dashboard_port is not None:
                from kit.classroom.web import extra_routes
                from kit.web.app import DashboardSettings, serve

                tasks.append(tg.create_task(serve(DashboardSettings(
                    host=settings.dashboard_host, port=settings.dashboard_port, store=store_url,
                    broker=address, creds=creds, room=settings.room), clock=clock,
                    store=store, routes=extra_routes(store)), name="dashboard"))
            await (stop.wait() if stop else asyncio.Event().wait())
            for t in tasks:
                t.cancel()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

