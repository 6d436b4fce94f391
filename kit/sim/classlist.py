"""A pretend class: pseudonyms, first names, teams and a habit for each pupil, the same every
time for the same seed."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from kit.sim.habits import HABITS, Habit

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
FIRST_NAMES = ("Ada", "Bruno", "Chiara", "Dovydas", "Elena", "Filip", "Greta", "Hugo", "Ilze",
               "Jonas", "Kasia", "Luca", "Marta", "Nikola", "Olga", "Pablo", "Rasa", "Sofia",
               "Tomas", "Uma", "Vita", "Wiktor", "Yana", "Zofia", "Aleks", "Bea", "Cyril",
               "Dora", "Emil", "Fiona", "Gabi", "Hana")
TEAM_COLOURS = ("orange", "sky", "green", "yellow", "blue", "vermilion", "purple", "grey")


def pseudonym(rng: random.Random | None = None) -> str:
    """A fresh pupil pseudonym such as ``p-k3v9qa``: no name, no birthday, nothing to guess."""
    pick = rng.choice if rng else secrets.choice
    return "p-" + "".join(pick(_ALPHABET) for _ in range(6))


@dataclass(frozen=True, slots=True)
class SimPupil:
    pseudonym: str
    name: str
    team: str
    habit: Habit


def class_list(teams: int = 6, team_size: int = 4, *, seed: int = 7) -> list[SimPupil]:
    """``teams`` × ``team_size`` pupils. Every team has one eager pupil and one helper; shy
    pupils are spread over the teams; exactly one pupil in the class is drifting away (the
    second pupil of the second team, or of the first when there is one team)."""
    rng = random.Random(seed)
    names = list(FIRST_NAMES)
    rng.shuffle(names)
    pattern = ("eager", "helper", "steady", "shy")
    drifting_team = 1 if teams > 1 else 0
    pupils = []
    for t in range(teams):
        colour = TEAM_COLOURS[t % len(TEAM_COLOURS)]
        for i in range(team_size):
            habit = pattern[(i + t) % len(pattern)]
            if t == drifting_team and i == 1:
                habit = "drifting"
            n = t * team_size + i
            name = names[n % len(names)] + ("" if n < len(names) else f" {n // len(names) + 1}")
            pupils.append(SimPupil(pseudonym(rng), name, colour, HABITS[habit]))
    return pupils
