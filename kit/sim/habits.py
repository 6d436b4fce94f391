"""How pretend pupils behave, week by week. Each habit is a small table of numbers, so a
report or an early-warning rule can be checked against what the pupils were told to do.

- ``eager``: presses often, helps now and then;
- ``steady``: an ordinary pace;
- ``shy``: presses less and passes more, but every week the same (their own baseline is low;
  that is not drifting away);
- ``helper``: an ordinary pace, helps and compliments teammates often;
- ``drifting``: like ``steady`` for three weeks, then acts less and less, stops helping and
  being helped, misses week 7, and barely acts in week 8: the pupil kit is there to notice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Habit:
    name: str
    #: presses per minute while the pupil is engaged
    presses_per_minute: float
    #: chance, on a turn, of passing instead of acting
    pass_chance: float
    #: chance, per step, of helping or complimenting a teammate
    help_chance: float
    #: engagement per week (1-based), a multiplier on presses; 0 means absent that week
    weekly: tuple[float, ...] = ()

    def engagement(self, week: int) -> float:
        """How engaged the pupil is in ``week`` (1-based): 1.0 as usual, 0.0 absent."""
        if not self.weekly or week < 1:
            return 1.0
        return self.weekly[min(week, len(self.weekly)) - 1]

    def attends(self, week: int) -> bool:
        return self.engagement(week) > 0.0

    def helps(self, week: int) -> float:
        """Chance of helping a teammate in ``week``: a drifting pupil stops when they fade."""
        return self.help_chance if self.engagement(week) >= 0.8 else 0.0


HABITS: dict[str, Habit] = {
    "eager": Habit("eager", 14.0, 0.02, 0.25),
    "steady": Habit("steady", 10.0, 0.05, 0.2),
    "shy": Habit("shy", 8.0, 0.1, 0.15),
    "helper": Habit("helper", 10.0, 0.05, 0.6),
    "drifting": Habit("drifting", 10.0, 0.05, 0.2,
                      weekly=(1.0, 1.0, 1.0, 0.85, 0.45, 0.35, 0.0, 0.25)),
}
