"""What is plugged in and nearby: micro:bits on USB serial, BLE robots, and the simulated set."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.clock import SystemClock
from kit.drivers.ble.backend import PLATFORM, BleBackend


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    kind: str  # microbit-usb, controller, robot, ble-other, bluetooth
    name: str
    where: str
    state: str
    short: str = ""  # a robot's five letters ("zotiv"): bind a team to it by these
    rssi: int | None = None


def serial_microbits() -> list[DeviceInfo]:
    from serial.tools import list_ports

    from kit.drivers.microbit.link import MICROBIT_PID, MICROBIT_VID

    out = []
    for p in list_ports.comports():
        if p.vid == MICROBIT_VID and p.pid == MICROBIT_PID:
            board = (p.serial_number or "")[:4]
            version = {"9900": "V1", "9901": "V1"}.get(board, "V2" if board else "?")
            out.append(DeviceInfo("microbit-usb", p.serial_number or "micro:bit", p.device,
                                  f"plugged in ({version})"))
    return out


async def ble_devices(*, backend: BleBackend = PLATFORM, seconds: float = 2.0
                      ) -> list[DeviceInfo]:
    """micro:bit robots around, by the name they advertise (``BBC micro:bit [zotiv]``)."""
    from kit.drivers.ble.discovery import discover_robots

    try:
        found = await discover_robots(backend=backend, seconds=seconds)
    except Exception as e:  # no adapter, no BlueZ, permissions: say so, do not crash
        why = f"Bluetooth not available on this computer ({type(e).__name__}: {e})"
        return [DeviceInfo("bluetooth", "-", "-", why)]
    out = [DeviceInfo("robot", r.advertised or r.address, r.address,
                      f"advertising, signal {r.rssi} dBm" if r.rssi is not None
                      else "advertising", short=r.short, rssi=r.rssi)
           for r in found.robots]
    if found.others:
        out.append(DeviceInfo("ble-other", f"{found.others} other device(s)", "-",
                              "not micro:bits; ignored"))
    return out


async def simulated(*, controllers: int = 4, robots: int = 2, seconds: float = 1.0
                    ) -> list[DeviceInfo]:
    """Start a small simulated classroom, look at it the way the real drivers do, report."""
    from kit.drivers.bridge import GatewayBridge
    from kit.drivers.microbit.link import GatewayLink
    from kit.drivers.sim.air import Air
    from kit.drivers.sim.microbits import SimController, SimGateway
    from kit.drivers.sim.robots import RobotWorld

    clock = SystemClock()
    out: list[DeviceInfo] = []
    with tempfile.TemporaryDirectory() as tmp:
        air = Air()
        gw = SimGateway(Path(tmp) / "ttyKIT0", air=air, clock=clock)
        await gw.plug()
        ctrls = [SimController(i + 1, air=air, clock=clock) for i in range(controllers)]
        for c in ctrls:
            await c.power_on()
        try:
            async with RobotWorld(clock=clock) as world, \
                    GatewayLink(finder=gw.finder, clock=clock) as link:
                for _ in range(robots):
                    await world.add_robot()
                await world.add_stranger("hrm-22")
                bridge = GatewayBridge(link, _NullHub(), room="sim", clock=clock)
                task = asyncio.create_task(bridge.run())
                ble = await ble_devices(backend=world.backend, seconds=seconds)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                out.append(DeviceInfo("microbit-usb", "gateway (simulated)", gw.port,
                                      f"{link.state}, {link.stats.lines} lines, "
                                      f"{link.stats.bad} bad"))
                for c in ctrls:
                    st = bridge.controllers.get(c.controller)
                    state = (f"joined, rssi {st.rssi}, {st.presses} inputs" if st else "not seen")
                    out.append(DeviceInfo("controller", c.controller, "radio group 42", state))
                out += ble
        finally:
            for c in ctrls:
                await c.power_off()
            await gw.unplug()
    return out


class _NullHub:
    async def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        pass

    async def set_presence(self, station: str, state: str, **info: Any) -> None:
        pass

    async def record(self, kind: str, *, data: Any = None, station: str | None = None) -> None:
        pass
