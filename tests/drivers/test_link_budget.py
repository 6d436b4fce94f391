"""The serial line at its real speed: the simulated line keeps to 115200 baud, 30 controllers
pressing 20 times a second through 20 % radio loss all get through once and in order with the
line far from full, a board that stops reading never blocks the host, and the devices' drop
and retry counters reach the hub as health events."""

from __future__ import annotations

import asyncio

from kit.clock import FakeClock
from kit.drivers.bridge import HEALTH_KIND, GatewayBridge
from kit.drivers.microbit.lines import encode_command
from kit.drivers.microbit.link import GatewayLink
from kit.drivers.sim.air import Air
from kit.drivers.sim.microbits import SimController, SimGateway
from kit.drivers.sim.pty_serial import BAUD

from .conftest import RecordingHub, run_until

BYTES_PER_S = BAUD / 10


async def pupils(n: int, air: Air, clock: FakeClock) -> list[SimController]:
    ctrls = [SimController(i + 1, air=air, clock=clock) for i in range(n)]
    for c in ctrls:
        await c.power_on()
    return ctrls


async def test_the_simulated_line_keeps_to_the_baud_rate(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], gateway: SimGateway,
        clock: FakeClock) -> None:
    _bridge, _hub, link = bridged
    await run_until(clock, lambda: link.state == "open")
    before = gateway.serial.written
    gateway.garble(b"x" * 90 + b"\n")
    line = b"Traceback (most recent call last): a line of 64 bytes for this\n"
    for _ in range(40):  # 2,560 bytes: 0.22 s of wire time
        gateway.garble(line)
    await clock.advance(0.1)
    carried = gateway.serial.written - before
    assert BYTES_PER_S * 0.1 * 0.7 <= carried <= BYTES_PER_S * 0.1 + 100, carried
    await run_until(clock, lambda: link.stats.bad_reasons["not a kit gateway line"] >= 41)
    assert gateway.serial.backlog == 0


async def test_thirty_controllers_at_twenty_presses_a_second_through_a_lossy_room(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], gateway: SimGateway,
        air: Air, clock: FakeClock) -> None:
    _bridge, hub, link = bridged
    air.loss = 0.2
    ctrls = await pupils(30, air, clock)
    await run_until(clock, lambda: len(hub.inputs) == 30)
    start, before = clock.monotonic(), gateway.serial.written
    seconds = 2.0
    for tick in range(int(seconds / 0.005)):  # each controller presses every 50 ms
        for i, c in enumerate(ctrls):
            if (tick + i) % 10 == 0:
                c.press("A" if tick % 20 < 10 else "B")
        await clock.advance(0.005)
    used = (gateway.serial.written - before) / (clock.monotonic() - start)
    await run_until(clock, lambda: all(c.pending == 0 for c in ctrls), limit=30)
    for c in ctrls:
        assert [s for s, _ in hub.presses(c.controller)] == list(range(41)), c
    assert used < 0.8 * BYTES_PER_S, f"the line is {used / BYTES_PER_S:.0%} full"
    assert sum(c.board.script.drops for c in ctrls) == 0
    assert link.stats.bad == 0 and gateway.serial.dropped == 0


async def test_a_board_that_stops_reading_never_blocks_the_host(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], gateway: SimGateway,
        air: Air, clock: FakeClock) -> None:
    _bridge, hub, link = bridged
    [pupil] = await pupils(1, air, clock)
    await run_until(clock, lambda: len(hub.inputs) == 1)
    gateway.stall()
    results: list[bool] = []

    async def teacher() -> None:  # far more than the pty and the link's buffer can hold
        for n in range(2000):
            results.append(await link.send(encode_command(pupil.dev, "seat", str(n % 100))))

    sending = asyncio.create_task(teacher())
    ticks = 0
    while not sending.done():  # the loop keeps turning: the clock and other tasks move on
        await clock.advance(0.05)
        ticks += 1
        assert ticks < 2000
    assert ticks > 1 and not all(results)
    assert link.stats.overflows == results.count(False) > 0
    gateway.stall(False)
    pupil.press("A")
    await run_until(clock, lambda: link.pending == 0 and len(hub.inputs) == 2, limit=30)
    await run_until(clock, lambda: gateway.board is not None and gateway.serial.read_bytes > 0)
    await clock.advance(1.0)
    assert gateway.board is not None
    assert gateway.board.script.bad == 0  # every line arrived whole: none spliced
    assert link.state == "open"


async def test_drop_and_retry_counters_reach_the_hub_as_health_events(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], air: Air,
        clock: FakeClock) -> None:
    _bridge, hub, _link = bridged
    ctrls = await pupils(3, air, clock)
    await run_until(clock, lambda: len(hub.inputs) == 3)
    air.loss = 1.0  # the gateway is out of reach for a while: presses pile up, then overflow
    for _ in range(20):
        for c in ctrls:
            c.press("A")
        await clock.advance(0.01)
    air.loss = 0.3
    await run_until(clock, lambda: all(c.pending == 0 for c in ctrls), limit=30)
    await run_until(clock, lambda: sum(1 for e in hub.events if e[1] is not None) >= 3,
                    step=0.1, limit=30)
    gateway_health = [d for kind, st, d in hub.events if kind == HEALTH_KIND and st is None]
    assert gateway_health and gateway_health[-1]["device"] == "gateway"
    assert {"rx", "dup", "reack", "bad", "lines", "unsent"} <= set(gateway_health[-1])
    per = {st: d for kind, st, d in hub.events if kind == HEALTH_KIND and st is not None}
    assert set(per) == {c.controller for c in ctrls}
    assert sum(d["retries"] for d in per.values()) > 0
    assert sum(d["drops"] for d in per.values()) == sum(c.board.script.drops for c in ctrls) > 0
