"""The participation report: per lesson run and pupil, what they did and how much of their
team's work was theirs. Pure functions over stored events; the CLI renders them."""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kit.hub.store.base import EventRow
from kit.protocol.envelope import parse_ts

#: Kinds that count as a pupil's contribution to the team's work.
CONTRIBUTION_KINDS = frozenset({"contribution", "help", "compliment", "vote", "reflect"})
#: A pause longer than this between two of a pupil's events is not counted as active time.
ACTIVE_GAP_S = 90.0


@dataclass(frozen=True, slots=True)
class PupilLine:
    run: str
    team: str
    pupil: str
    name: str
    events: int
    contributions: int
    active_s: float
    team_share: float  # 0..1 of the team's contributions in this run


def participation(events: Iterable[EventRow], names: dict[str, str] | None = None
                  ) -> list[PupilLine]:
    names = names or {}
    by_pupil: dict[tuple[str, str], list[EventRow]] = defaultdict(list)
    team_of: dict[tuple[str, str], str] = {}
    for ev in events:
        if ev.pupil is None:
            continue
        key = (ev.run or "-", ev.pupil)
        by_pupil[key].append(ev)
        if ev.team:
            team_of[key] = ev.team
    team_total: dict[tuple[str, str], int] = defaultdict(int)
    contrib: dict[tuple[str, str], int] = {}
    for key, evs in by_pupil.items():
        contrib[key] = sum(e.kind in CONTRIBUTION_KINDS for e in evs)
        team_total[(key[0], team_of.get(key, "-"))] += contrib[key]
    lines = []
    for (run, pupil), evs in by_pupil.items():
        times = sorted(parse_ts(e.ts).timestamp() for e in evs)
        active = sum(min(b - a, ACTIVE_GAP_S) for a, b in itertools.pairwise(times))
        team = team_of.get((run, pupil), "-")
        total = team_total[(run, team)]
        lines.append(PupilLine(run, team, pupil, names.get(pupil, ""), len(evs),
                               contrib[(run, pupil)], active,
                               contrib[(run, pupil)] / total if total else 0.0))
    return sorted(lines, key=lambda l: (l.run, l.team, l.pupil))


def to_csv(lines: Iterable[PupilLine]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["run", "team", "pupil", "name", "events", "contributions", "active_s",
                "team_share"])
    for l in lines:
        w.writerow([l.run, l.team, l.pupil, l.name, l.events, l.contributions,
                    f"{l.active_s:.0f}", f"{l.team_share:.3f}"])
    return out.getvalue()


def minutes(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"
