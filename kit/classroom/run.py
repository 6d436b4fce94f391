"""One lesson in a classroom, assembled from a :class:`Plan`: what runs in this process (a hub,
simulated micro:bits and pupils, stand-in robots, the shared screen) and what it finds on the
hub (a gateway, a screen, real robots). ``kit lesson run`` and ``kit demo`` both come here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kit.classroom import compose
from kit.clock import ScaledClock
from kit.config import BrokerAddress
from kit.sim.classlist import SimPupil

if TYPE_CHECKING:
    from kit.activities.shared_screen import ScreenOptions, SharedScreen
    from kit.drivers.bridge import GatewayBridge
    from kit.hub.service import HubSettings
    from kit.lesson.schema import Lesson

log = logging.getLogger(__name__)


@dataclass
class Plan:
    lesson: Lesson
    room: str
    broker: BrokerAddress | None = None  # None: run an embedded hub here, from ``hub``
    hub: HubSettings | None = None
    pupils: list[SimPupil] = field(default_factory=list)  # simulated micro:bits and pupils here
    robots: dict[str, str | None] = field(default_factory=dict)  # team -> name; None: stand-in
    screen: ScreenOptions | None = None  # run the shared screen here
    screen_id: str = "screen"
    lang: str | None = None
    speed: float = 1.0
    start: datetime | None = None  # the lesson's (virtual) start time
    week: int = 1
    autostart: bool = False  # start as soon as the pupils here are seated
    sim_teacher: bool = False  # a pretend teacher moves on from the teacher's steps
    keyboard: bool = False  # teacher keys from the console
    known: dict[str, str] = field(default_factory=dict)  # controller -> pseudonym
    on_event: Callable[[str, str | None, str | None, dict[str, Any]], None] | None = None
    run_id: str | None = None


@dataclass
class Outcome:
    status: str
    counts: dict[str, int]
    seats: int
    presses_made: int  # by the simulated pupils here
    presses_recorded: int  # ``input`` events the lesson recorded
    travelled: dict[str, float]  # simulated robots: metres from where they started
    screen: dict[str, Any] = field(default_factory=dict)
    failed: str | None = None


async def run_lesson(plan: Plan) -> Outcome:
    clock = ScaledClock(plan.speed, plan.start)
    screen: SharedScreen | None = None
    bridge: GatewayBridge | None = None

    def keep_screen(s: SharedScreen) -> None:
        nonlocal screen
        screen = s

    def keep_bridge(b: GatewayBridge) -> None:
        nonlocal bridge
        bridge = b

    async with contextlib.AsyncExitStack() as stack:
        address = plan.broker
        if address is None:
            assert plan.hub is not None
            address = await stack.enter_async_context(compose.hub_here(plan.hub))
        fleet = await stack.enter_async_context(compose.fleet(plan.robots))
        background: list[asyncio.Task[Any]] = []
        radio = None
        if plan.pupils:
            radio = await stack.enter_async_context(
                compose.sim_radio(len(plan.pupils), power_on=False))
            background.append(asyncio.create_task(compose.run_gateway(
                address, room=plan.room, finder=radio.finder, on_bridge=keep_bridge),
                name="gateway"))
        if plan.screen is not None:
            background.append(asyncio.create_task(compose.run_screen(
                address, plan.screen, clock=clock, on_screen=keep_screen), name="screen"))
        known = dict(plan.known)
        if radio is not None:
            known.update({c.controller: p.pseudonym
                          for p, c in zip(plan.pupils, radio.controllers, strict=True)})
        lesson = await stack.enter_async_context(compose.lesson_here(
            plan.lesson, address, room=plan.room, robots=fleet, screen=plan.screen_id,
            lang=plan.lang, clock=clock, known=known, on_event=plan.on_event,
            run=plan.run_id))
        engine = lesson.engine
        hands = None
        try:
            if radio is not None:
                from kit.classroom.pupils import PupilHands

                here = [(p, c) for p, c in zip(plan.pupils, radio.controllers, strict=True)
                        if p.habit.attends(plan.week)]
                for _, c in here:
                    await c.power_on()
                hands = PupilHands(here, engine.state, week=plan.week, clock=clock,
                                   screen=(lambda: screen.session if screen is not None
                                           else None) if plan.screen is not None else None)
            runner = asyncio.create_task(engine.run(), name="lesson")
            if plan.sim_teacher:
                from kit.classroom.pupils import teacher

                background.append(asyncio.create_task(teacher(engine, clock), name="teacher"))
            if plan.keyboard:
                from kit.lesson.console import keyboard

                background.append(asyncio.create_task(keyboard(engine), name="keyboard"))
            if plan.autostart:
                expected = len(hands.seats) if hands is not None else 0
                await _until(lambda: len(engine.roster.seats) >= expected, 60)
                await engine.start()
            if hands is not None:
                background.append(asyncio.create_task(hands.run(), name="pupils"))
            await runner
            if hands is not None:
                # Presses made in the last moments are still on the air or in the gateway:
                # the lesson goes on listening (and recording them) until they are in.
                hands.stopped.set()
                await _until(lambda: engine.presses >= hands.total, 30)
            status = engine.status
            failed = None
        except Exception as e:
            # Whatever broke, the robots stop and the teacher hears it.
            failed = f"{type(e).__name__}: {e}"
            log.exception("the lesson stopped")
            from kit.drivers.ble.robot import stop_all

            await stop_all(fleet.robots.values())
            status = "failed"
        finally:
            if hands is not None:
                hands.stopped.set()
            if screen is not None:
                screen.quit = True
            for t in background:
                if t.get_name() == "screen":
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(t, 30)
                t.cancel()
            await asyncio.gather(*background, return_exceptions=True)
        return Outcome(
            status=status, counts=dict(lesson.counts), seats=len(engine.roster.seats),
            presses_made=hands.total if hands is not None else 0,
            presses_recorded=engine.presses,
            travelled={t: d for t in fleet.robots if (d := fleet.travelled(t)) is not None},
            screen=screen.summary() if screen is not None else {}, failed=failed)


async def _until(cond: Callable[[], bool], seconds: float) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while not cond():
        if loop.time() > end:
            return False
        await asyncio.sleep(0.05)
    return True


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
