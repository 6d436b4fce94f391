"""Who is in the lesson: controllers become seats (pseudonym, team, number), teams hold roles.

A controller that says hello again (after a flat battery or a walk out of radio range) gets its
old seat back: the same pseudonym, team and role.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from kit.lesson.schema import Teams

TEAM_NAMES = ("orange", "sky", "green", "yellow", "blue", "vermilion", "purple", "grey")


@dataclass
class Seat:
    controller: str
    pupil: str
    team: str
    number: int = 0  # 1-based, in the order pupils joined; shown on the controller


@dataclass
class Team:
    id: str
    members: list[Seat] = field(default_factory=list)
    rotation: int = 0  # how far the roles have turned

    def role_of(self, seat: Seat, roles: list[str]) -> str:
        i = self.members.index(seat)
        return roles[(i + self.rotation) % len(roles)]


class Roster:
    def __init__(self, teams: Teams, *, pseudonym: Callable[[], str],
                 rng: random.Random | None = None) -> None:
        self.spec = teams
        self.roles = [r.id for r in teams.roles]
        self.seats: dict[str, Seat] = {}
        self.teams: dict[str, Team] = {}
        self.locked = False
        self._pseudonym = pseudonym
        self._rng = rng or random.Random(0)
        #: pseudonyms a teacher gave controllers before class (the hub's roster)
        self.known: dict[str, str] = {}

    def join(self, controller: str) -> tuple[Seat | None, bool]:
        """The controller's seat and whether it is new; ``(None, False)`` if joining is
        locked and the controller is not known."""
        if controller in self.seats:
            return self.seats[controller], False
        if self.locked:
            return None, False
        team = self._team_for_newcomer()
        taken = {s.pupil for s in self.seats.values()}
        pupil = self.known.get(controller, "")
        while not pupil or pupil in taken:
            pupil = self._pseudonym()
        seat = Seat(controller, pupil, team.id, number=len(self.seats) + 1)
        team.members.append(seat)
        self.seats[controller] = seat
        return seat, True

    def _team_for_newcomer(self) -> Team:
        open_teams = [t for t in self.teams.values() if len(t.members) < self.spec.size]
        if not open_teams:
            tid = TEAM_NAMES[len(self.teams) % len(TEAM_NAMES)]
            if tid in self.teams:
                tid = f"{tid}-{len(self.teams) // len(TEAM_NAMES) + 1}"
            self.teams[tid] = Team(tid)
            return self.teams[tid]
        if self.spec.grouping == "random":
            return self._rng.choice(open_teams)
        return min(open_teams, key=lambda t: len(t.members))  # mixed / teacher: fill evenly

    def role(self, seat: Seat) -> str:
        return self.teams[seat.team].role_of(seat, self.roles)

    def rotate(self) -> None:
        for t in self.teams.values():
            t.rotation += 1

    @property
    def pupils(self) -> list[Seat]:
        return list(self.seats.values())
