"""A BLE robot (a micro:bit robot running ``kit/drivers/microbit/firmware/robot.ts``) driven
over bleak.

::

    async with BleRobot("zotiv") as robot:       # finds it, connects, keeps it connected
        await robot.drive(0.5, turn=0.2)        # repeated as a keep-alive while driving
        await robot.stop()

The robot is named the way a teacher can read it off the board or ``kit devices``: the five
letters of ``BBC micro:bit [zotiv]``, that full advertised name, or its Bluetooth address
(see :mod:`kit.drivers.ble.discovery`).

If the link drops the robot stops by itself (its watchdog, and its disconnect handler); the
driver reconnects with backoff, stays stopped, and reports ``link-lost`` then ``reconnected``
in :attr:`BleRobot.reports` and to ``on_report``. A failed scan or connect (an adapter busy
with another scan, a robot out of range) never ends the driver: it waits (backoff with
jitter) and tries again. Every change of :attr:`BleRobot.state` (``scanning``,
``not-found``, ``scan-failed``, ``connecting``, ``connect-failed``, ``connected``,
``not-a-robot``, ``disconnected``, ``closed``) goes to ``on_state`` and the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kit.clock import Clock, SystemClock
from kit.drivers.ble import nus
from kit.drivers.ble.backend import PLATFORM, BleBackend
from kit.drivers.ble.discovery import describe_target, matches
from kit.errors import KitError
from kit.robot_api import Capabilities, Robot, SpeedLimits, led_image, tone_hz

log = logging.getLogger(__name__)


class RobotUnavailable(KitError, ConnectionError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"robot {name!r} is not connected ({reason}); switch it on, bring it "
                         "closer and check its batteries")
        self.name = name
        self.reason = reason


class NotARobot(KitError, ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} has no robot UART service; flash robot.ts "
                         "onto its micro:bit (MakeCode, 'No Pairing Required')")
        self.name = name


@dataclass(frozen=True, slots=True)
class RobotReport:
    robot: str
    kind: str  # link-lost, reconnected, connected, watchdog, battery, not-a-robot
    detail: str = ""


class BleRobot:
    """Implements :class:`kit.robot_api.Robot`."""

    def __init__(self, name: str, *, backend: BleBackend = PLATFORM, clock: Clock | None = None,
                 limits: SpeedLimits | None = None, capabilities: Capabilities | None = None,
                 keepalive: float | None = 0.1, scan_timeout: float = 5.0,
                 connect_timeout: float = 10.0, max_backoff: float = 5.0,
                 on_report: Callable[[RobotReport], None] | None = None,
                 on_state: Callable[[str, str], None] | None = None) -> None:
        self.name = name
        self.target_kind = describe_target(name)  # short, advertised, address or name
        self.on_state = on_state
        self.states: list[str] = []
        self.address: str | None = None
        self.backend = backend
        self.clock: Clock = clock or SystemClock()
        self.limits = limits or SpeedLimits()
        self.capabilities = capabilities or Capabilities(sound=True)
        self.keepalive = keepalive
        self.scan_timeout, self.connect_timeout = scan_timeout, connect_timeout
        self.max_backoff = max_backoff
        self.on_report = on_report
        self.state = "disconnected"
        self.last_error = ""
        self.reports: list[RobotReport] = []
        self.battery_mv: int | None = None
        self.reconnects = 0
        self.bad_reports = 0
        self._client: Any = None
        self._write: Any = None
        self._lost = asyncio.Event()
        self._up = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._keep: asyncio.Task[None] | None = None
        self._last_drive: bytes | None = None
        self._rx = bytearray()

    @property
    def connected(self) -> bool:
        return self._client is not None and self.state == "connected"

    async def __aenter__(self) -> BleRobot:
        self._task = asyncio.create_task(self._supervise(), name=f"ble-{self.name}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.connected:
            with contextlib.suppress(Exception):
                await self.stop()
        self._stop_keepalive()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.disconnect()
        self._set_state("closed")

    async def wait_connected(self) -> None:
        await self._up.wait()

    # Robot API --------------------------------------------------------------------------

    async def drive(self, speed: float, turn: float = 0.0, seconds: float | None = None) -> None:
        lim = self.limits
        speed = max(-lim.max_speed, min(lim.max_speed, speed))
        turn = max(-lim.max_turn, min(lim.max_turn, turn))
        if seconds is not None:
            seconds = max(0.0, min(lim.max_seconds, seconds))
        data = nus.drive(speed, turn, seconds)
        await self._send(data)
        self._stop_keepalive()
        if seconds is None and self.keepalive and (speed or turn):
            self._last_drive = data
            self._keep = asyncio.create_task(self._keep_alive(), name=f"keepalive-{self.name}")

    async def stop(self) -> None:
        self._stop_keepalive()
        await self._send(nus.stop())

    async def led(self, pattern: str) -> None:
        """Show a LED pattern named as lessons name them ("heart", "quarter-note"; see
        :data:`kit.robot_api.LED_PATTERNS`); the robot's program gets its image name
        (HEART, QUARTER_NOTE). An unknown name raises :class:`~kit.robot_api.UnknownRobotWord`
        before anything is sent."""
        await self._send(nus.led(led_image(pattern)))

    async def sound(self, tone: str) -> None:
        """Play a sound named as lessons name them ("beep", "drum"; see
        :data:`kit.robot_api.NAMED_TONES`) or a pitch in Hz ("440"): the robot's program
        gets the frequency."""
        await self._send(nus.sound(str(tone_hz(tone))))

    async def _send(self, data: bytes) -> None:
        client, char = self._client, self._write
        if client is None or char is None or self.state != "connected":
            raise RobotUnavailable(self.name, self.state)
        from bleak.exc import BleakError

        try:
            for chunk in nus.chunks(data):
                await client.write_gatt_char(char, chunk, response=False)
        except (BleakError, OSError, EOFError) as e:
            raise RobotUnavailable(self.name, f"write failed: {e}") from e

    def _stop_keepalive(self) -> None:
        if self._keep is not None:
            self._keep.cancel()
            self._keep = None

    async def _keep_alive(self) -> None:
        assert self.keepalive is not None
        while True:
            await self.clock.sleep(self.keepalive)
            if self._last_drive is None or not self.connected:
                return
            try:
                await self._send(self._last_drive)
            except RobotUnavailable:
                return

    # The link ---------------------------------------------------------------------------

    def _report(self, kind: str, detail: str = "") -> None:
        r = RobotReport(self.name, kind, detail)
        self.reports.append(r)
        log.info("robot %s: %s %s", self.name, kind, detail)
        if self.on_report is not None:
            self.on_report(r)

    def _set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        self.states.append(state)
        log.info("robot %s: %s %s", self.name, state, detail)
        if self.on_state is not None:
            self.on_state(state, detail)

    async def _find(self) -> Any:
        from bleak import BleakScanner

        target = self.name

        def wanted(device: Any, adv: Any) -> bool:
            return matches(target, name=adv.local_name or device.name, address=device.address)

        return await BleakScanner.find_device_by_filter(
            wanted, timeout=self.scan_timeout, backend=self.backend.scanner)

    async def _supervise(self) -> None:
        from bleak import BleakClient

        delay = 0.2
        ever = False
        rng = random.Random()

        async def backoff(state: str, detail: str = "", wait: float | None = None) -> None:
            nonlocal delay
            self._set_state(state, detail)
            # jitter: robots that lost their links together do not all scan again together
            await self.clock.sleep(wait if wait is not None else delay * rng.uniform(0.5, 1.0))
            delay = min(delay * 2, self.max_backoff)

        while True:
            self._set_state("scanning")
            try:
                device = await self._find()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # BleakError, OSError, a busy or missing adapter
                self.last_error = f"{type(e).__name__}: {e}"
                await backoff("scan-failed", self.last_error)
                continue
            if device is None:
                await backoff("not-found")
                continue
            self.address = device.address
            self._set_state("connecting", device.address)
            self._lost.clear()
            client = BleakClient(device, disconnected_callback=self._on_disconnect,
                                 timeout=self.connect_timeout, backend=self.backend.client)
            try:
                await client.connect()
                self._write, tx = self._pick(client.services)
                await client.start_notify(tx, self._on_data)
            except NotARobot:
                self._report("not-a-robot", device.address)
                with contextlib.suppress(Exception):
                    await client.disconnect()
                await backoff("not-a-robot", device.address, wait=self.max_backoff)
                continue
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await client.disconnect()
                raise
            except Exception as e:  # BleakError, TimeoutError, OSError, a stack's own errors
                self.last_error = f"{type(e).__name__}: {e}"
                with contextlib.suppress(Exception):
                    await client.disconnect()
                await backoff("connect-failed", self.last_error)
                continue
            delay = 0.2
            self._client = client
            self._set_state("connected", device.address)
            self._up.set()
            if ever:
                self.reconnects += 1
                self._report("reconnected")
            else:
                self._report("connected")
            ever = True
            await self._lost.wait()
            self._up.clear()
            self._client = self._write = None
            self._stop_keepalive()
            self._set_state("disconnected")
            self._report("link-lost", "the robot stops by itself; reconnecting")

    def _on_disconnect(self, client: Any) -> None:
        self._lost.set()

    def _pick(self, services: Any) -> tuple[Any, Any]:
        service = services.get_service(nus.SERVICE) if services is not None else None
        if service is None:
            raise NotARobot(self.name)
        write = notify = None
        for c in service.characteristics:
            props = set(c.properties)
            if props & {"write", "write-without-response"} and write is None:
                write = c
            if props & {"notify", "indicate"} and notify is None:
                notify = c
        if write is None or notify is None:
            raise NotARobot(self.name)
        return write, notify

    def _on_data(self, *args: Any) -> None:
        data = args[-1]
        self._rx.extend(data)
        while (i := self._rx.find(b"\n")) >= 0:
            raw = bytes(self._rx[: i + 1])
            del self._rx[: i + 1]
            try:
                rep = nus.decode_report(raw)
            except nus.BadReport:
                self.bad_reports += 1
                continue
            if rep.kind == "battery":
                self.battery_mv = int(rep.value)
                self._report("battery", f"{rep.value} mV")
            elif rep.kind == "event":
                self._report(str(rep.value))
        if len(self._rx) > 120:
            self._rx.clear()

    def __repr__(self) -> str:
        return f"<BleRobot {self.name} {self.state} reconnects={self.reconnects}>"


async def stop_all(robots: Iterable[Robot]) -> list[str]:
    """Stop every robot at once; returns the names of those that could not be told."""
    robots = list(robots)
    results = await asyncio.gather(*(r.stop() for r in robots), return_exceptions=True)
    return [r.name for r, res in zip(robots, results, strict=True)
            if isinstance(res, BaseException)]
