"""Fixtures for the driver tests: a fake clock, the simulated air and a gateway on a pty."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from kit.clock import FakeClock
from kit.drivers.bridge import GatewayBridge
from kit.drivers.microbit.link import GatewayLink
from kit.drivers.sim.air import Air
from kit.drivers.sim.microbits import SimGateway
from kit.protocol.inputs import decode_input

VECTORS = json.loads((Path(__file__).parents[2] / "firmware" / "vectors.json").read_text())


async def run_until(clock: FakeClock, done: Callable[[], bool], *, step: float = 0.005,
                    limit: float = 60.0) -> None:
    """Advance the fake clock in small steps until ``done()``; fail after ``limit`` seconds
    of simulated time. Each step also lets real pty I/O through the event loop."""
    start = clock.monotonic()
    while not done():
        if clock.monotonic() - start > limit:
            raise AssertionError(f"not done after {limit}s of simulated time")
        await clock.advance(step)


class RecordingHub:
    """Stands in for the Station: records what the bridge publishes."""

    def __init__(self) -> None:
        self.inputs: list[Any] = []
        self.presence: list[tuple[str, str, dict[str, Any]]] = []
        self.events: list[tuple[str, str | None, dict[str, Any]]] = []
        self.down = False

    async def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        if self.down:
            raise ConnectionError("broker away")
        self.inputs.append(decode_input(payload))

    async def set_presence(self, station: str, state: str, **info: Any) -> None:
        self.presence.append((station, state, info))

    async def record(self, kind: str, *, data: Any = None, station: str | None = None) -> None:
        self.events.append((kind, station, dict(data or {})))

    def presses(self, controller: str) -> list[tuple[int, str]]:
        return [(i.seq, i.gesture) for i in self.inputs if i.controller == controller]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def air() -> Air:
    return Air()


@pytest.fixture
async def gateway(tmp_path: Path, air: Air, clock: FakeClock) -> AsyncIterator[SimGateway]:
    gw = SimGateway(tmp_path / "ttyKIT0", air=air, clock=clock)
    await gw.plug()
    try:
        yield gw
    finally:
        await gw.unplug()


@pytest.fixture
async def bridged(gateway: SimGateway, clock: FakeClock
                  ) -> AsyncIterator[tuple[GatewayBridge, RecordingHub, GatewayLink]]:
    hub = RecordingHub()
    async with GatewayLink(finder=gateway.finder, clock=clock) as link:
        bridge = GatewayBridge(link, hub, room="room-1", clock=clock)
        task = asyncio.create_task(bridge.run())
        try:
            yield bridge, hub, link
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
