"""Pupils' presses from simulated controllers, through the real gateway firmware on a pty, the
serial link and the bridge: none lost, none doubled, in order, across unplug and replug."""

from __future__ import annotations

import random

from kit.clock import FakeClock
from kit.drivers.bridge import GatewayBridge
from kit.drivers.microbit.link import GatewayLink
from kit.drivers.sim.air import Air
from kit.drivers.sim.microbits import SimController, SimGateway

from .conftest import RecordingHub, run_until


async def pupils(n: int, air: Air, clock: FakeClock) -> list[SimController]:
    ctrls = [SimController(i + 1, air=air, clock=clock) for i in range(n)]
    for c in ctrls:
        await c.power_on()
    return ctrls


async def test_press_reaches_the_hub_once_with_presence(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], air: Air,
        clock: FakeClock) -> None:
    _bridge, hub, _link = bridged
    [pupil] = await pupils(1, air, clock)
    await run_until(clock, lambda: len(hub.inputs) == 1)
    assert hub.inputs[0].gesture == "hello"
    assert hub.presence[0][:2] == (pupil.controller, "joined")
    for verb in ("A", "B", "AB"):
        pupil.press(verb)
        await clock.advance(0.02)
    pupil.tilt("left")
    await clock.advance(0.02)
    pupil.shake()
    await run_until(clock, lambda: len(hub.inputs) == 6 and pupil.pending == 0)
    assert hub.presses(pupil.controller) == [(0, "hello"), (1, "A"), (2, "B"), (3, "AB"),
                                             (4, "tilt"), (5, "shake")]
    assert hub.inputs[4].value == 1  # left


async def test_unplug_mid_stream_loses_and_doubles_nothing(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], gateway: SimGateway,
        air: Air, clock: FakeClock) -> None:
    _bridge, hub, link = bridged
    ctrls = await pupils(5, air, clock)
    await run_until(clock, lambda: len(hub.inputs) == 5)
    for round_ in range(6):
        for c in ctrls:
            c.press("A" if round_ % 2 else "B")
        await clock.advance(0.05)
        if round_ == 2:
            await gateway.unplug()
            await run_until(clock, lambda: link.state == "unplugged")
            for c in ctrls:  # pressed while the gateway is away: held by the controllers
                c.press("AB")
            await clock.advance(0.5)
            assert sum(c.pending for c in ctrls) >= 5
            await gateway.replug()
    await run_until(clock, lambda: all(c.pending == 0 for c in ctrls) and len(hub.inputs) >= 40)
    for c in ctrls:
        seqs = [s for s, _ in hub.presses(c.controller)]
        assert seqs == list(range(8)), c
    assert link.stats.unplugs == 1 and link.stats.opens == 2


async def test_thirty_controllers_at_classroom_rates(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], air: Air,
        clock: FakeClock) -> None:
    bridge, hub, link = bridged
    air.loss = 0.1  # a noisy room: one packet in ten never arrives
    ctrls = await pupils(30, air, clock)
    rng = random.Random(5)
    pressed = {c.controller: 0 for c in ctrls}
    for _ in range(100):  # 5 s of a busy activity: each pupil presses ~2 times a second
        for c in ctrls:
            if rng.random() < 0.1:
                c.press(rng.choice("AB"))
                pressed[c.controller] += 1
        await clock.advance(0.05)
    await run_until(clock, lambda: all(c.pending == 0 for c in ctrls), limit=60)
    for c in ctrls:
        got = hub.presses(c.controller)
        assert [s for s, _ in got] == list(range(pressed[c.controller] + 1)), c
    assert len(hub.inputs) == sum(pressed.values()) + 30
    assert sum(c.board.script.retries for c in ctrls) > 0  # retries were needed
    # ... and the gateway answered repeats itself: hardly any crossed the serial line
    assert sum(x.repeats for x in bridge.controllers.values()) < sum(pressed.values()) // 20
    assert link.stats.bad == 0


async def test_malformed_lines_are_counted_not_fatal(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], gateway: SimGateway,
        air: Air, clock: FakeClock) -> None:
    _bridge, hub, link = bridged
    [pupil] = await pupils(1, air, clock)
    await run_until(clock, lambda: len(hub.inputs) == 1)
    gateway.garble(b"Traceback (most recent call last):\r\n\xff\xfe\x00garbage\r\n"
                   b"K,a1b2c3,7,wave,0,1,-50\r\n" + b"x" * 500 + b"\r\n")
    pupil.press("A")
    await run_until(clock, lambda: len(hub.inputs) == 2)
    assert link.stats.bad == 4
    assert link.state == "open"
    assert link.stats.bad_reasons["line too long"] == 1
    assert "not a kit gateway line" in link.stats.bad_reasons


async def test_seat_command_reaches_the_controller(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], air: Air,
        clock: FakeClock) -> None:
    bridge, hub, _link = bridged
    [pupil] = await pupils(1, air, clock)
    await run_until(clock, lambda: len(hub.inputs) == 1)
    assert await bridge.command(pupil.controller, "seat", "7")
    await run_until(clock, lambda: pupil.display == "7")


async def test_controller_leaves_when_silent(
        bridged: tuple[GatewayBridge, RecordingHub, GatewayLink], air: Air,
        clock: FakeClock) -> None:
    _bridge, hub, _link = bridged
    [pupil] = await pupils(1, air, clock)
    await run_until(clock, lambda: len(hub.inputs) == 1)
    await pupil.power_off()
    await run_until(clock, lambda: hub.presence[-1][1] == "left", step=0.5)
    assert hub.presence[-1][0] == pupil.controller
