"""The facilitator's report: per room, pupil, lesson run or date range, week by week.

:func:`build` reads the roll-ups (after bringing them up to date) and the teacher's records
(flags, notes, plans) into a :class:`Report`; :func:`to_csv` writes it as one table, the CLI
renders it in the terminal and :mod:`kit.insight.html` as a self-contained page.

Figures, each per week: lessons held and attended, active time (disconnected time left out),
contributions, share of the team's contributions, time to first action (median), passes and
timeouts, help and compliments given and received; per team and week, balance (1 − Gini of the
members' contributions) and normalised entropy, averaged over the week's runs; and the
interaction graph (who helped or complimented whom) over the whole range.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from kit.insight import rollup
from kit.insight.flags import StoredFlag
from kit.insight.metrics import PupilRun, balance, normalised_entropy
from kit.insight.rollup import RunInfo
from kit.insight.signals import week_of
from kit.plans.notes import Note
from kit.plans.plans import Plan

if TYPE_CHECKING:
    from kit.hub.store import Store


@dataclass(frozen=True, slots=True)
class Scope:
    room: str | None = None
    pupil: str | None = None
    run: str | None = None
    since: str | None = None  # YYYY-MM-DD
    until: str | None = None

    def describe(self) -> str:
        parts = [f"room {self.room}" if self.room else "all rooms"]
        if self.pupil:
            parts.append(f"pupil {self.pupil}")
        if self.run:
            parts.append(f"lesson run {self.run}")
        if self.since or self.until:
            parts.append(f"{self.since or '…'} to {self.until or '…'}")
        return ", ".join(parts)


@dataclass(slots=True)
class Week:
    """One pupil's figures for one week."""

    week: str  # the Monday, YYYY-MM-DD
    held: int = 0
    attended: int = 0
    active_s: float = 0.0
    contributions: int = 0
    team_contributions: int = 0
    passes: int = 0
    timeouts: int = 0
    given: int = 0
    received: int = 0
    first_actions: list[float] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.contributions / self.team_contributions if self.team_contributions else 0.0

    @property
    def first_action_s(self) -> float | None:
        return statistics.median(self.first_actions) if self.first_actions else None


@dataclass(slots=True)
class PupilSeries:
    pupil: str
    name: str
    room: str
    team: str
    weeks: list[Week]

    def total(self) -> Week:
        t = Week("all")
        for w in self.weeks:
            t.held += w.held
            t.attended += w.attended
            t.active_s += w.active_s
            t.contributions += w.contributions
            t.team_contributions += w.team_contributions
            t.passes += w.passes
            t.timeouts += w.timeouts
            t.given += w.given
            t.received += w.received
            t.first_actions += w.first_actions
        return t


@dataclass(frozen=True, slots=True)
class TeamWeek:
    room: str
    team: str
    week: str
    runs: int
    balance: float  # mean of 1 − Gini over the week's runs
    entropy: float


@dataclass(frozen=True, slots=True)
class Link:
    source: str
    target: str
    helps: int
    compliments: int


@dataclass(slots=True)
class Report:
    scope: Scope
    runs: list[RunInfo]
    weeks: list[str]
    pupils: list[PupilSeries]
    teams: list[TeamWeek]
    links: list[Link]
    flags: list[StoredFlag] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def who(self, pupil: str) -> str:
        name = self.names.get(pupil)
        return f"{name} ({pupil})" if name else pupil


def monday(day: str) -> str:
    return date.fromordinal(week_of(day) * 7 + 1).isoformat()


def assemble(scope: Scope, runs: list[RunInfo], rows: list[PupilRun],
             edges: Iterable[rollup.Edge], names: dict[str, str]) -> Report:
    """Pure: the report's tables from rolled-up rows."""
    runs = sorted(runs, key=lambda r: (r.started, r.room, r.run))
    week_of_run = {(r.room, r.run): monday(r.day) for r in runs}
    weeks = sorted(set(week_of_run.values()))
    held: dict[tuple[str, str], int] = defaultdict(int)
    for r in runs:
        held[(r.room, week_of_run[(r.room, r.run)])] += 1
    series: dict[tuple[str, str], dict[str, Week]] = {}
    team_of: dict[tuple[str, str], str] = {}
    first_week: dict[tuple[str, str], str] = {}
    by_team_run: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: week_of_run.get((r.room, r.run), "")):
        wk = week_of_run.get((row.room, row.run))
        if wk is None:
            continue
        key = (row.room, row.pupil)
        team_of[key] = row.team
        first_week.setdefault(key, wk)
        w = series.setdefault(key, {}).setdefault(wk, Week(wk))
        w.attended += 1
        w.active_s += row.active_s
        w.contributions += row.contributions
        w.team_contributions += row.team_contributions
        w.passes += row.passes
        w.timeouts += row.timeouts
        w.given += row.helps_given
        w.received += row.helps_received
        if row.first_action_s is not None:
            w.first_actions.append(row.first_action_s)
        by_team_run[(row.room, row.team, row.run)].append(row.contributions)
    pupils = []
    for (room, pupil), per_week in series.items():
        out = []
        for wk in weeks:
            if wk < first_week[(room, pupil)] or held[(room, wk)] == 0:
                continue
            w = per_week.get(wk) or Week(wk)
            w.held = held[(room, wk)]
            out.append(w)
        pupils.append(PupilSeries(pupil, names.get(pupil, ""), room, team_of[(room, pupil)],
                                  out))
    pupils.sort(key=lambda p: (p.room, p.team, p.pupil))
    team_weeks: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for (room, team, run), values in by_team_run.items():
        team_weeks[(room, team, week_of_run[(room, run)])].append(
            (balance(values), normalised_entropy(values)))
    teams = [TeamWeek(room, team, wk, len(v), statistics.fmean(b for b, _ in v),
                      statistics.fmean(e for _, e in v))
             for (room, team, wk), v in sorted(team_weeks.items())]
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    in_scope = set(week_of_run)
    for e in edges:
        if (e.room, e.run) in in_scope:
            counts[(e.source, e.target)][0 if e.kind == "help" else 1] += e.n
    links = [Link(s, t, h, c) for (s, t), (h, c) in sorted(counts.items())]
    return Report(scope, runs, weeks, pupils, teams, links, names=names)


def build(store: Store, scope: Scope | None = None, *, names: bool = True,
          refresh: bool = True, now: str | None = None) -> Report:
    """Bring roll-ups and flags up to date, then assemble the report for ``scope``."""
    from kit.insight import flags
    from kit.plans import notes, plans

    scope = scope or Scope()
    if refresh:
        rollup.advance(store)
    whole = scope.since is None and scope.until is None and scope.run is None
    runs = rollup.runs(store, room=scope.room, since=scope.since, until=scope.until,
                       run=scope.run)
    rows = rollup.pupil_runs(store, room=scope.room, since=scope.since, until=scope.until,
                             run=scope.run)
    if refresh and now is not None:
        # Signals look at each room's whole history, whatever range the report shows.
        flags.refresh(store, now, room=scope.room, loaded=(runs, rows) if whole else None)
    edges = rollup.edges(store, room=scope.room, run=scope.run)
    if scope.pupil:
        # The team figures still count every member; only the pupil's lines are kept.
        edges = [e for e in edges if scope.pupil in (e.source, e.target)]
    report = assemble(scope, runs, rows, edges, store.names() if names else {})
    if scope.pupil:
        mine = [p for p in report.pupils if p.pupil == scope.pupil]
        report.teams = [t for t in report.teams if any(t.team == p.team for p in mine)]
        report.pupils = mine
    pupils = {p.pupil for p in report.pupils} | ({scope.pupil} if scope.pupil else set())
    report.flags = [f for f in flags.flags(store, room=scope.room) if f.pupil in pupils]
    report.notes = [n for n in notes.notes(store) if n.pupil in pupils]
    report.plans = [p for p in plans.plans(store) if p.pupil in pupils]
    return report


CSV_COLUMNS = ("week", "room", "team", "pupil", "name", "lessons_held", "attended",
               "active_min", "contributions", "share", "first_action_s", "passes", "timeouts",
               "helps_given", "helps_received", "team_balance", "team_entropy")


def to_csv(report: Report) -> str:
    """One line per pupil and week, with the team's balance that week."""
    team = {(t.room, t.team, t.week): t for t in report.teams}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for p in report.pupils:
        for wk in p.weeks:
            t = team.get((p.room, p.team, wk.week))
            fa = wk.first_action_s
            w.writerow([wk.week, p.room, p.team, p.pupil, p.name, wk.held, wk.attended,
                        f"{wk.active_s / 60:.1f}", wk.contributions, f"{wk.share:.3f}",
                        "" if fa is None else f"{fa:.0f}", wk.passes, wk.timeouts, wk.given,
                        wk.received, "" if t is None else f"{t.balance:.3f}",
                        "" if t is None else f"{t.entropy:.3f}"])
    return out.getvalue()


def minutes(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """A row of block characters, one per value (a blank for a missing one)."""
    top = max(values, default=0)
    if top <= 0:
        return "".join("▁" for _ in values)
    return "".join(SPARKS[min(len(SPARKS) - 1, int(v / top * (len(SPARKS) - 1) + 0.5))]
                   for v in values)
