"""The gateway bridge: pupils' controller presses from the radio gateway onto the hub's MQTT
tree, and commands for controllers back to the gateway.

Each press is published (QoS 1, ``kit/v1/<room>/input/<controller>``) *before* it is
acknowledged to the controller, and a controller sends its next press only after the ack of the
last one: a press in flight when the gateway is unplugged or the broker is away stays on the
controller and is sent again; repeats are recognised by sequence number and published once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from kit.clock import Clock, SystemClock
from kit.drivers.microbit.lines import (
    COMMANDS,
    BeatLine,
    BootLine,
    KeyLine,
    Line,
    StatsLine,
    controller_id,
    device_of,
    encode_ack,
    encode_command,
)
from kit.protocol import topics
from kit.protocol.envelope import format_ts
from kit.protocol.inputs import Input

log = logging.getLogger(__name__)


class Publisher(Protocol):
    """What the bridge needs of the hub side (:class:`kit.link.station.Station` fits)."""

    async def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None: ...

    async def set_presence(self, station: str, state: str, **info: Any) -> None: ...


class Link(Protocol):
    def lines(self) -> AsyncIterator[Line]: ...

    async def send(self, line: str) -> bool: ...


@dataclass
class ControllerState:
    controller: str
    dev: str
    session: int | None = None
    last_seq: int | None = None
    last_seen: float = 0.0
    rssi: int = 0
    present: bool = False
    presses: int = 0
    repeats: int = 0
    seat: str | None = None


@dataclass
class GatewayCounters:
    rx: int = 0
    dup: int = 0
    gap: int = 0
    bad: int = 0
    boots: int = 0


class GatewayBridge:
    def __init__(self, link: Link, publisher: Publisher, *, room: str,
                 clock: Clock | None = None, leave_after: float = 10.0) -> None:
        self.link = link
        self.publisher = publisher
        self.room = room
        self.clock: Clock = clock or SystemClock()
        self.leave_after = leave_after
        self.controllers: dict[str, ControllerState] = {}
        self.gateway = GatewayCounters()
        self.published = 0

    async def run(self, commands: AsyncIterator[Any] | None = None) -> None:
        """Bridge until cancelled; ``commands`` are MQTT messages for controllers."""
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._from_gateway(), name="bridge-from-gateway")
            tg.create_task(self._presence(), name="bridge-presence")
            if commands is not None:
                tg.create_task(self._commands(commands), name="bridge-commands")

    async def _from_gateway(self) -> None:
        async for line in self.link.lines():
            await self.handle(line)

    async def handle(self, line: Line) -> None:
        match line:
            case KeyLine():
                await self._key(line)
            case BeatLine():
                await self._seen(line.dev, line.rssi)
            case StatsLine():
                self.gateway.rx, self.gateway.dup = line.rx, line.dup
                self.gateway.gap, self.gateway.bad = line.gap, line.bad
            case BootLine():
                self.gateway.boots += 1
                log.info("gateway booted: %s", line.version)

    async def _key(self, k: KeyLine) -> None:
        c = await self._seen(k.dev, k.rssi)
        if k.gesture == "hello" and k.seq == 0:
            fresh = c.session != k.value
            if fresh:
                c.session, c.last_seq = k.value, None
        else:
            fresh = c.last_seq is None or k.seq > c.last_seq
        if fresh:
            payload = Input(c.controller, k.seq, k.gesture, k.value,
                            ts=format_ts(self.clock.now())).encode()
            await self.publisher.publish(topics.controller_input(self.room, c.controller),
                                         payload)
            c.last_seq = k.seq
            c.presses += 1
            self.published += 1
            if k.gesture == "hello" and c.seat is not None:
                await self.link.send(encode_command(c.dev, "seat", c.seat))
        else:
            c.repeats += 1
        await self.link.send(encode_ack(k.dev, k.seq))

    async def _seen(self, dev: str, rssi: int) -> ControllerState:
        cid = controller_id(dev)
        c = self.controllers.get(cid)
        if c is None:
            c = self.controllers[cid] = ControllerState(cid, dev)
        c.last_seen, c.rssi = self.clock.monotonic(), rssi
        if not c.present:
            c.present = True
            await self.publisher.set_presence(cid, "joined", rssi=rssi,
                                              last_seen=format_ts(self.clock.now()))
        return c

    async def _presence(self) -> None:
        while True:
            await self.clock.sleep(1.0)
            now = self.clock.monotonic()
            for c in self.controllers.values():
                if c.present and now - c.last_seen > self.leave_after:
                    c.present = False
                    seen = self.clock.now().timestamp() - (now - c.last_seen)
                    await self.publisher.set_presence(
                        c.controller, "left",
                        last_seen=format_ts(datetime.fromtimestamp(seen, UTC)))

    async def command(self, controller: str, command: str, arg: str) -> bool:
        """Send a command (seat, led, sound) to one controller through the gateway."""
        dev = device_of(controller)
        if dev is None or command not in COMMANDS:
            log.info("ignored command %s for %s", command, controller)
            return False
        if command == "seat":
            c = self.controllers.get(controller)
            if c is None:
                c = self.controllers[controller] = ControllerState(controller, dev)
            c.seat = arg
        return await self.link.send(encode_command(dev, command, arg))

    async def _commands(self, messages: AsyncIterator[Any]) -> None:
        async for m in messages:
            parsed = topics.parse(str(m.topic))
            if parsed is None or parsed.kind != "station-command" or parsed.station is None:
                continue
            assert parsed.command is not None
            try:
                await self.command(parsed.station, parsed.command, command_arg(m.payload))
            except ValueError as e:
                log.warning("ignored a controller command: %s", e)


def command_arg(payload: Any) -> str:
    """A command payload: plain text, or JSON ``{"value": ...}`` / a JSON string or number."""
    text = payload.decode() if isinstance(payload, bytes | bytearray) else str(payload or "")
    try:
        obj = json.loads(text)
    except ValueError:
        return text.strip()
    if isinstance(obj, dict):
        obj = obj.get("value", obj.get("arg", ""))
    return str(obj)
