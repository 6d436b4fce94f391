"""Pretend pupils' hands on simulated micro:bits: each pupil watches the shared screen (the
lesson's state) and presses the buttons of their own controller, after their habit
(:mod:`kit.sim.habits`). Every press goes through the real controller firmware, the radio, the
gateway and the hub, exactly as a real press would.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kit.sim.classlist import SimPupil


class Hands(Protocol):
    """What a pupil can do to a controller (a :class:`kit.drivers.sim.microbits.SimController`)."""

    controller: str

    def press(self, button: str) -> None: ...

    def shake(self) -> None: ...

    @property
    def pending(self) -> int: ...


class PupilHands:
    """Presses for the pupils in ``seats`` (pupil, controller), every ``period`` seconds of
    real time, reading the lesson state from ``state``. They stop pressing when the lesson
    reaches its last step, so every press is through before the lesson ends."""

    def __init__(self, seats: Sequence[tuple[SimPupil, Hands]], state: Callable[[], dict[str, Any]],
                 *, week: int = 1, seed: int = 7, period: float = 0.5) -> None:
        self.seats = list(seats)
        self.state = state
        self.week = week
        self.period = period
        self.rng = random.Random(seed * 1000 + week)
        self.presses: Counter[str] = Counter()  # controller -> presses made
        self._done: set[tuple[str, str]] = set()  # (pupil, step) for one-press steps
        self.stopped = asyncio.Event()

    @property
    def total(self) -> int:
        return sum(self.presses.values())

    def _press(self, hands: Hands, button: str) -> None:
        if hands.pending >= 6:  # the micro:bit is still sending earlier presses: wait
            return
        if button == "shake":
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
            elif kind == "activity":
                rate = habit.presses_per_minute / 14.0 * engaged * 0.4
                if self.rng.random() < rate:
                    self._press(hands, self.rng.choice("AAAB"))
                elif self.rng.random() < habit.helps(self.week) * 0.05:
                    self._press(hands, "shake")  # a cheer for the team

    async def run(self) -> None:
        while not self.stopped.is_set():
            self.tick()
            await asyncio.sleep(self.period)
