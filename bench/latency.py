"""Press-to-robot latency through the whole kit path, per press, beside the floor the links
themselves set, under a class's load.

    press on a simulated controller (real firmware) -> radio (20 % loss) -> gateway firmware
    -> a pty at 115200 baud                                      [process 1: the devices]
    -> GatewayLink -> GatewayBridge -> MQTT (QoS 1)              [process 2: kit gateway]
    -> a relay standing in for a lesson step (input -> robot command) -> BleRobot (bleak)
    -> bumble virtual link, with a BLE connection interval -> simulated robot
                                                                 [process 3: the lesson]

All 30 controllers press 20 times a second (the load); the presses of controller 1 drive the
team's robot and are the ones timed.

Floor, per press: what the links take on their own and kit cannot change:
  device links  press -> its line at the host (controller and gateway polling, radio retries,
                the serial wire at its baud rate), measured for that press;
  BLE           the wait for the robot link's next connection event (for that command) plus
                a bleak -> bumble write -> robot receipt measured alone.
kit's share (added) is, per press, total minus that press's floor: serial reading, bridge,
MQTT both ways, relay and driver. The figures are p50/p99 of those per-press differences.

    python bench/latency.py [--quick] [--interval MS] [--seconds S] [--controllers N]

The last line is one JSON object: p50_ms, p99_ms, floor_p99_ms, added_p50_ms, added_p99_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gateway_load as load  # the devices and host parts are the same as the load bench

from kit import config
from kit.clock import SystemClock
from kit.config import BrokerAddress
from kit.drivers.ble import nus
from kit.drivers.ble.robot import BleRobot
from kit.drivers.microbit.lines import controller_id
from kit.drivers.sim.robots import RobotWorld
from kit.link import mqtt
from kit.protocol import topics
from kit.protocol.inputs import decode_input

TEAM = controller_id("000001")  # SimController(1)


async def ble_alone(world: RobotWorld, n: int) -> list[float]:
    """bleak + bumble alone, no connection interval: write a drive, wait for the robot."""
    from bleak import BleakClient, BleakScanner

    bot = await world.add_robot("gapev")
    got = asyncio.Event()
    bot.on_command = lambda c: got.set()
    dev = await BleakScanner.find_device_by_name(bot.name, backend=world.backend.scanner)
    assert dev is not None
    out = []
    async with BleakClient(dev, backend=world.backend.client) as client:
        service = client.services.get_service(nus.SERVICE)
        assert service is not None
        char = next(c for c in service.characteristics if "write-without-response"
                    in c.properties)
        for _ in range(n):
            got.clear()
            t0 = time.monotonic()
            await client.write_gatt_char(char, nus.drive(0.3, 0, 0.2), response=False)
            await got.wait()
            out.append(time.monotonic() - t0)
    await bot.power_off()
    return out


async def role_lesson(a: argparse.Namespace, folder: Path) -> None:
    """The lesson: a relay turning the team's presses into robot commands, and the robot."""
    clock = SystemClock()
    address = config.station_address(BrokerAddress.parse(a.url), role="teacher",
                                     station="lesson-relay", room=load.ROOM)
    async with contextlib.AsyncExitStack() as stack:
        world = await stack.enter_async_context(RobotWorld(clock=clock))
        alone = await ble_alone(world, 200)
        bot = await world.add_robot("zotiv", connection_interval=a.interval / 1000)
        received: list[float] = []
        bot.on_command = lambda c: received.append(time.monotonic())
        robot = await stack.enter_async_context(
            BleRobot("zotiv", backend=world.backend, clock=clock, keepalive=None))
        await robot.wait_connected()
        relay = await stack.enter_async_context(mqtt.client(address, "lesson-relay"))
        await relay.subscribe(topics.controller_input(load.ROOM, TEAM), qos=1)
        relayed: list[int] = []
        heard: list[float] = []

        async def relay_loop() -> None:  # a lesson step: "press and your robot moves"
            async for m in relay.messages:
                press = decode_input(bytes(m.payload))  # type: ignore[arg-type]
                if press.gesture in ("A", "B"):
                    heard.append(time.monotonic())
                    relayed.append(press.seq)
                    await robot.drive(0.3 if press.gesture == "A" else -0.3, 0.0, seconds=0.3)

        task = asyncio.create_task(relay_loop())
        (folder / "lesson.ready").touch()
        await load._until_stopped(folder)
        task.cancel()
    n = min(len(relayed), len(received), len(bot.waits))
    (folder / "lesson.json").write_text(json.dumps({
        "alone": alone, "presses": relayed[:n], "received": received[:n], "heard": heard[:n],
        "waits": bot.waits[:n]}))


def pct(xs: list[float], p: float) -> float:
    return load.pct(xs, p)


async def main(a: argparse.Namespace) -> dict[str, float | int]:
    folder = await load.run_parts(a, __file__, ("lesson", "devices", "host"),
                                  ("--interval", str(a.interval)))
    dev = json.loads((folder / "devices.json").read_text())
    lesson = json.loads((folder / "lesson.json").read_text())
    arrivals = json.loads((folder / "host_arrivals.json").read_text())
    pressed = {seq: t for cid, seq, t in dev["pressed"] if cid == TEAM}
    alone = lesson["alone"]
    total, floor, added, device, hub, robot = [], [], [], [], [], []
    for i, (seq, t_robot, wait, t_heard) in enumerate(zip(
            lesson["presses"], lesson["received"], lesson["waits"], lesson["heard"],
            strict=True)):
        t_press, t_host = pressed.get(seq), arrivals.get(f"{TEAM}/{seq}")
        if t_press is None or t_host is None:
            continue
        f = (t_host - t_press) + wait + alone[i % len(alone)]
        total.append(t_robot - t_press)
        floor.append(f)
        device.append(t_host - t_press)
        added.append(total[-1] - f)
        hub.append(t_heard - t_host)  # serial reading, bridge, MQTT to the lesson
        robot.append(t_robot - t_heard - wait - alone[i % len(alone)])  # relay and driver
    ms = 1000.0
    return {
        "controllers": a.controllers, "rate_hz": a.rate, "loss": a.loss, "baud": a.baud,
        "interval_ms": a.interval, "timed_presses": len(total),
        "p50_ms": statistics.median(total) * ms, "p99_ms": pct(total, 99) * ms,
        "floor_p50_ms": statistics.median(floor) * ms, "floor_p99_ms": pct(floor, 99) * ms,
        "device_links_p99_ms": pct(device, 99) * ms, "ble_alone_p99_ms": pct(alone, 99) * ms,
        "added_p50_ms": statistics.median(added) * ms, "added_p99_ms": pct(added, 99) * ms,
        "added_max_ms": max(added) * ms,
        "host_to_lesson_p50_ms": statistics.median(hub) * ms,
        "host_to_lesson_p99_ms": pct(hub, 99) * ms,
        "lesson_to_robot_p99_ms": pct(robot, 99) * ms,
    }


def cli() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10 s of load instead of 30 s")
    ap.add_argument("--seconds", type=float, default=0.0)
    ap.add_argument("--controllers", type=int, default=30)
    ap.add_argument("--rate", type=float, default=20.0, help="presses per second per controller")
    ap.add_argument("--loss", type=float, default=0.2, help="chance a radio packet is lost")
    ap.add_argument("--baud", type=int, default=115200)
    ap.add_argument("--interval", type=float, default=30.0,
                    help="BLE connection interval in ms (7.5 minimum; BlueZ 30-50 by default)")
    ap.add_argument("--broker", choices=["mosquitto", "embedded"], default="mosquitto")
    ap.add_argument("--role", choices=["devices", "host", "lesson"], help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    a = ap.parse_args()
    a.seconds = a.seconds or (10.0 if a.quick else 30.0)
    if a.role:
        roles = {"devices": load.role_devices, "host": load.role_host, "lesson": role_lesson}
        asyncio.run(roles[a.role](a, Path(a.folder)))
        return
    with contextlib.suppress(KeyboardInterrupt):
        t = time.perf_counter()
        res = asyncio.run(main(a))
        for k, v in res.items():
            print(f"{k:>22}: {v:.2f}" if isinstance(v, float) else f"{k:>22}: {v}")
        print(f"{'wall_s':>22}: {time.perf_counter() - t:.1f}")
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                          for k, v in res.items()}))


if __name__ == "__main__":
    cli()
