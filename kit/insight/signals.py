"""Early-warning signals that explain themselves.

Each rule compares a pupil with *their own* baseline or with what their role in the team
expects, over the lesson runs of their room; withdrawal shows socially before it shows in
grades, so the rules watch presence, effort against the pupil's own usual, interaction with
teammates and share of the team's work. There is no single risk score and nothing is inferred
about mood or emotion (the EU AI Act, Art. 5(1)(f), forbids emotion inference in education):
a flag is a prompt for the teacher, who confirms or dismisses it.

The rules (thresholds in :class:`Rules`):

- ``attendance``: came to fewer than 80 % of the room's runs over the last 4 weeks (only once
  the pupil has been in the room for those 4 weeks);
- ``drop``: contributions at least 40 % below the pupil's own usual in each of their last 2
  runs. Lessons differ (a mural asks for far more presses than a story), so each run's
  contributions are taken against the class's median in that run, and the pupil's usual is
  the median of that ratio over their previous up to 6 runs (at least 3); a usual under 5
  contributions, or a class median under 5, is too small to tell;
- ``isolation``: no help or compliment given or received in 2 of their last 3 team runs;
- ``share``: share of the team's contributions below half the share their role expects (an
  equal share of the pupils present, unless roles weigh differently) in each of their last 2
  team runs (runs where the team made at least 10 contributions).

A rule that keeps holding run after run is one flag (from the run where it first held to the
latest); if it stops holding and later holds again, that is a new flag. Pure functions: the
numbers in each flag come from the rolled-up runs they name.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from kit.insight.metrics import PupilRun
from kit.insight.rollup import RunInfo

RULES = ("attendance", "drop", "isolation", "share")

RULE_TEXT = {
    "attendance": "attendance below {pct} over {weeks} weeks",
    "drop": "contributions {pct} or more below their own usual, {n} lessons in a row",
    "isolation": "no help or compliment given or received in {k} of the last {n} team lessons",
    "share": "share of the team's work below {pct} of what their role expects, "
             "{n} lessons in a row",
}


@dataclass(frozen=True, slots=True)
class Rules:
    attendance_below: float = 0.8
    attendance_weeks: int = 4
    drop_at_least: float = 0.4
    drop_runs: int = 2
    baseline_runs: int = 6
    baseline_min: int = 3
    #: a usual below this many contributions is too small to call a drop
    drop_min_baseline: float = 5.0
    isolation_window: int = 3
    isolation_quiet: int = 2
    share_below: float = 0.5
    share_runs: int = 2
    #: a team with fewer contributions than this in a run says little about shares
    share_min_team: int = 10
    #: expected weight of a role relative to an ordinary member (1.0); e.g. {"observer": 0.5}
    role_weights: Mapping[str, float] = field(default_factory=dict)

    def describe(self, rule: str) -> str:
        return RULE_TEXT[rule].format(
            pct=f"{self.attendance_below:.0%}" if rule == "attendance" else
            f"{self.drop_at_least:.0%}" if rule == "drop" else f"{self.share_below:.0%}",
            weeks=self.attendance_weeks,
            n=(self.drop_runs if rule == "drop" else self.isolation_window
               if rule == "isolation" else self.share_runs),
            k=self.isolation_quiet)


@dataclass(frozen=True, slots=True)
class Flag:
    room: str
    pupil: str
    rule: str
    first_run: str
    last_run: str
    day: str  # the day of first_run
    rule_text: str
    detail: str  # the numbers, in words
    numbers: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.room}:{self.pupil}:{self.rule}:{self.first_run}"


def week_of(day: str) -> int:
    """A Monday-to-Sunday week number (days since year 1 // 7)."""
    return (date.fromisoformat(day).toordinal() - 1) // 7


def _pct(x: float) -> str:
    return f"{x:.0%}"


Check = Callable[[list[PupilRun], "Rules"], "tuple[str, dict[str, Any]] | None"]


def check_drop(mine: list[PupilRun], rules: Rules, typical: Mapping[str, float], *,
               enough: bool = True) -> tuple[str, dict[str, Any]] | None:
    """On the pupil's latest attended runs (oldest first; at least ``baseline_runs`` +
    ``drop_runs`` of them when there are that many). ``typical``: the class's median
    contributions in each run."""
    need = rules.drop_runs
    if not enough or len(mine) < rules.baseline_min + need:
        return None

    def ratio(r: PupilRun) -> float | None:
        class_median = typical[r.run]
        if class_median < max(rules.drop_min_baseline, 1e-9):
            return None  # too little asked of anyone in that lesson to tell
        return r.contributions / class_median

    out = []
    for j in range(len(mine) - need, len(mine)):
        prior = mine[max(0, j - rules.baseline_runs):j]
        ratios = [x for x in map(ratio, prior) if x is not None]
        value = ratio(mine[j])
        if len(ratios) < rules.baseline_min or value is None:
            return None
        if statistics.median(r.contributions for r in prior) < max(rules.drop_min_baseline,
                                                                    1e-9):
            return None
        base = statistics.median(ratios)
        if base <= 0:
            return None
        drop = 1 - value / base
        if drop < rules.drop_at_least:
            return None
        out.append((mine[j], typical[mine[j].run], value, base, drop))
    detail = "; ".join(
        f"{r.contributions} contributions in {r.run}, {_pct(v)} of the class's median "
        f"({m:g}), against their usual {_pct(b)} (−{_pct(d)})" for r, m, v, b, d in out)
    return detail, {"runs": [o[0].run for o in out],
                    "contributions": [o[0].contributions for o in out],
                    "class_medians": [o[1] for o in out],
                    "ratios": [round(o[2], 3) for o in out],
                    "baselines": [round(o[3], 3) for o in out],
                    "drops": [round(o[4], 3) for o in out]}


def check_isolation(mine: list[PupilRun], rules: Rules) -> tuple[str, dict[str, Any]] | None:
    team_runs = [r for r in mine if r.team_size >= 2][-rules.isolation_window:]
    if len(team_runs) < rules.isolation_window:
        return None
    quiet = [r for r in team_runs if r.interactions == 0]
    if len(quiet) < rules.isolation_quiet:
        return None
    detail = "; ".join(
        f"{r.run}: " + ("none" if r.interactions == 0 else
                        f"{r.helps_given} given, {r.helps_received} received")
        for r in team_runs)
    return detail, {"runs": [r.run for r in team_runs],
                    "given": [r.helps_given for r in team_runs],
                    "received": [r.helps_received for r in team_runs],
                    "quiet_runs": [r.run for r in quiet]}


def expected_share(row: PupilRun, rules: Rules, team: Sequence[PupilRun] | None = None) -> float:
    """The share of the team's contributions a pupil's role expects: equal shares of the pupils
    present, weighted by ``rules.role_weights`` when the team's roles are known."""
    if not rules.role_weights or team is None:
        return 1.0 / row.team_size if row.team_size else 0.0
    weights = [rules.role_weights.get(r.role or "", 1.0) for r in team]
    mine = rules.role_weights.get(row.role or "", 1.0)
    return mine / sum(weights) if sum(weights) else 0.0


def check_share(mine: list[PupilRun], rules: Rules,
                teams: Mapping[tuple[str, str], list[PupilRun]] | None = None
                ) -> tuple[str, dict[str, Any]] | None:
    team_runs = [r for r in mine if r.team_size >= 2][-rules.share_runs:]
    if len(team_runs) < rules.share_runs:
        return None
    found = []
    for r in team_runs:
        exp = expected_share(r, rules, (teams or {}).get((r.run, r.team)))
        if (exp <= 0 or r.team_contributions < rules.share_min_team
                or r.share >= rules.share_below * exp):
            return None
        found.append((r, exp))
    detail = "; ".join(
        f"{r.run}: {r.contributions} of the team's {r.team_contributions} contributions = "
        f"{_pct(r.share)} (expected {_pct(e)} in a team of {r.team_size})" for r, e in found)
    return detail, {"runs": [r.run for r, _ in found],
                    "contributions": [r.contributions for r, _ in found],
                    "team_contributions": [r.team_contributions for r, _ in found],
                    "shares": [round(r.share, 3) for r, _ in found],
                    "expected": [round(e, 3) for _, e in found]}


def check_attendance(room_runs: Sequence[RunInfo], weeks: Sequence[int], i: int,
                     came_before: Sequence[int], first_week: int, rules: Rules,
                     attended: set[str]) -> tuple[str, dict[str, Any]] | None:
    """At the room's run ``i``: ``weeks[k]`` is run k's week, ``came_before[k]`` how many of
    runs 0..k-1 the pupil attended."""
    now = weeks[i]
    start = now - rules.attendance_weeks + 1
    if first_week > start:
        return None
    lo = bisect.bisect_left(weeks, start, 0, i + 1)
    held = i + 1 - lo
    came = came_before[i + 1] - came_before[lo]
    rate = came / held
    if rate >= rules.attendance_below:
        return None
    window = room_runs[lo:i + 1]
    missed = [r.run for r in window if r.run not in attended]
    detail = (f"came to {came} of {held} lessons in the {rules.attendance_weeks} "
              f"weeks to {room_runs[i].day} ({_pct(rate)}); missed {', '.join(missed)}")
    return detail, {"attended": came, "held": held, "rate": round(rate, 3),
                    "missed": missed, "from": window[0].day, "to": room_runs[i].day}


def _tail(mine: Sequence[PupilRun], pos: int, n: int, *, teams_only: bool = False
          ) -> list[PupilRun]:
    """The last ``n`` of ``mine[:pos]`` (only runs in a team of two or more if asked)."""
    out: list[PupilRun] = []
    k = pos - 1
    while k >= 0 and len(out) < n:
        if not teams_only or mine[k].team_size >= 2:
            out.append(mine[k])
        k -= 1
    out.reverse()
    return out


def evaluate(room_runs: Sequence[RunInfo], rows: Sequence[PupilRun],
             rules: Rules | None = None, *, start: int = 0,
             before: Sequence[Flag] = ()) -> list[Flag]:
    """Every flag raised over ``room_runs`` (one room's runs, any order) by the pupils'
    rolled-up ``rows`` for those runs.

    Kept as lessons arrive: with ``start`` > 0 the rules are looked at only from the
    ``start``-th run on (in time order), and ``before`` are the flags found up to there; one
    still holding at its rule's latest look goes on. Flags found or moved on are returned. The
    result is the same as evaluating everything again (``tests/insight/test_signals.py``)."""
    rules = rules or Rules()
    order = sorted(room_runs, key=lambda r: (r.started, r.run))
    index = {r.run: i for i, r in enumerate(order)}
    weeks = [week_of(r.day) for r in order]
    by_pupil: dict[str, list[PupilRun]] = {}
    teams: dict[tuple[str, str], list[PupilRun]] = {}
    for row in rows:
        if row.run in index:
            by_pupil.setdefault(row.pupil, []).append(row)
            teams.setdefault((row.run, row.team), []).append(row)
    per_run: dict[str, list[int]] = {}
    for row in rows:
        if row.run in index:
            per_run.setdefault(row.run, []).append(row.contributions)
    typical = {run: float(statistics.median(c)) for run, c in per_run.items()}
    flags: list[Flag] = []
    for pupil, mine in sorted(by_pupil.items()):
        mine.sort(key=lambda r: index[r.run])
        room = mine[0].room
        attended = {r.run for r in mine}
        first_i = index[mine[0].run]
        first_week = weeks[first_i]
        came_before = [0]
        for r in order:
            came_before.append(came_before[-1] + (r.run in attended))
        open_: dict[str, Flag] = {}
        begin = max(first_i, start)
        if begin > first_i:
            last_here = max((index[r.run] for r in mine if index[r.run] < begin), default=-1)
            for f in before:
                if f.pupil != pupil or f.last_run not in index or f.first_run not in index:
                    continue
                # The rule's latest look before ``begin``: every run for attendance, the
                # pupil's runs for the others. A flag spanning it is still open there.
                latest = begin - 1 if f.rule == "attendance" else last_here
                if latest >= 0 and index[f.first_run] <= latest <= index[f.last_run]:
                    open_[f.rule] = replace(f, last_run=order[latest].run)
        pos = came_before[begin]
        for i in range(begin, len(order)):
            run = order[i]
            here = run.run in attended
            if here:
                pos += 1
            found: dict[str, tuple[str, dict[str, Any]] | None] = {
                "attendance": check_attendance(order, weeks, i, came_before, first_week, rules,
                                               attended)}
            if here:
                found["drop"] = check_drop(
                    _tail(mine, pos, rules.baseline_runs + rules.drop_runs), rules, typical,
                    enough=pos >= rules.baseline_min + rules.drop_runs)
                found["isolation"] = check_isolation(
                    _tail(mine, pos, rules.isolation_window, teams_only=True), rules)
                found["share"] = check_share(
                    _tail(mine, pos, rules.share_runs, teams_only=True), rules, teams)
            for rule, hit in found.items():
                if hit is None:
                    if rule in open_:
                        flags.append(open_.pop(rule))
                    continue
                if rule in open_:
                    open_[rule] = replace(open_[rule], last_run=run.run)
                else:
                    detail, numbers = hit
                    open_[rule] = Flag(room, pupil, rule, run.run, run.run, run.day,
                                       rules.describe(rule), detail, numbers)
        flags.extend(open_.values())
    return sorted(flags, key=lambda f: (index[f.first_run], f.pupil, RULES.index(f.rule)))
