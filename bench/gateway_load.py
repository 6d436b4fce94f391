"""A class's worth of presses through one gateway at the real baud rate.

    30 simulated controllers (real firmware) pressing 20 times a second each
    -> simulated radio losing 20 % of packets both ways -> gateway firmware
    -> a pty that keeps to 115200 baud                           [process 1: the devices]
    -> GatewayLink -> GatewayBridge -> Station                   [process 2: kit gateway]
    -> MQTT (Mosquitto by default, or the embedded broker)
    -> a subscriber, which notes when each press arrives         [process 3: the hub]

Separate processes as in a classroom (the devices are hardware there, and the hub runs on
its own): one Python event loop running 31 simulated boards, the bridge and the hub's
subscriber at once measures the loop, not the link.

Checks that every press arrives exactly once and in order per controller, and how long a
press takes from the button to the MQTT subscriber (p50/p99), beside how full the serial
line is each way.

    python bench/gateway_load.py [--quick] [--seconds S] [--controllers N] [--rate HZ]
                                 [--loss L] [--baud B] [--broker mosquitto|embedded]

The last line is one JSON object: delivered_ratio, duplicates, out_of_order, p50_ms, p99_ms,
line_use_up, line_use_down, retries, reacks, drops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kit import config
from kit.clock import SystemClock
from kit.config import BrokerAddress
from kit.drivers.bridge import GatewayBridge
from kit.drivers.microbit.lines import KeyBatch, Line, controller_id
from kit.drivers.microbit.link import GatewayLink, named_port
from kit.drivers.sim.air import Air
from kit.drivers.sim.microbits import SimController, SimGateway
from kit.hub.service import free_port
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics
from kit.protocol.inputs import decode_input

ROOM = "room-1"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))]


async def broker(stack: contextlib.AsyncExitStack, kind: str, tmp: Path) -> BrokerAddress:
    port = free_port()
    if kind == "mosquitto" and (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
        from kit.hub.mosquitto import MosquittoBroker

        await stack.enter_async_context(MosquittoBroker(tmp / "mosquitto", port))
        return BrokerAddress("127.0.0.1", port, protocol="5")
    from kit.hub.embedded import EmbeddedBroker

    await stack.enter_async_context(EmbeddedBroker(port))
    return BrokerAddress("127.0.0.1", port, protocol="3.1.1")


async def _poll(done: Callable[[], bool], every: float = 0.05) -> None:
    """Wait for another process (a file it writes) or for the simulated boards: nothing here
    to await, so look now and then."""
    while not done():  # noqa: ASYNC110
        await asyncio.sleep(every)


async def _until_stopped(folder: Path) -> None:
    await _poll((folder / "stop").exists)


async def role_listener(a: argparse.Namespace, folder: Path) -> None:
    """The hub's side: note when each press arrives on the broker."""
    address = config.station_address(BrokerAddress.parse(a.url), role="hub",
                                     station="load-listener", room=ROOM)
    arrived: list[tuple[str, int, float]] = []
    async with mqtt.client(address, "load-listener") as listener:
        await listener.subscribe(topics.all_inputs(ROOM), qos=1)

        async def listen() -> None:
            async for m in listener.messages:
                press = decode_input(bytes(m.payload))  # type: ignore[arg-type]
                arrived.append((press.controller, press.seq, time.monotonic()))

        async def progress() -> None:  # so the parent can wait until the backlog is in
            while True:
                (folder / "listener.count").write_text(str(len(arrived)))
                await asyncio.sleep(0.25)

        task = asyncio.create_task(listen())
        counting = asyncio.create_task(progress())
        (folder / "listener.ready").touch()
        await _until_stopped(folder)
        task.cancel()
        counting.cancel()
    (folder / "arrived.json").write_text(json.dumps(arrived))


class TimedLink:
    """The link, noting when each press line reaches the host (the end of the device links:
    radio, gateway firmware and the serial wire at its baud rate)."""

    def __init__(self, link: GatewayLink) -> None:
        self.link = link
        self.stats = link.stats
        self.arrivals: dict[str, float] = {}

    async def lines(self) -> AsyncIterator[Line]:
        async for line in self.link.lines():
            if isinstance(line, KeyBatch):
                now = time.monotonic()
                for k in line.keys:
                    self.arrivals.setdefault(f"{controller_id(k.dev)}/{k.seq}", now)
            yield line

    async def send(self, line: str) -> bool:
        return await self.link.send(line)


async def role_host(a: argparse.Namespace, folder: Path) -> None:
    """The teacher's computer: serial link, bridge, station (as ``kit gateway`` runs them)."""
    clock = SystemClock()
    address = config.station_address(BrokerAddress.parse(a.url), role="gateway",
                                     station="gateway-1", room=ROOM)
    async with Station(address, room=ROOM, station="gateway-1",
                       outbox=folder / "outbox.sqlite") as station, \
            GatewayLink(finder=named_port(str(folder / "ttyKIT0")), clock=clock) as serial:
        link = TimedLink(serial)
        bridge = GatewayBridge(link, station, room=ROOM, clock=clock)
        task = asyncio.create_task(bridge.run())
        (folder / "host.ready").touch()
        cpu0, t0 = time.process_time(), time.monotonic()
        await _poll(lambda: (folder / "devices.done").exists() or (folder / "stop").exists())
        cpu = (time.process_time() - cpu0) / (time.monotonic() - t0)
        await _until_stopped(folder)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        g = bridge.gateway
        (folder / "host.json").write_text(json.dumps({
            "reacks": g.reack, "gateway_dup": g.dup, "gateway_bad": g.bad,
            "host_repeats": sum(x.repeats for x in bridge.controllers.values()),
            "link_overflows": link.stats.overflows, "bad_lines": link.stats.bad,
            "health_events": bridge.health_events, "host_cpu": round(cpu, 3)}))
        (folder / "host_arrivals.json").write_text(json.dumps(link.arrivals))


async def role_devices(a: argparse.Namespace, folder: Path) -> None:
    """The classroom: the gateway micro:bit on its pty and the pupils' controllers."""
    clock = SystemClock()
    air = Air(loss=a.loss, seed=7)
    gw = SimGateway(folder / "ttyKIT0", air=air, clock=clock, baud=a.baud)
    await gw.plug()
    ctrls = [SimController(i + 1, air=air, clock=clock) for i in range(a.controllers)]
    for c in ctrls:
        await c.power_on()
    (folder / "devices.ready").touch()
    await _poll(lambda: not any(c.board.script.hello for c in ctrls))  # every hello acked
    up0, down0 = gw.serial.written, gw.serial.read_bytes
    cpu0 = time.process_time()
    sent0 = air.sent
    period = 1 / a.rate
    counts = {c.controller: 0 for c in ctrls}
    pressed: list[tuple[str, int, float]] = []
    skipped = 0
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < a.seconds:
        c = ctrls[n % len(ctrls)]  # controllers press in turn, spread over each period
        due = t0 + n * period / len(ctrls)
        n += 1
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if c.board.part("button_a")._presses or c.board.part("button_b")._presses:
            skipped += 1  # its last press is not read yet (this process was paused)
            continue
        counts[c.controller] += 1
        pressed.append((c.controller, counts[c.controller], time.monotonic()))
        c.press("A" if n % 2 else "B")
    elapsed = time.monotonic() - t0
    cpu = (time.process_time() - cpu0) / elapsed
    air_rate = (air.sent - sent0) / elapsed
    up, down = gw.serial.written - up0, gw.serial.read_bytes - down0
    deadline = time.monotonic() + 30
    await _poll(lambda: time.monotonic() > deadline or not any(c.pending for c in ctrls))
    scripts = [c.board.script for c in ctrls]
    (folder / "devices.json").write_text(json.dumps({
        "pressed": pressed, "skipped": skipped, "seconds": elapsed, "devices_cpu": cpu,
        "air_packets_per_s": air_rate, "up_bytes": up, "down_bytes": down,
        "retries": sum(s.retries for s in scripts), "drops": sum(s.drops for s in scripts),
        "pending": sum(c.pending for c in ctrls), "serial_dropped": gw.serial.dropped,
        "radio_overflow": sum(c.board.radio.overflow for c in ctrls)}))
    (folder / "devices.done").touch()
    await _until_stopped(folder)
    for c in ctrls:
        await c.power_off()
    await gw.unplug()


async def run_parts(a: argparse.Namespace, script: str, roles: tuple[str, ...],
                    extra: tuple[str, ...] = ()) -> Path:
    """Start the broker and one process per role (``script --role R``), wait until the
    devices are done, stop everything; returns the folder with what each part wrote."""
    folder = Path(tempfile.mkdtemp())
    # Every part finds its own credential in this data directory (as on a classroom laptop),
    # made before the broker starts so that it knows them all from the first connection.
    os.environ["KIT_HOME"] = str(folder)
    for role, station in (("hub", "load-listener"), ("gateway", "gateway-1"),
                          ("teacher", "lesson-relay")):
        config.station_address(BrokerAddress("127.0.0.1"), role=role, station=station, room=ROOM)
    procs: list[asyncio.subprocess.Process] = []
    async with contextlib.AsyncExitStack() as stack:
        address = await broker(stack, a.broker, folder)
        common = [sys.executable, script, "--folder", str(folder), "--url", address.url,
                  "--seconds", str(a.seconds), "--controllers",
                  str(a.controllers), "--rate", str(a.rate), "--loss", str(a.loss),
                  "--baud", str(a.baud), *extra]
        try:
            for role in roles:
                procs.append(await asyncio.create_subprocess_exec(*common, "--role", role))
                if role != roles[-1]:
                    await _poll((folder / f"{role}.ready").exists)
            while not (folder / "devices.done").exists():
                await asyncio.sleep(0.1)
                if any(p.returncode is not None for p in procs):
                    raise SystemExit("a part of the bench stopped early")
            await asyncio.sleep(1.0)  # late presses and any duplicate would arrive now
            count, still = -1, 0  # a busy machine: wait while the hub's side catches up
            while still < 8 and (folder / "listener.count").exists():
                await asyncio.sleep(0.25)
                with contextlib.suppress(OSError, ValueError):
                    now = int((folder / "listener.count").read_text() or 0)
                    still = still + 1 if now == count else 0
                    count = now
        finally:
            (folder / "stop").touch()
            for p in procs:
                try:
                    await asyncio.wait_for(p.wait(), 20)
                except TimeoutError:
                    p.kill()
    return folder


async def main(a: argparse.Namespace) -> dict[str, float | int | str]:
    """Three processes, as in a classroom: the devices, the teacher's computer running the
    gateway bridge, and the hub's listener; plus the broker."""
    folder = await run_parts(a, __file__, ("listener", "devices", "host"))
    dev = json.loads((folder / "devices.json").read_text())
    host = json.loads((folder / "host.json").read_text())
    arrivals: dict[str, list[tuple[int, float]]] = {}
    for cid, seq, t in json.loads((folder / "arrived.json").read_text()):
        arrivals.setdefault(cid, []).append((seq, t))
    latencies, dups, disorder, delivered = [], 0, 0, 0
    for got in arrivals.values():
        seqs = [s for s, _ in got]
        dups += len(seqs) - len(set(seqs))
        disorder += sum(1 for x, y in itertools.pairwise(seqs) if y <= x)
    first = {(cid, s): t for cid, got in arrivals.items() for s, t in reversed(got)}
    for cid, seq, t in dev["pressed"]:
        if (cid, seq) in first:
            delivered += 1
            latencies.append(first[(cid, seq)] - t)
    bps = a.baud / 10
    presses = len(dev["pressed"])
    return {
        "controllers": a.controllers, "rate_hz": a.rate, "loss": a.loss, "baud": a.baud,
        "seconds": round(dev["seconds"], 2), "broker": a.broker,
        "presses": presses, "skipped_busy": dev["skipped"], "delivered": delivered,
        "delivered_ratio": delivered / max(1, presses),
        "duplicates": dups, "out_of_order": disorder,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else -1.0,
        "p99_ms": pct(latencies, 99) * 1000 if latencies else -1.0,
        "max_ms": max(latencies) * 1000 if latencies else -1.0,
        "line_use_up": dev["up_bytes"] / dev["seconds"] / bps,
        "line_use_down": dev["down_bytes"] / dev["seconds"] / bps,
        "devices_cpu": dev["devices_cpu"],
        "air_packets_per_s": dev["air_packets_per_s"],
        "retries": dev["retries"], "drops": dev["drops"], "radio_overflow": dev["radio_overflow"],
        **host,
    }


def cli() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10 s of load instead of 30 s")
    ap.add_argument("--seconds", type=float, default=0.0)
    ap.add_argument("--controllers", type=int, default=30)
    ap.add_argument("--rate", type=float, default=20.0, help="presses per second per controller")
    ap.add_argument("--loss", type=float, default=0.2, help="chance a radio packet is lost")
    ap.add_argument("--baud", type=int, default=115200)
    ap.add_argument("--broker", choices=["mosquitto", "embedded"], default="mosquitto")
    ap.add_argument("--role", choices=["devices", "host", "listener"], help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    a = ap.parse_args()
    a.seconds = a.seconds or (10.0 if a.quick else 30.0)
    if a.role:
        roles = {"devices": role_devices, "host": role_host, "listener": role_listener}
        asyncio.run(roles[a.role](a, Path(a.folder)))
        return
    with contextlib.suppress(KeyboardInterrupt):
        t = time.perf_counter()
        res = asyncio.run(main(a))
        for k, v in res.items():
            print(f"{k:>18}: {v:.3f}" if isinstance(v, float) else f"{k:>18}: {v}")
        print(f"{'wall_s':>18}: {time.perf_counter() - t:.1f}")
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                          for k, v in res.items()}))


if __name__ == "__main__":
    cli()
