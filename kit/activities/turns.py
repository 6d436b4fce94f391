"""Round-robin turns over the present players, with a turn timer. A pupil whose controller is
reconnecting is skipped without a timeout: the absence is not held against them."""

from __future__ import annotations

from kit.activities.base import Context
from kit.activities.seats import Seat


class Turns:
    def __init__(self, ctx: Context, seconds: float) -> None:
        self.ctx = ctx
        self.seconds = seconds
        self.order: list[Seat] = []
        self.index = -1
        self.round = 0
        self.left = seconds
        self.current: Seat | None = None

    def begin(self) -> None:
        self.round = 1
        self.ctx.admit_waiting()
        self.order = self.ctx.seats.players()
        self.index = -1
        self.next()

    def next(self) -> Seat | None:
        """The next present player's turn; ``None`` when the round is over and none is left.
        ``round`` goes up each time the order wraps."""
        for _ in range(len(self.order) + 1):
            self.index += 1
            if self.index >= len(self.order):
                self.round += 1
                self.ctx.admit_waiting()
                self.order = self.ctx.seats.players()
                self.index = 0
                if not self.order:
                    break
            seat = self.order[self.index]
            if seat.present:
                self.current = seat
                self.left = self.seconds
                self.ctx.rec("turn-start", seat, {"round": self.round})
                return seat
        self.current = None
        return None

    def end(self, reason: str, **data: object) -> None:
        if self.current is not None:
            self.ctx.rec("turn-end", self.current, {"reason": reason, **data})
        self.current = None

    def tick(self, dt: float) -> bool:
        """Count down the turn; True when it just ran out."""
        if self.current is None:
            return False
        self.left -= dt
        return self.left <= 0

    def upcoming(self, k: int) -> list[Seat]:
        if not self.order:
            return []
        out = []
        for j in range(1, len(self.order) + 1):
            s = self.order[(self.index + j) % len(self.order)]
            if s is not self.current and s.present and s not in out:
                out.append(s)
            if len(out) == k:
                break
        return out
