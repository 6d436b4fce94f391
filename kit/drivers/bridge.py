"""The gateway bridge: pupils' controller presses from the radio gateway onto the hub's MQTT
tree, commands for controllers back to the gateway, and the devices' health for the teacher.

Each press is published (QoS 1, ``kit/v1/<room>/input/<controller>``) *before* it is
acknowledged to the controller, and a controller forgets a press only when it is acknowledged:
a press in flight when the gateway is unplugged or the broker is away stays on the controller
and is sent again; repeats are recognised by sequence number and published once.

Throughput: every press is published at once (one MQTT connection keeps them in order) and
acknowledged to its controller in order once the broker has it and every earlier one; acks are
cumulative, and the acks that pile up while one line is being written go out together.

Health: every gateway stats line (5 s) becomes a participation event of kind ``health``
(:data:`HEALTH_KIND`) from the gateway's station, and each controller whose drop or retry
counters grew since the last one gets its own ``health`` event (station ``mb-<dev>``)::

    {"device": "gateway", "rx": 1200, "dup": 40, "gap": 0, "bad": 2, "reack": 31, "boots": 1,
     "repeats": 12, "publish_failures": 0, "lines": 930, "bad_lines": 1, "unsent": 0}
    {"device": "controller", "drops": 0, "retries": 17, "rssi": -61}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from kit.clock import Clock, SystemClock
from kit.drivers.microbit.lines import (
    COMMANDS,
    BeatLine,
    BootLine,
    KeyBatch,
    KeyLine,
    Line,
    StatsLine,
    controller_id,
    device_of,
    encode_acks,
    encode_command,
)
from kit.protocol import topics
from kit.protocol.envelope import format_ts
from kit.protocol.inputs import Input

log = logging.getLogger(__name__)

HEALTH_KIND = "health"


class Publisher(Protocol):
    """What the bridge needs of the hub side (:class:`kit.link.station.Station` fits)."""

    async def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None: ...

    async def set_presence(self, station: str, state: str, **info: Any) -> None: ...

    async def record(self, kind: str, *, data: Mapping[str, Any] | None = None,
                     station: str | None = None) -> Any: ...


class Link(Protocol):
    def lines(self) -> AsyncIterator[Line]: ...

    async def send(self, line: str) -> bool: ...


@dataclass
class ControllerState:
    controller: str
    dev: str
    session: int | None = None
    last_seq: int | None = None  # highest press accepted (being or already published)
    published: int | None = None  # highest press published (acknowledged to the controller)
    last_seen: float = 0.0
    rssi: int = 0
    present: bool = False
    presses: int = 0
    repeats: int = 0
    drops: int = 0
    retries: int = 0
    reported: tuple[int, int] = (0, 0)
    seat: str | None = None
    queue: asyncio.Queue[tuple[KeyLine, asyncio.Task[bool]]] = field(
        default_factory=asyncio.Queue, repr=False)
    worker: asyncio.Task[None] | None = field(default=None, repr=False)


@dataclass
class GatewayCounters:
    rx: int = 0
    dup: int = 0
    gap: int = 0
    bad: int = 0
    reack: int = 0
    boots: int = 0
    publish_failures: int = 0


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
        self.health_events = 0
        self._acks: dict[str, int] = {}
        self._ack_wake = asyncio.Event()
        self._tg: asyncio.TaskGroup | None = None

    async def run(self, commands: AsyncIterator[Any] | None = None) -> None:
        """Bridge until cancelled; ``commands`` are MQTT messages for controllers."""
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                tg.create_task(self._from_gateway(), name="bridge-from-gateway")
                tg.create_task(self._send_acks(), name="bridge-acks")
                tg.create_task(self._presence(), name="bridge-presence")
                if commands is not None:
                    tg.create_task(self._commands(commands), name="bridge-commands")
        finally:
            self._tg = None
            for c in self.controllers.values():
                c.worker = None

    async def _from_gateway(self) -> None:
        async for line in self.link.lines():
            await self.handle(line)

    async def handle(self, line: Line) -> None:
        match line:
            case KeyBatch():
                for k in line.keys:
                    await self._key(k)
            case BeatLine():
                c = await self._seen(line.dev, line.rssi)
                c.drops, c.retries = line.drops, line.retries
            case StatsLine():
                g = self.gateway
                g.rx, g.dup, g.gap, g.bad, g.reack = (line.rx, line.dup, line.gap, line.bad,
                                                      line.reack)
                await self._health()
            case BootLine():
                self.gateway.boots += 1
                log.info("gateway booted: %s", line.version)

    async def _key(self, k: KeyLine) -> None:
        c = await self._seen(k.dev, k.rssi)
        if k.gesture == "hello" and k.seq == 0:
            fresh = c.session != k.value
            if fresh:
                c.session, c.last_seq, c.published = k.value, None, None
                _drain(c.queue)
        else:
            fresh = c.last_seq is None or k.seq > c.last_seq
        if not fresh:
            c.repeats += 1
            if c.published is not None:
                self._ack(c.dev, c.published)
            return
        c.last_seq = k.seq
        if self._tg is None:  # not running: publish here and now
            if await self._send(c, k):
                await self._published(c, k)
            return
        # Published at once, in order (one MQTT connection keeps it); acknowledged in order
        # once the broker has each one, so the next press never waits for the last one's ack.
        sending = self._tg.create_task(self._send(c, k), name=f"publish-{c.controller}")
        c.queue.put_nowait((k, sending))
        if c.worker is None or c.worker.done():
            c.worker = self._tg.create_task(self._worker(c), name=f"bridge-{c.controller}")

    async def _worker(self, c: ControllerState) -> None:
        while True:
            k, sending = await c.queue.get()
            if await sending:
                await self._published(c, k)
            else:  # the controller keeps this press and the ones after it, and repeats them
                c.last_seq = c.published
                _drain(c.queue)

    async def _send(self, c: ControllerState, k: KeyLine) -> bool:
        payload = Input(c.controller, k.seq, k.gesture, k.value,
                        ts=format_ts(self.clock.now())).encode()
        try:
            await self.publisher.publish(topics.controller_input(self.room, c.controller),
                                         payload)
        except Exception as e:  # broker away: the press comes again
            self.gateway.publish_failures += 1
            log.warning("could not publish a press of %s (%s); it will come again",
                        c.controller, e)
            return False
        return True

    async def _published(self, c: ControllerState, k: KeyLine) -> None:
        if c.last_seq is None or k.seq > c.last_seq:
            return  # a new session started meanwhile
        c.published = k.seq
        c.presses += 1
        self.published += 1
        self._ack(c.dev, k.seq)
        if k.gesture == "hello" and c.seat is not None:
            await self.link.send(encode_command(c.dev, "seat", c.seat))

    def _ack(self, dev: str, seq: int) -> None:
        self._acks[dev] = max(seq, self._acks.get(dev, -1))
        self._ack_wake.set()

    async def _send_acks(self) -> None:
        while True:
            await self._ack_wake.wait()
            self._ack_wake.clear()
            acks, self._acks = self._acks, {}
            for line in encode_acks(acks):
                await self.link.send(line)

    async def _seen(self, dev: str, rssi: int | None) -> ControllerState:
        cid = controller_id(dev)
        c = self.controllers.get(cid)
        if c is None:
            c = self.controllers[cid] = ControllerState(cid, dev)
        c.last_seen = self.clock.monotonic()
        if rssi is not None:
            c.rssi = rssi
        if not c.present:
            c.present = True
            await self.publisher.set_presence(cid, "joined", rssi=c.rssi,
                                              last_seen=format_ts(self.clock.now()))
        return c

    def health(self) -> dict[str, Any]:
        """The gateway's health as the ``health`` event carries it."""
        g = self.gateway
        data: dict[str, Any] = {
            "device": "gateway", "rx": g.rx, "dup": g.dup, "gap": g.gap, "bad": g.bad,
            "reack": g.reack, "boots": g.boots,
            "repeats": sum(c.repeats for c in self.controllers.values()),
            "publish_failures": g.publish_failures,
        }
        stats = getattr(self.link, "stats", None)
        for name in ("lines", "bad", "unsent", "unplugs"):
            if stats is not None and hasattr(stats, name):
                data["bad_lines" if name == "bad" else name] = getattr(stats, name)
        return data

    async def _health(self) -> None:
        record = getattr(self.publisher, "record", None)
        if record is None:
            return
        try:
            await record(HEALTH_KIND, data=self.health())
            self.health_events += 1
            for c in self.controllers.values():
                if (c.drops, c.retries) != c.reported:
                    c.reported = (c.drops, c.retries)
                    await record(HEALTH_KIND, station=c.controller, data={
                        "device": "controller", "drops": c.drops, "retries": c.retries,
                        "rssi": c.rssi})
                    self.health_events += 1
        except Exception as e:  # health must never stop presses
            log.warning("could not record the devices' health (%s)", e)

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


def _drain(q: asyncio.Queue[Any]) -> None:
    with contextlib.suppress(asyncio.QueueEmpty):
        while True:
            q.get_nowait()


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
