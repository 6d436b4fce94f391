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
from pathlib import Path

from kit import config
from kit.clock import Clock, SystemClock
from kit.config import BrokerAddress, station_address
from kit.hub.recorder import Recorder, RecorderStats
from kit.hub.store import AsyncStore, Store
from kit.protocol.envelope import format_ts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubSettings:
    #: "auto" (Mosquitto when installed, else embedded), "embedded", "mosquitto" or a URL.
    broker: str = "embedded"
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
    #: A TLS listener on this port as well (kit makes a certificate, or ``tls_cert``/``key``).
    tls_port: int | None = None
    tls_cert: str | None = None
    tls_key: str | None = None


@dataclass
class HubStatus:
    """What the hub is doing, for the lines ``kit hub`` prints every few seconds."""

    broker: str = ""
    stations: int = 0  # connections other than the hub's own
    recorder: RecorderStats | None = None


def resolve_broker(kind: str) -> str:
    if kind == "auto":
        from kit.hub.mosquitto import binary

        return "mosquitto" if binary() else "embedded"
    return kind


@contextlib.asynccontextmanager
async def broker(settings: HubSettings, status: HubStatus | None = None
                 ) -> AsyncIterator[BrokerAddress]:
    """Start (or point at) the broker; yields its address without a credential."""
    kind = resolve_broker(settings.broker)
    tls: tuple[Path, Path] | None = None
    if settings.tls_port:
        from kit.hub.tls import server_certificate

        tls = server_certificate(settings.host, settings.tls_cert, settings.tls_key)
    if status is not None:
        status.broker = kind
    if kind == "embedded":
        from kit.hub.embedded import LIMITS, EmbeddedBroker
        from kit.hub.mosquitto import ensure_ports_free

        ensure_ports_free(settings.host, settings.port, settings.tls_port)
        log.warning("%s", LIMITS)
        async with EmbeddedBroker(settings.port, host=settings.host, tls=tls,
                                  tls_port=settings.tls_port):
            yield BrokerAddress(settings.host, settings.port, protocol="3.1.1")
    elif kind == "mosquitto":
        from kit.hub.mosquitto import MosquittoBroker

        directory = config.home() / f"mosquitto-{settings.port}"
        async with MosquittoBroker(directory, settings.port, host=settings.host, tls=tls,
                                   tls_port=settings.tls_port):
            yield BrokerAddress(settings.host, settings.port, protocol="5")
    else:
        if status is not None:
            status.broker = "external"
        yield BrokerAddress.parse(settings.broker)


def _purge(store: Store, cutoff: str) -> dict[str, int]:
    return store.purge_before(cutoff)


async def retention_sweep(store: AsyncStore, days: int, clock: Clock) -> None:
    """Delete events older than the retention period, now and then once a day."""
    while True:
        cutoff = format_ts(clock.now() - timedelta(days=days))
        try:
            gone = await store.call(partial(_purge, cutoff=cutoff))
        except Exception as e:  # the store is away: the recorder reopens it; try again later
            log.warning("retention sweep failed (%s); trying again in an hour", e)
            await clock.sleep(3600)
            continue
        if any(gone.values()):
            log.info("retention: removed %s (older than %d days)", gone, days)
        await clock.sleep(86400)


async def count_stations(address: BrokerAddress, status: HubStatus, name: str) -> None:
    """Follow the rooms' retained presence to say how many stations are online."""
    from kit.link import mqtt

    me = station_address(address, role="hub", station=f"kit-monitor-{name}", room="*")
    online: dict[str, bool] = {}
    while True:
        try:
            async with mqtt.client(me) as client:
                await client.subscribe("kit/v1/+/station/+/state", qos=0)
                async for message in client.messages:
                    payload = message.payload if isinstance(message.payload, bytes) else b""
                    online[str(message.topic)] = b'"online"' in payload or \
                        b'"joined"' in payload
                    status.stations = sum(online.values())
        except Exception as e:
            log.info("hub monitor lost the broker (%s); retrying", e)
        await asyncio.sleep(1)


async def run_hub(
    settings: HubSettings,
    *,
    clock: Clock | None = None,
    on_ready: Callable[[BrokerAddress], None] | None = None,
    on_commit: Callable[[RecorderStats], None] | None = None,
    stop: asyncio.Event | None = None,
    status: HubStatus | None = None,
) -> None:
    clock = clock or SystemClock()
    status = status if status is not None else HubStatus()
    store_url = settings.store or config.default_store_url()
    async with broker(settings, status) as address, AsyncStore(store_url) as store:
        hub = station_address(address, role="hub", station=f"kit-recorder-{settings.recorder_name}",
                              room="*")
        recorder = Recorder(hub, store, name=settings.recorder_name, room=settings.room,
                            shared=settings.shared, clock=clock, on_commit=on_commit,
                            count_total=settings.count_total,
                            on_ready=(lambda: on_ready(address)) if on_ready else None)
        status.recorder = recorder.stats
        async with asyncio.TaskGroup() as tg:
            tasks = []
            if settings.recorder:
                tasks.append(tg.create_task(recorder.run(), name="recorder"))
            elif on_ready:
                on_ready(address)
            tasks.append(tg.create_task(count_stations(address, status, settings.recorder_name),
                                        name="hub-monitor"))
            if settings.retention_days:
                tasks.append(tg.create_task(
                    retention_sweep(store, settings.retention_days, clock), name="retention"))
            if settings.dashboard_port is not None:
                from kit.classroom.web import extra_routes
                from kit.web.app import DashboardSettings, serve

                tasks.append(tg.create_task(serve(DashboardSettings(
                    host=settings.dashboard_host, port=settings.dashboard_port, store=store_url,
                    broker=address, room=settings.room), clock=clock,
                    store=store, routes=extra_routes(store)), name="dashboard"))
            await (stop.wait() if stop else asyncio.Event().wait())
            for t in tasks:
                t.cancel()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
