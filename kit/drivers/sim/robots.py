"""Simulated BLE robots: micro:bit-shaped GATT peripherals (the MakeCode Bluetooth UART
program's service) on bumble's in-process virtual link, with a 2D pose and the same watchdog as
``robot.ts`` (in ``kit/drivers/microbit/firmware``). The app reaches them through real bleak
code via :attr:`RobotWorld.backend`.

::

    async with RobotWorld(clock=clock) as world:
        bot = await world.add_robot("robot-1")
        async with BleRobot("robot-1", backend=world.backend, clock=clock) as robot:
            await robot.drive(0.5)
            await bot.out_of_range()       # test verbs: out_of_range, battery_low
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kit.clock import Clock, SystemClock
from kit.drivers.ble import nus
from kit.drivers.ble.backend import BleBackend
from kit.drivers.ble.discovery import advertised_name, friendly_name, short_name

log = logging.getLogger(__name__)

TOP_SPEED = 0.25  # m/s at 100 %
TOP_TURN = math.pi  # rad/s at 100 %
WATCHDOG = 0.4  # s without a command before a moving robot stops itself


@dataclass
class Pose:
    """Where a simulated robot is: metres and radians (0 = facing +x, counter-clockwise)."""

    x: float = 0.0
    y: float = 0.0
    heading: float = 0.0

    def advance(self, speed: float, turn: float, dt: float) -> None:
        """Move for ``dt`` s at ``speed``/``turn`` fractions of top speed (turn > 0 = right)."""
        self.heading -= turn * TOP_TURN * dt
        self.x += speed * TOP_SPEED * dt * math.cos(self.heading)
        self.y += speed * TOP_SPEED * dt * math.sin(self.heading)


class RobotWorld:
    """One virtual BLE link: a central for the app, and the simulated robots."""

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.robots: dict[str, SimRobot] = {}
        self.connect_lock = asyncio.Lock()
        self._scans = 0
        self._scan_lock = asyncio.Lock()
        self.link: Any = None
        self.central: Any = None
        from kit.drivers.sim.ble_backend import BumbleClient, BumbleScanner

        self.backend = BleBackend(
            scanner=type("BumbleScanner", (BumbleScanner,), {"world": self}),
            client=type("BumbleClient", (BumbleClient,), {"world": self}))
        self._n = 0
        self.scan_failures = 0
        self.scan_failure_reason = ""

    def _device(self, name: str, address: str) -> Any:
        from bumble.controller import Controller
        from bumble.device import Device
        from bumble.hci import Address
        from bumble.host import Host
        from bumble.transport.common import AsyncPipeSink

        ctrl = Controller(name, link=self.link, public_address=address)
        return Device(name=name, address=Address(address), host=Host(ctrl, AsyncPipeSink(ctrl)))

    async def __aenter__(self) -> RobotWorld:
        from bumble.link import LocalLink

        self.link = LocalLink()  # type: ignore[no-untyped-call]
        self.central = self._device("kit-host", "F0:F0:F0:F0:F0:F0")
        await self.central.power_on()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for r in list(self.robots.values()):
            await r.power_off()

    def _address(self) -> str:
        self._n += 1
        return f"F1:00:00:00:{self._n >> 8:02X}:{self._n & 255:02X}"

    async def add_robot(self, short: str | None = None, **kwargs: Any) -> SimRobot:
        """A robot that advertises as a real one does: flags and ``BBC micro:bit [short]``,
        no service UUID. ``short`` defaults to the five letters of a made-up serial number."""
        address = self._address()
        if short is None:
            short = friendly_name(0x5A17_0000 + self._n * 7919)
        if short_name(advertised_name(short)) != short:
            raise ValueError(f"{short!r}: a micro:bit name is five lower-case letters")
        robot = SimRobot(self, advertised_name(short), address, **kwargs)
        self.robots[short] = robot
        await robot.power_on()
        return robot

    def fail_scans(self, count: int = 1, reason: str = "org.bluez.Error.InProgress") -> None:
        """Test verb: the next ``count`` scans fail as BlueZ does when the adapter is busy."""
        self.scan_failures += count
        self.scan_failure_reason = reason

    async def add_stranger(self, name: str, *, uart: bool = False) -> Any:
        """Test verb: a device that is not a kit robot (a heart-rate band, a pupil's micro:bit
        with a UART service but no robot program)."""
        from bumble import gatt
        from bumble.core import UUID, AdvertisingData

        dev = self._device(name, self._address())
        service = nus.SERVICE if uart else "0000180d-0000-1000-8000-00805f9b34fb"
        dev.add_service(gatt.Service(service, [gatt.Characteristic(
            "00002a37-0000-1000-8000-00805f9b34fb", gatt.Characteristic.Properties.READ,
            gatt.Characteristic.READABLE, b"\x00")]))
        await dev.power_on()
        data: list[tuple[int, bytes]] = [(AdvertisingData.COMPLETE_LOCAL_NAME, name.encode())]
        if uart:
            data.append((AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
                         UUID(nus.SERVICE).to_bytes()))
        await dev.start_advertising(advertising_data=bytes(AdvertisingData(data)),
                                    auto_restart=True,
                                    advertising_interval_min=20, advertising_interval_max=20)
        return dev

    async def scan_begin(self) -> None:
        async with self._scan_lock:
            self._scans += 1
            if self._scans == 1:
                await self.central.start_scanning(filter_duplicates=False)

    async def scan_end(self) -> None:
        async with self._scan_lock:
            self._scans -= 1
            if self._scans == 0:
                await self.central.stop_scanning()


class SimRobot:
    """A robot running the robot firmware's logic: drive, stop, LEDs, sound, watchdog."""

    def __init__(self, world: RobotWorld, name: str, address: str, *, tick: float = 0.02,
                 watchdog: float = WATCHDOG, latency: float = 0.0,
                 connection_interval: float = 0.0) -> None:
        self.world, self.name, self.address = world, name, address
        self.short = short_name(name) or ""
        self.clock = world.clock
        self.tick, self.watchdog, self.latency = tick, watchdog, latency
        # A real link moves data only at connection events, one every interval (7.5 ms to
        # 4 s; BlueZ 30-50 ms by default): a write waits for the next one.
        self.connection_interval = connection_interval
        self.waits: list[float] = []  # per command: how long it waited for its event
        self._events_from = 0.0
        self.pose = Pose()
        self.speed = self.turn = 0.0
        self.battery_mv = 3300
        self.leds = ""
        self.tones: list[str] = []
        self.commands: list[nus.Command] = []
        self.reports: list[bytes] = []
        self.oversize_writes = 0
        self.bad_commands = 0
        self.connections = 0
        self.on_command: Callable[[nus.Command], None] | None = None
        self._buf = bytearray()
        self._last_cmd = 0.0
        self._deadline: float | None = None
        self._conn: Any = None
        self._device: Any = None
        self._tx: Any = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ticker: asyncio.Task[None] | None = None

    @property
    def moving(self) -> bool:
        return self.speed != 0.0 or self.turn != 0.0

    @property
    def connected(self) -> bool:
        return self._conn is not None

    async def power_on(self) -> None:
        from bumble import gatt
        from bumble.core import AdvertisingData

        dev = self._device = self.world._device(self.name, self.address)
        props = gatt.Characteristic.Properties
        # micro:bit wiring: 6E400002 is the robot's TX (indicate), 6E400003 its RX (write).
        self._tx = gatt.Characteristic(nus.CHAR_2, props.INDICATE, gatt.Characteristic.READABLE,
                                       b"")
        rx: Any = gatt.Characteristic(nus.CHAR_3, props.WRITE | props.WRITE_WITHOUT_RESPONSE,
                                 gatt.Characteristic.WRITEABLE,
                                 gatt.CharacteristicValue(write=self._on_write))
        dev.add_service(gatt.Service(nus.SERVICE, [self._tx, rx]))
        dev.on("connection", self._on_connection)
        await dev.power_on()
        # What a MakeCode board puts on the air: flags and its name, no service UUID.
        adv = AdvertisingData([
            (AdvertisingData.FLAGS, bytes([0x06])),
            (AdvertisingData.COMPLETE_LOCAL_NAME, self.name.encode())])
        await dev.start_advertising(advertising_data=bytes(adv), auto_restart=True,
                                    advertising_interval_min=20, advertising_interval_max=20)
        self._ticker = asyncio.create_task(self._tick(), name=f"robot-{self.name}")

    async def power_off(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for t in list(self._tasks):
            t.cancel()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.disconnect()
        if self._device is not None:
            with contextlib.suppress(Exception):
                await self._device.stop_advertising()

    # the firmware's behaviour ---------------------------------------------------------

    def _on_connection(self, conn: Any) -> None:
        self._conn = conn
        self._events_from = self.clock.monotonic()
        self.connections += 1
        conn.on("disconnection", self._on_disconnection)

    def _on_disconnection(self, reason: int) -> None:
        self._conn = None
        self._buf.clear()
        self._halt()  # onBluetoothDisconnected: stop the motors

    def _on_write(self, connection: Any, value: bytes) -> None:
        if self.connection_interval > 0:
            now = self.clock.monotonic()
            i = self.connection_interval
            wait = i - ((now - self._events_from) % i)
            self.waits.append(wait)
            asyncio.get_running_loop().call_later(wait, self._received, bytes(value))
            return
        self._received(value)

    def _received(self, value: bytes) -> None:
        if len(value) > nus.MAX_WRITE:
            self.oversize_writes += 1
        self._buf.extend(value)
        while (i := self._buf.find(b"\n")) >= 0:
            line = bytes(self._buf[: i + 1])
            del self._buf[: i + 1]
            try:
                cmd = nus.decode_command(line)
            except nus.BadReport:
                self.bad_commands += 1
                continue
            self._obey(cmd)
        if len(self._buf) > 60:  # MakeCode's receive buffer
            self._buf.clear()

    def _obey(self, cmd: nus.Command) -> None:
        self._last_cmd = self.clock.monotonic()
        self.commands.append(cmd)
        if cmd.verb == "drive":
            cap = 0.5 if self.battery_mv < 3000 else 1.0
            self.speed = max(-cap, min(cap, cmd.speed / 100))
            self.turn = cmd.turn / 100
            self._deadline = self._last_cmd + cmd.ms / 1000 if cmd.ms else None
        elif cmd.verb == "stop":
            self._halt()
        elif cmd.verb == "led":
            self.leds = cmd.arg
        elif cmd.verb == "sound":
            self.tones.append(cmd.arg)
        if self.on_command is not None:
            self.on_command(cmd)

    def _halt(self) -> None:
        self.speed = self.turn = 0.0
        self._deadline = None

    def report(self, report: nus.Report) -> None:
        data = nus.encode_report(report)
        self.reports.append(data)
        if self._conn is None or self._device is None:
            return
        task = asyncio.create_task(self._indicate(data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _indicate(self, data: bytes) -> None:
        with contextlib.suppress(Exception):
            for chunk in nus.chunks(data):
                await self._device.indicate_subscribers(self._tx, chunk)

    async def _tick(self) -> None:
        last = self.clock.monotonic()
        while True:
            await self.clock.sleep(self.tick)
            now = self.clock.monotonic()
            self.pose.advance(self.speed, self.turn, now - last)
            last = now
            if self._deadline is not None and now >= self._deadline:
                self._halt()
            elif self.moving and self._deadline is None and now - self._last_cmd > self.watchdog:
                self._halt()
                self.report(nus.Report("event", "watchdog"))

    # test verbs -------------------------------------------------------------------------

    async def out_of_range(self) -> None:
        """The robot drives out of range: the link drops with a supervision timeout (0x08)."""
        from bumble import hci

        if self._conn is not None:
            await self._conn.disconnect(reason=hci.HCI_CONNECTION_TIMEOUT_ERROR)

    def battery_low(self, millivolts: int = 2900) -> None:
        """The batteries run down: the robot says so and goes at half speed at most."""
        self.battery_mv = millivolts
        self.report(nus.Report("battery", millivolts))

    def __repr__(self) -> str:
        return (f"<SimRobot {self.name} {'connected' if self.connected else 'advertising'} "
                f"speed={self.speed:+.2f} turn={self.turn:+.2f} "
                f"pose=({self.pose.x:.2f},{self.pose.y:.2f},{self.pose.heading:.2f})>")
