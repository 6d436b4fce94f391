"""Press-to-robot latency through the whole kit path, beside the floor the simulated links set.

    press on a simulated controller (real firmware) -> radio (in-process) -> gateway firmware
    -> pty serial -> GatewayLink -> GatewayBridge -> MQTT (embedded broker, QoS 1)
    -> a relay standing in for a lesson step (input -> robot command) -> BleRobot (bleak)
    -> bumble virtual link -> simulated robot receives the drive command

Floor, per press: the time the simulated micro:bit links take on their own (controller and
gateway polling, radio, pty: press -> line decoded on the host), plus a separately measured
bleak -> bumble write -> robot receipt. kit's share is the rest: serial reading, bridge,
MQTT, relay, driver.

    python bench/latency.py [--quick] [--presses N] [--controllers N]

The last line is one JSON object: p50_ms, p99_ms, floor_p99_ms, added_p99_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kit import config
from kit.clock import SystemClock
from kit.config import BrokerAddress
from kit.drivers.bridge import GatewayBridge
from kit.drivers.microbit.lines import KeyLine, Line
from kit.drivers.microbit.link import GatewayLink
from kit.drivers.sim.air import Air
from kit.drivers.sim.microbits import SimController, SimGateway
from kit.drivers.sim.robots import RobotWorld
from kit.hub.embedded import EmbeddedBroker
from kit.hub.service import free_port
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics
from kit.protocol.inputs import decode_input

ROOM = "room-1"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))]


class TimedLink:
    """Wraps the link to note when each press line reaches the host (end of the device links)."""

    def __init__(self, link: GatewayLink, arrivals: dict[tuple[str, int], float],
                 controllers: int) -> None:
        self.link, self.arrivals = link, arrivals
        self.controllers = controllers
        self.all_joined = asyncio.Event()

    async def lines(self) -> AsyncIterator[Line]:
        async for line in self.link.lines():
            if isinstance(line, KeyLine):
                self.arrivals.setdefault((line.dev, line.seq), time.perf_counter())
                if sum(1 for _, seq in self.arrivals if seq == 0) >= self.controllers:
                    self.all_joined.set()
            yield line

    async def send(self, line: str) -> bool:
        return await self.link.send(line)


async def ble_floor(world: RobotWorld, n: int) -> list[float]:
    """bleak + bumble alone: write a drive command, wait for the robot to have it."""
    from bleak import BleakClient, BleakScanner

    from kit.drivers.ble import nus

    bot = await world.add_robot("floor-1")
    got: asyncio.Event = asyncio.Event()
    bot.on_command = lambda c: got.set()
    dev = await BleakScanner.find_device_by_name("floor-1", backend=world.backend.scanner)
    assert dev is not None
    out = []
    async with BleakClient(dev, backend=world.backend.client) as client:
        char = next(c for c in client.services.get_service(nus.SERVICE).characteristics
                    if "write-without-response" in c.properties)
        for _ in range(n):
            got.clear()
            t0 = time.perf_counter()
            await client.write_gatt_char(char, nus.drive(0.3, 0, 0.2), response=False)
            await got.wait()
            out.append(time.perf_counter() - t0)
    await bot.power_off()
    return out


async def main(presses: int, n_ctrl: int) -> dict[str, float]:
    from kit.drivers.ble.robot import BleRobot

    clock = SystemClock()
    tmp = Path(tempfile.mkdtemp())
    config.private_dir(tmp / "home")
    os.environ["KIT_HOME"] = str(tmp / "home")
    port = free_port()
    broker = BrokerAddress("127.0.0.1", port)
    arrivals: dict[tuple[str, int], float] = {}
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(EmbeddedBroker(port))
        world = await stack.enter_async_context(RobotWorld(clock=clock))
        floor_ble = await ble_floor(world, min(presses, 300))
        bot = await world.add_robot("robot-1")
        received: asyncio.Queue[float] = asyncio.Queue()
        bot.on_command = lambda c: received.put_nowait(time.perf_counter())
        robot = await stack.enter_async_context(
            BleRobot("robot-1", backend=world.backend, clock=clock, keepalive=None))
        await robot.wait_connected()

        air = Air()
        gw = SimGateway(tmp / "ttyKIT0", air=air, clock=clock)
        await gw.plug()
        stack.push_async_callback(gw.unplug)
        ctrls = [SimController(i + 1, air=air, clock=clock) for i in range(n_ctrl)]
        for c in ctrls:
            await c.power_on()
            stack.push_async_callback(c.power_off)
        station = await stack.enter_async_context(
            Station(config.station_address(broker, role="gateway", station="gateway-1", room=ROOM),
                    room=ROOM, station="gateway-1"))
        link = await stack.enter_async_context(GatewayLink(finder=gw.finder, clock=clock))
        timed = TimedLink(link, arrivals, n_ctrl)
        bridge = GatewayBridge(timed, station, room=ROOM, clock=clock)
        relay = await stack.enter_async_context(
            mqtt.client(config.station_address(broker, role="teacher", station="lesson-relay",
                                               room=ROOM)))
        await relay.subscribe(topics.all_inputs(ROOM), qos=1)

        async def relay_loop() -> None:  # a lesson step: "press A and your robot moves"
            async for m in relay.messages:
                press = decode_input(bytes(m.payload))  # type: ignore[arg-type]
                if press.gesture in ("A", "B"):
                    await robot.drive(0.3 if press.gesture == "A" else -0.3, 0.0, seconds=0.3)

        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(bridge.run()), tg.create_task(relay_loop())]
            await asyncio.wait_for(timed.all_joined.wait(), 30)  # every hello is through
            rng = random.Random(3)
            total, floor_dev = [], []
            next_seq = {c.dev: 1 for c in ctrls}
            for _ in range(presses):
                c = rng.choice(ctrls)
                await asyncio.sleep(rng.uniform(0.005, 0.02))  # presses arrive at random phase
                t0 = time.perf_counter()
                c.press(rng.choice("AB"))
                t_robot = await asyncio.wait_for(received.get(), 10)
                key = (c.dev, next_seq[c.dev])
                next_seq[c.dev] += 1
                total.append(t_robot - t0)
                floor_dev.append(arrivals[key] - t0)
            for t in tasks:
                t.cancel()
    ble = floor_ble
    floor = [d + ble[i % len(ble)] for i, d in enumerate(floor_dev)]
    res = {
        "presses": presses,
        "controllers": n_ctrl,
        "p50_ms": statistics.median(total) * 1000,
        "p99_ms": pct(total, 99) * 1000,
        "floor_p50_ms": statistics.median(floor) * 1000,
        "floor_p99_ms": pct(floor, 99) * 1000,
        "device_links_p99_ms": pct(floor_dev, 99) * 1000,
        "ble_p99_ms": pct(ble, 99) * 1000,
    }
    added = [t - f for t, f in zip(total, floor, strict=True)]
    res["added_p50_ms"] = statistics.median(added) * 1000
    res["added_p99_ms"] = res["p99_ms"] - res["floor_p99_ms"]
    return res


def cli() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer presses (under a minute)")
    ap.add_argument("--presses", type=int, default=0)
    ap.add_argument("--controllers", type=int, default=10)
    a = ap.parse_args()
    presses = a.presses or (300 if a.quick else 1500)
    with contextlib.suppress(KeyboardInterrupt):
        t = time.perf_counter()
        res = asyncio.run(main(presses, a.controllers))
        for k, v in res.items():
            print(f"{k:>22}: {v:.2f}" if isinstance(v, float) else f"{k:>22}: {v}")
        print(f"{'wall_s':>22}: {time.perf_counter() - t:.1f}")
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                          for k, v in res.items()}))


if __name__ == "__main__":
    cli()
