"""Pretend pupils' hands on simulated micro:bits: each pupil watches the lesson (its state) and
the activity on the shared screen, and presses the buttons of their own controller after their
habit (:mod:`kit.sim.habits`), in the lesson's time: at the demo's speed a pupil's minute
passes in a second. Every press goes through the real controller firmware, the radio, the
gateway and the hub, exactly as a real press would.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kit.activities.pretend import play
from kit.clock import Clock, SystemClock
from kit.sim.classlist import SimPupil


class Hands(Protocol):
    """What a pupil can do to a controller (a :class:`kit.drivers.sim.microbits.SimController`)."""

    controller: str

    def press(self, button: str) -> None: ...

    def shake(self) -> None: ...

    @property
    def pending(self) -> int: ...


class PupilHands:
    """Presses for the pupils in ``seats`` (pupil, controller), reading the lesson state from
    ``state`` every ``period`` seconds of real time, and the activity on the shared screen
    (``screen``: its session, when one is playing) in the lesson's time (``clock``). They stop
    pressing when the lesson reaches its last step, so every press is through before the
    lesson ends."""

    def __init__(self, seats: Sequence[tuple[SimPupil, Hands]], state: Callable[[], dict[str, Any]],
                 *, week: int = 1, seed: int = 7, period: float = 0.5,
                 clock: Clock | None = None, screen: Callable[[], Any] | None = None) -> None:
        self.seats = list(seats)
        self.state = state
        self.week = week
        self.period = period
        self.clock: Clock = clock or SystemClock()
        self.screen = screen
        self.rng = random.Random(seed * 1000 + week)
        self.presses: Counter[str] = Counter()  # controller -> presses made
        self._done: set[tuple[str, str]] = set()  # (pupil, step) for one-press steps
        self._ready: dict[str, float] = {}  # controller -> lesson time it next looks up
        self.stopped = asyncio.Event()

    @property
    def total(self) -> int:
        return sum(self.presses.values())

    def _press(self, hands: Hands, button: str) -> None:
        if hands.pending >= 6:  # the micro:bit is still sending earlier presses: wait
            return
        if button in ("shake", "logo"):
            hands.shake()
        else:
            hands.press(button)
        self.presses[hands.controller] += 1

    def tick(self) -> None:
        """One look at the screen and, for some pupils, a press."""
        st = self.state()
        step = st.get("step") or {}
        if st.get("status") != "running" or not step:
            return
        if step.get("index", 0) >= step.get("count", 1) - 1:
            self.stopped.set()
            return
        turns = {t.get("turn") for t in st.get("teams") or [] if t.get("turn")}
        kind, sid = step.get("type"), str(step.get("id"))
        for pupil, hands in self.seats:
            habit = pupil.habit
            engaged = habit.engagement(self.week)
            if engaged <= 0:
                continue
            if turns:
                if pupil.pseudonym in turns and self.rng.random() < 0.5 * engaged:
                    passes = self.rng.random() < habit.pass_chance
                    self._press(hands, "B" if passes else "A")
            elif kind in ("vote", "reflect") or step.get("structure") == "all-ready":
                if (pupil.pseudonym, sid) not in self._done and self.rng.random() < 0.3 * engaged:
                    self._done.add((pupil.pseudonym, sid))
                    self._press(hands, self.rng.choice("AB"))
            elif kind == "activity" and self.screen is None:
                rate = habit.presses_per_minute / 14.0 * engaged * 0.4
                if self.rng.random() < rate:
                    self._press(hands, self.rng.choice("AAAB"))
                elif self.rng.random() < habit.helps(self.week) * 0.05:
                    self._press(hands, "shake")  # a cheer for the team

    def watch(self) -> None:
        """One look at the activity on the shared screen: each pupil whose pause is over does
        what the activity asks of their seat, as :mod:`kit.activities.pretend` pupils do."""
        session = self.screen() if self.screen is not None else None
        if session is None or session.phase != "playing" or self.stopped.is_set():
            return
        now = self.clock.monotonic()
        for pupil, hands in self.seats:
            if now < self._ready.get(hands.controller, 0.0) or hands.pending >= 6:
                continue
            seat = session.seats.get(hands.controller)
            if seat is None:
                continue
            turn = play(self.rng, pupil.habit, self.week, session.activity.suggest(seat))
            if turn is None:
                continue
            for gesture in turn.gestures:
                self._press(hands, gesture)
            self._ready[hands.controller] = now + turn.wait

    async def run(self) -> None:
        looked = float("-inf")
        loop = asyncio.get_running_loop()
        while not self.stopped.is_set():
            if loop.time() - looked >= self.period:
                looked = loop.time()
                self.tick()
            self.watch()
            await asyncio.sleep(0.05)


async def teacher(engine: Any, clock: Any) -> None:
    """A pretend teacher for rehearsals and the demo: moves on from a step the teacher ends
    once its target time is up, as a teacher watching the clock would."""
    while engine.status not in ("ended", "failed"):
        await clock.sleep(1.0)
        step = engine.step
        if (step is not None and engine.status == "running" and step.advance == "teacher"
                and engine.elapsed >= step.time.target + engine.extra):
            await engine.skip()
