"""A pretend class for an activity: pupils with the habits of :mod:`kit.sim.habits` (eager,
helper, steady, shy, drifting) who play sensibly. Each asks the activity what a helpful pupil
would press now (:meth:`kit.activities.base.Activity.suggest`) and presses it, at their own
pace; now and then they press something else, and they cheer their squad mates.

Used for rehearsal (``kit activity run --sim``), by ``bench/class_play.py`` and by tests. It
has the same face as :class:`kit.activities.inputs.SimPupils`: ``hello()`` and
``step(dt, put)``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kit.protocol.inputs import Input
from kit.sim.habits import HABITS, Habit

if TYPE_CHECKING:
    from kit.activities.session import Session

PATTERN = ("eager", "helper", "steady", "shy")
WRONG = ("A", "B", "AB")


def habits_for(count: int) -> list[Habit]:
    """A mix like a real class: eager, helper, steady and shy in turn, and the sixth pupil
    drifting away."""
    out = [HABITS[PATTERN[i % len(PATTERN)]] for i in range(count)]
    if count > 5:
        out[5] = HABITS["drifting"]
    return out


class HabitPupils:
    def __init__(self, count: int, session: Session, *, seed: int = 7, week: int = 5,
                 habits: list[Habit] | None = None) -> None:
        self.session = session
        self.controllers = [f"sim-{i + 1:02d}" for i in range(count)]
        self.habits = habits or habits_for(count)
        self.week = week
        self.rng = random.Random(seed)
        self.t = 0.0
        self._seq = [0] * count
        self._ready = [0.0] * count  # when each pupil next looks up and acts

    def pupil(self, i: int) -> str:
        return f"p-sim{i + 1:02d}"

    def present(self, i: int) -> bool:
        return self.habits[i].attends(self.week)

    def hello(self) -> list[Input]:
        """Everyone who came today sits down."""
        return [Input(c, 0, "pair", pupil=self.pupil(i))
                for i, c in enumerate(self.controllers) if self.present(i)]

    def press(self, i: int, gesture: str) -> Input:
        self._seq[i] += 1
        return Input(self.controllers[i], self._seq[i], gesture, pupil=self.pupil(i))

    def step(self, dt: float, put: Callable[[Input], None]) -> int:
        """The presses of the next ``dt`` seconds, handed to ``put``; returns how many."""
        self.t += dt
        n = 0
        activity = self.session.activity
        for i, c in enumerate(self.controllers):
            if self.t < self._ready[i] or not self.present(i):
                continue
            seat = self.session.seats.get(c)
            if seat is None or self.session.phase != "playing":
                continue
            turn = play(self.rng, self.habits[i], self.week, activity.suggest(seat))
            if turn is None:
                continue  # nothing to do: stays ready for when there is
            for gesture in turn.gestures:
                put(self.press(i, gesture))
                n += 1
            self._ready[i] = self.t + turn.wait
        return n


@dataclass(frozen=True, slots=True)
class Turn:
    gestures: tuple[str, ...]  # what the pupil does now: a press, perhaps a cheer after it
    wait: float  # seconds (of the activity's time) before the pupil looks up again


def play(rng: random.Random, habit: Habit, week: int, suggested: str | None) -> Turn | None:
    """What a pupil of ``habit`` does in ``week`` when the screen suggests ``suggested``
    (:meth:`kit.activities.base.Activity.suggest`): the helpful gesture, now and then a wrong
    one (as often as the habit passes), now and then a cheer for a squad mate; then a pause
    after the habit's pace and how engaged the pupil is this week. None: nothing to do."""
    if suggested is None:
        return None
    gesture = rng.choice(WRONG) if rng.random() < habit.pass_chance else suggested
    cheer = (rng.choice(("logo", "shake")),) if rng.random() < habit.helps(week) * 0.1 else ()
    rate = habit.presses_per_minute * habit.engagement(week) / 60.0
    return Turn((gesture, *cheer), rng.expovariate(max(rate, 1e-3)))
