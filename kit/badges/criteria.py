"""What each pupil did, counted from stored events, and which badges that earns.

Pure functions: events in, a :class:`Record` per pupil out. A badge's criteria compare one
pupil's record with fixed minimums; nothing here compares pupils with each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from kit.badges.definitions import BadgeDef
from kit.hub.report import participation
from kit.hub.store.base import EventRow

#: What a contribution made, recognised by the fields each activity records (the robot relay
#: records a role with each; the lesson engine's own contributions carry a step id and no role).
MADE_BY_FIELD = (("pixels", "mural"), ("panel", "story"), ("bar", "song"))
ROBOT_ROLES = frozenset({"navigator", "driver", "tester"})
_ROLE_KINDS = frozenset({"join", "turn-start", "turn-end", "contribution"})


@dataclass
class Record:
    """One pupil's own participation, summed over the events given."""

    pupil: str
    active_s: float = 0.0
    contributions: int = 0
    help_given: int = 0
    compliments_given: int = 0
    roles: set[str] = field(default_factory=set)
    lessons: set[str] = field(default_factory=set)
    made: Counter[str] = field(default_factory=Counter)
    first_at: str | None = None
    last_at: str | None = None

    @property
    def minutes(self) -> int:
        return int(self.active_s // 60)

    def value(self, criterion: str) -> int:
        if criterion == "minutes":
            return self.minutes
        if criterion in ("roles", "lessons"):
            return len(getattr(self, criterion))
        return int(getattr(self, criterion))

    def evidence(self) -> str:
        """What the pupil did, in words a family understands (English; the pupil's page
        says it in the family's language)."""
        parts = [f"took part in {len(self.lessons)} lesson{'s' if len(self.lessons) != 1 else ''}"
                 f" and was actively involved for about {self.minutes} minutes"]
        if self.contributions:
            made = ", ".join(f"{n} {_made_words(kind, n)}" for kind, n in sorted(self.made.items()))
            parts.append(f"added {self.contributions} contributions to the team's work"
                         + (f" ({made})" if made else ""))
        if self.help_given:
            parts.append(f"helped teammates {self.help_given} times")
        if self.compliments_given:
            parts.append(f"complimented teammates {self.compliments_given} times")
        if self.roles:
            parts.append(f"held the roles of {', '.join(sorted(self.roles))}")
        return "The pupil " + "; ".join(parts) + "."


def _made_words(kind: str, n: int) -> str:
    words = {"mural": ("mural pixel", "mural pixels"), "story": ("story part", "story parts"),
             "song": ("bar of music", "bars of music"),
             "robot": ("turn with the team robot", "turns with the team robot")}
    one, many = words.get(kind, (kind, kind))
    return one if n == 1 else many


def made_kind(data: dict[str, object]) -> str | None:
    for key, kind in MADE_BY_FIELD:
        if key in data:
            return kind
    if data.get("role") in ROBOT_ROLES:
        return "robot"
    return None


def records(events: Iterable[EventRow]) -> dict[str, Record]:
    evs = list(events)
    out: dict[str, Record] = {}

    def rec(pupil: str) -> Record:
        if pupil not in out:
            out[pupil] = Record(pupil)
        return out[pupil]

    ended: set[str] = set()
    has_lesson: set[str] = set()
    runs_of: dict[str, set[str]] = defaultdict(set)
    for ev in evs:
        run = ev.run or "-"
        if ev.kind == "lesson":
            has_lesson.add(run)
            if ev.data.get("action") == "end":
                ended.add(run)
        if ev.pupil is None:
            continue
        r = rec(ev.pupil)
        runs_of[ev.pupil].add(run)
        r.first_at = min(r.first_at or ev.ts, ev.ts)
        r.last_at = max(r.last_at or ev.ts, ev.ts)
        if ev.kind == "contribution":
            r.contributions += 1
            kind = made_kind(ev.data)
            if kind:
                r.made[kind] += 1
        elif ev.kind == "help":
            r.help_given += 1
        elif ev.kind == "compliment":
            r.compliments_given += 1
        role = ev.data.get("role")
        if ev.kind in _ROLE_KINDS and isinstance(role, str) and role:
            r.roles.add(role)
    for line in participation(evs):
        if line.pupil in out:
            out[line.pupil].active_s += line.active_s
    for pupil, runs in runs_of.items():
        # A lesson run counts once it ended with the pupil in it; activity-only runs (no
        # lesson events at all) count when the pupil took part.
        out[pupil].lessons = {r for r in runs if r in ended or r not in has_lesson}
    return out


def earns(badge: BadgeDef, record: Record) -> bool:
    """Whether the pupil's own record meets every minimum of ``badge`` (never by hand)."""
    if badge.criteria.by_hand:
        return False
    return all(record.value(k) >= v for k, v in badge.criteria.minimums().items())
