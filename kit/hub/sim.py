"""Simulated stations: teams of pretend pupils taking turns, helping and passing, so a teacher
can rehearse and the hub can be tested and measured with real MQTT traffic."""

from __future__ import annotations

import asyncio
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from kit.clock import SystemClock
from kit.config import BrokerAddress, station_address
from kit.link.station import Station

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
FIRST_NAMES = ("Ada", "Bruno", "Chiara", "Dovydas", "Elena", "Filip", "Greta", "Hugo", "Ilze",
               "Jonas", "Kasia", "Luca", "Marta", "Nikola", "Olga", "Pablo", "Rasa", "Sofia",
               "Tomas", "Uma", "Vita", "Wiktor", "Yana", "Zofia")
TEAM_COLOURS = ("orange", "sky", "green", "yellow", "blue", "vermilion", "purple", "grey")


def pseudonym(rng: random.Random | None = None) -> str:
    """A fresh pupil pseudonym such as ``p-k3v9qa``: no name, no birthday, nothing to guess."""
    pick = rng.choice if rng else secrets.choice
    return "p-" + "".join(pick(_ALPHABET) for _ in range(6))


class VirtualTime(SystemClock):
    """Real sleeping, but ``now()`` is whatever time the simulation says it is."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


@dataclass
class SimTeam:
    station: str
    team: str
    pupils: list[str]
    names: dict[str, str] = field(default_factory=dict)


def make_teams(n_teams: int, size: int, seed: int = 7) -> list[SimTeam]:
    rng = random.Random(seed)
    names = list(FIRST_NAMES)
    rng.shuffle(names)
    teams = []
    for i in range(n_teams):
        pupils = [pseudonym(rng) for _ in range(size)]
        teams.append(SimTeam(
            station=f"station-{i + 1}", team=TEAM_COLOURS[i % len(TEAM_COLOURS)],
            pupils=pupils,
            names={p: names[(i * size + j) % len(names)] for j, p in enumerate(pupils)}))
    return teams


async def play_lesson(
    address: BrokerAddress,
    *,
    room: str,
    run: str,
    teams: list[SimTeam],
    start: datetime,
    minutes: int = 45,
    seed: int = 7,
    outbox_dir: Path | None = None,
) -> int:
    """Every team plays a round-robin activity for ``minutes`` of virtual time; one quiet
    pupil in some teams passes more often (the kind of pupil the report helps a teacher see).
    Returns the number of events recorded (all of them acknowledged by the broker)."""
    rng = random.Random(seed)
    clock = VirtualTime(start)
    total = 0
    stations = [
        Station(station_address(address, role="station", station=t.station, room=room),
                room=room, station=t.station, run=run, clock=clock,
                outbox=(outbox_dir / f"{t.station}.db") if outbox_dir else None)
        for t in teams
    ]
    for st in stations:
        await st.__aenter__()
    try:
        for team, st in zip(teams, stations, strict=True):
            for p in team.pupils:
                await st.record("join", pupil=p, team=team.team)
                total += 1
        for minute in range(minutes):
            for team, st in zip(teams, stations, strict=True):
                clock.current = start + timedelta(minutes=minute, seconds=rng.randint(0, 50))
                quiet = team.pupils[-1] if int(team.station.rsplit("-", 1)[-1]) % 3 == 0 else None
                turn = team.pupils[minute % len(team.pupils)]
                await st.record("turn-start", pupil=turn, team=team.team)
                if turn == quiet and rng.random() < 0.7:
                    await st.record("pass", pupil=turn, team=team.team)
                else:
                    await st.record("contribution", pupil=turn, team=team.team,
                                    data={"pixels": rng.randint(1, 6)})
                await st.record("turn-end", pupil=turn, team=team.team)
                total += 3
                if rng.random() < 0.3:
                    helper, target = rng.sample(team.pupils, 2)
                    kind = "help" if rng.random() < 0.5 else "compliment"
                    await st.record(kind, pupil=helper, team=team.team, data={"target": target})
                    total += 1
        await asyncio.gather(*(st.flushed() for st in stations))
    finally:
        for st in stations:
            await st.close()
    return total
