"""What one lesson run says about each pupil, and how balanced each team was.

Pure functions over stored events; :mod:`kit.insight.rollup` keeps their results in the store
so reports over a year of lessons read a few thousand rows instead of millions of events.

The figures, per pupil and run:

- **attended**: the pupil has at least one event in the run;
- **active time**: the sum of the gaps between consecutive events of the pupil, each gap capped
  at :data:`ACTIVE_GAP_S`; a gap that starts with a ``leave`` (the controller was disconnected
  or the pupil left) counts nothing;
- **contributions**: events of :data:`CONTRIBUTION_KINDS`;
- **share**: the pupil's contributions over their team's in the run;
- **time to first action**: from the pupil's first event (joining) to their first contribution;
- **passes**, **timeouts**, **turns**;
- **interactions**: help and compliments given (``pupil`` → ``data.target``) and received.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kit.protocol.envelope import parse_ts

#: Kinds that count as a pupil's contribution to the team's work (as in the participation
#: report of :mod:`kit.hub.report`).
CONTRIBUTION_KINDS = frozenset({"contribution", "help", "compliment", "vote", "reflect"})
#: Kinds that link two pupils in the interaction graph.
INTERACTION_KINDS = frozenset({"help", "compliment"})
#: A pause longer than this between two of a pupil's events is not counted as active time.
ACTIVE_GAP_S = 90.0


@dataclass(slots=True)
class PupilRun:
    """One pupil in one lesson run (a row of the roll-up)."""

    room: str
    run: str
    day: str  # the run's first day, YYYY-MM-DD (UTC)
    pupil: str
    team: str
    role: str | None = None
    events: int = 0
    contributions: int = 0
    passes: int = 0
    timeouts: int = 0
    turns: int = 0
    helps_given: int = 0
    helps_received: int = 0
    active_s: float = 0.0
    first_action_s: float | None = None
    team_size: int = 0  # pupils of the team present in the run
    team_contributions: int = 0

    @property
    def share(self) -> float:
        return self.contributions / self.team_contributions if self.team_contributions else 0.0

    @property
    def interactions(self) -> int:
        return self.helps_given + self.helps_received


@dataclass(slots=True)
class RunSummary:
    room: str
    run: str
    day: str
    started: str
    ended: str
    events: int = 0
    #: the teacher ended the lesson (a ``lesson`` event with action ``end``)
    closed: bool = False
    pupils: list[PupilRun] = field(default_factory=list)
    #: (source, target, kind) -> count
    edges: dict[tuple[str, str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawEvent:
    """The columns of an event the roll-up reads."""

    ts: str
    pupil: str | None
    team: str | None
    kind: str
    data: dict[str, Any]


def summarise_run(room: str, run: str, events: Sequence[RawEvent]) -> RunSummary:
    """Roll one run's events (in time order) up into per-pupil figures and edges."""
    started = events[0].ts if events else ""
    ended = events[-1].ts if events else ""
    summary = RunSummary(room, run, started[:10], started, ended, len(events))
    rows: dict[str, PupilRun] = {}
    first: dict[str, datetime] = {}
    last: dict[str, tuple[datetime, str]] = {}
    for ev in events:
        target = ev.data.get("target") if ev.kind in INTERACTION_KINDS else None
        if ev.pupil is None:
            if ev.kind == "lesson" and ev.data.get("action") == "end":
                summary.closed = True
            continue
        row = rows.get(ev.pupil)
        if row is None:
            row = rows[ev.pupil] = PupilRun(room, run, summary.day, ev.pupil, ev.team or "-")
        if ev.team and row.team == "-":
            row.team = ev.team
        t = parse_ts(ev.ts)
        row.events += 1
        prev = last.get(ev.pupil)
        if prev is None:
            first[ev.pupil] = t
        elif prev[1] != "leave":
            row.active_s += min((t - prev[0]).total_seconds(), ACTIVE_GAP_S)
        last[ev.pupil] = (t, ev.kind)
        kind = ev.kind
        if kind == "join" and isinstance(ev.data.get("role"), str):
            row.role = ev.data["role"]
        if kind in CONTRIBUTION_KINDS:
            row.contributions += 1
            if row.first_action_s is None:
                row.first_action_s = (t - first[ev.pupil]).total_seconds()
        elif kind == "pass":
            row.passes += 1
        elif kind == "timeout":
            row.timeouts += 1
        elif kind == "turn-start":
            row.turns += 1
        if isinstance(target, str) and target != ev.pupil and target.startswith("p-"):
            row.helps_given += 1
            key = (ev.pupil, target, kind)
            summary.edges[key] = summary.edges.get(key, 0) + 1
    for (_, target, _), n in summary.edges.items():
        if target in rows:
            rows[target].helps_received += n
    size: dict[str, int] = {}
    total: dict[str, int] = {}
    for row in rows.values():
        size[row.team] = size.get(row.team, 0) + 1
        total[row.team] = total.get(row.team, 0) + row.contributions
    for row in rows.values():
        row.team_size = size[row.team]
        row.team_contributions = total[row.team]
    summary.pupils = sorted(rows.values(), key=lambda r: (r.team, r.pupil))
    return summary


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values: 0 when all are equal, towards 1 when one
    pupil does everything. 0 for an empty or all-zero list."""
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * weighted) / (n * total) - (n + 1) / n


def balance(values: Sequence[float]) -> float:
    """Team balance as 1 − Gini: 1 when everyone contributed the same."""
    return 1.0 - gini(values)


def normalised_entropy(values: Sequence[float]) -> float:
    """Shannon entropy of the shares over its maximum (log n): 1 for perfectly even work, 0
    when one pupil did it all. A team of one is even by definition (1.0)."""
    total = sum(values)
    n = len(values)
    if n <= 1:
        return 1.0
    if total == 0:
        return 0.0
    h = -sum((v / total) * math.log(v / total) for v in values if v > 0)
    return h / math.log(n)
