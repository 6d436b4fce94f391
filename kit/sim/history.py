"""Weeks of lessons for the pretend class, as the events the hub would have recorded.

The same seed gives the same events (ids included), so tests can check reports and early-warning
signals against what the pupils were told to do (:mod:`kit.sim.habits`) and benchmarks can fill a
store with a class-year quickly. Nothing here does I/O except :func:`record_history`, which
inserts through the store API the recorder uses.

Each lesson run: the teacher's station starts the lesson; every attending pupil joins; each team
takes turns (one pupil per ``tick_s``), and on a turn a pupil passes, times out or presses a
number of times in line with their habit and how engaged they are that week; at each step a
pupil may help or compliment a teammate (a fading pupil helps nobody and, no longer acting, is
not helped either); the lesson ends and everyone leaves.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kit.protocol.envelope import Event, format_ts
from kit.sim.classlist import SimPupil

if TYPE_CHECKING:
    from kit.hub.store import Store

#: Monday 12 January 2026, 09:00 UTC: the first lesson of the pretend term.
TERM_START = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LessonShape:
    """How long a pretend lesson is and how it is cut up."""

    minutes: int = 45
    tick_s: float = 20.0
    steps: int = 6


def run_id(week: int, n: int = 1) -> str:
    """``w03-1``: the first run of week 3."""
    return f"w{week:02d}-{n}"


class _Maker:
    """Makes events with deterministic ids and per-station sequence numbers."""

    def __init__(self, room: str, run: str, rng: random.Random) -> None:
        self.room, self.run, self.rng = room, run, rng
        self.seq: dict[str, int] = {}
        self.out: list[Event] = []

    def __call__(self, station: str, kind: str, at: datetime, pupil: str | None = None,
                 team: str | None = None, data: dict[str, Any] | None = None) -> None:
        seq = self.seq.get(station, 0)
        self.seq[station] = seq + 1
        self.out.append(Event(
            id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), ts=format_ts(at),
            room=self.room, station=station, seq=seq, kind=kind, run=self.run, pupil=pupil,
            team=team, data=data or {}))


def lesson_run(pupils: Sequence[SimPupil], week: int, *, room: str = "room-1", n: int = 1,
               start: datetime | None = None, shape: LessonShape | None = None,
               seed: int = 7) -> list[Event]:
    """The events of one lesson run in ``week`` (1-based), sorted by time."""
    shape = shape or LessonShape()
    start = start or TERM_START + timedelta(weeks=week - 1)
    run = run_id(week, n)
    rng = random.Random(f"{seed}:{room}:{run}")
    make = _Maker(room, run, rng)
    make("teacher", "lesson", start, data={"action": "start", "lesson": "pretend"})
    teams: dict[str, list[SimPupil]] = {}
    for p in pupils:
        teams.setdefault(p.team, []).append(p)
    ticks = int(shape.minutes * 60 // shape.tick_s)
    step_every = max(1, ticks // shape.steps)
    for t_index, (team, members) in enumerate(teams.items()):
        station = f"station-{t_index + 1}"
        here = [p for p in members if p.habit.attends(week)]
        for i, p in enumerate(here):
            make(station, "join", start + timedelta(seconds=5 + 3 * i), p.pseudonym, team,
                 {"role": "member"})
        if not here:
            continue
        for tick in range(ticks):
            at = start + timedelta(seconds=30 + tick * shape.tick_s)
            if tick % step_every == 0:
                step = tick // step_every + 1
                if t_index == 0:
                    make("teacher", "step", at, data={"action": "start", "step": f"s{step}"})
                for p in here:
                    if rng.random() < p.habit.helps(week):
                        mates = [m for m in here if m is not p and m.habit.helps(week) > 0]
                        if mates:
                            target = rng.choice(mates)
                            kind = "help" if rng.random() < 0.5 else "compliment"
                            make(station, kind, at + timedelta(seconds=rng.uniform(1, 4)),
                                 p.pseudonym, team, {"target": target.pseudonym})
            p = here[tick % len(here)]
            make(station, "turn-start", at, p.pseudonym, team)
            engaged = p.habit.engagement(week)
            if rng.random() < p.habit.pass_chance:
                make(station, "pass", at + timedelta(seconds=2), p.pseudonym, team)
            else:
                mean = p.habit.presses_per_minute * shape.tick_s / 60 * engaged
                presses = max(0, round(rng.gauss(mean, mean * 0.15)))
                if presses == 0:
                    make(station, "timeout", at + timedelta(seconds=shape.tick_s - 2),
                         p.pseudonym, team)
                for k in range(presses):
                    make(station, "contribution",
                         at + timedelta(seconds=1 + k * (shape.tick_s - 3) / presses),
                         p.pseudonym, team, {"step": f"s{tick // step_every + 1}"})
            make(station, "turn-end", at + timedelta(seconds=shape.tick_s - 1), p.pseudonym, team)
        end = start + timedelta(seconds=30 + ticks * shape.tick_s)
        for p in here:
            make(station, "leave", end, p.pseudonym, team)
    make("teacher", "lesson", start + timedelta(seconds=40 + ticks * shape.tick_s),
         data={"action": "end", "lesson": "pretend"})
    make.out.sort(key=lambda e: (e.ts, e.station, e.seq))
    return make.out


def history(pupils: Sequence[SimPupil], *, weeks: int = 8, runs_per_week: int = 1,
            room: str = "room-1", start: datetime = TERM_START, shape: LessonShape | None = None,
            seed: int = 7) -> Iterator[tuple[str, list[Event]]]:
    """``(run id, events)`` for every run, in order: ``runs_per_week`` runs on consecutive
    days of each week."""
    for week in range(1, weeks + 1):
        for n in range(1, runs_per_week + 1):
            at = start + timedelta(weeks=week - 1, days=n - 1)
            yield run_id(week, n), lesson_run(pupils, week, room=room, n=n, start=at,
                                              shape=shape, seed=seed)


def record_history(store: Store, pupils: Sequence[SimPupil], *, names: bool = True,
                   **kwargs: Any) -> int:
    """Insert :func:`history` into ``store`` run by run (received when each run ended), and
    put the pupils' names in the roster. Returns how many events were stored."""
    stored = 0
    room = kwargs.get("room", "room-1")
    if names:
        for p in pupils:
            store.set_name(p.pseudonym, p.name, room, format_ts(TERM_START))
    for _, events in history(pupils, **kwargs):
        stored += store.insert_events(events, events[-1].ts)
    return stored
