"""Seats: where a controller sits. Each seat has a colour, a shape and a number (never colour
alone), a team and a role. A controller that comes back always gets its own seat back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Okabe-Ito: distinguishable with the common colour-vision differences.
OKABE_ITO: tuple[tuple[int, int, int], ...] = (
    (230, 159, 0),    # orange
    (86, 180, 233),   # sky blue
    (0, 158, 115),    # bluish green
    (240, 228, 66),   # yellow
    (0, 114, 178),    # blue
    (213, 94, 0),     # vermilion
    (204, 121, 167),  # reddish purple
    (0, 0, 0),        # black
)
SHAPES = ("circle", "square", "triangle", "diamond", "star", "hexagon")

SeatState = Literal["active", "reconnecting", "away"]
LateJoin = Literal["now", "next-round", "audience"]


@dataclass(eq=False)
class Seat:
    number: int  # 1-based, shown on screen
    controller: str
    pupil: str  # pseudonym; never a name
    team: str
    colour: tuple[int, int, int]
    shape: str
    state: SeatState = "active"
    role: str | None = None
    waiting: bool = False  # joined late; plays from the next round
    audience: bool = False  # joined late; cheers and helps but does not take turns
    lost_at: float | None = None  # when the controller went silent (grace timer)

    @property
    def present(self) -> bool:
        return self.state == "active"

    @property
    def playing(self) -> bool:
        """Takes part in the game now (not waiting, not audience)."""
        return not self.waiting and not self.audience


@dataclass
class SeatMap:
    """Seats in the order pupils took them; at most ``capacity``."""

    capacity: int = 32
    team: str = "class"
    grace_seconds: float = 60.0
    seats: list[Seat] = field(default_factory=list)
    by_controller: dict[str, Seat] = field(default_factory=dict)

    def look(self, number: int) -> tuple[tuple[int, int, int], str]:
        i = number - 1
        return OKABE_ITO[i % len(OKABE_ITO)], SHAPES[i % len(SHAPES)]

    def get(self, controller: str) -> Seat | None:
        return self.by_controller.get(controller)

    def take(self, controller: str, pupil: str | None) -> Seat | None:
        """A seat for a new controller, or ``None`` if the room is full."""
        if len(self.seats) >= self.capacity:
            return None
        number = len(self.seats) + 1
        colour, shape = self.look(number)
        seat = Seat(number, controller, pupil or controller, self.team, colour, shape)
        self.seats.append(seat)
        self.by_controller[controller] = seat
        return seat

    def lose(self, seat: Seat, now: float) -> None:
        if seat.state == "active":
            seat.state = "reconnecting"
            seat.lost_at = now

    def back(self, seat: Seat) -> None:
        seat.state = "active"
        seat.lost_at = None

    def expire(self, now: float) -> list[Seat]:
        """Seats whose grace time ran out now: they stay reserved, marked away."""
        gone = []
        for s in self.seats:
            if s.state == "reconnecting" and s.lost_at is not None \
                    and now - s.lost_at >= self.grace_seconds:
                s.state = "away"
                gone.append(s)
        return gone

    def players(self) -> list[Seat]:
        return [s for s in self.seats if s.playing]

    def present_players(self) -> list[Seat]:
        return [s for s in self.seats if s.playing and s.present]

    def __len__(self) -> int:
        return len(self.seats)
