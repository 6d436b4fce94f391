"""One activity on one screen: the lobby, seats, late joiners, reconnects, and the teacher's
pause, lock and end. Pure logic: no pygame until :meth:`Session.draw`, no network at all."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from kit.activities.base import Activity, Context
from kit.activities.catalog import ActivityParams
from kit.activities.i18n import Words
from kit.activities.recording import Recorder
from kit.activities.seats import Seat, SeatMap
from kit.protocol.inputs import Input

if TYPE_CHECKING:
    import pygame

    from kit.activities.ui import Ui

log = logging.getLogger(__name__)

Phase = Literal["lobby", "playing", "ended"]
COMMANDS = ("start", "pause", "resume", "lock", "unlock", "end")


class Session:
    def __init__(self, activity_cls: type[Activity], params: ActivityParams, *,
                 recorder: Recorder, words: Words | None = None, capacity: int = 32,
                 team: str = "class", grace_seconds: float = 60.0) -> None:
        self.seats = SeatMap(capacity=capacity, team=team, grace_seconds=grace_seconds)
        self.ctx = Context(self.seats, recorder, words or Words("en"))
        self.activity = activity_cls(params, self.ctx)
        self.phase: Phase = "lobby"
        self.paused = False
        self.locked = False
        self.now = 0.0  # seconds since the session began, from update(dt)
        self.refused = 0  # joins refused (locked or full)
        self._ui: Ui | None = None

    @property
    def words(self) -> Words:
        return self.ctx.words

    # Input --------------------------------------------------------------------------------

    def handle(self, inp: Input) -> Seat | None:
        """One kit input event: seat a newcomer, welcome back a returning controller, or pass
        a press on to the activity. Returns the seat it came from, if any."""
        seat = self.seats.get(inp.controller)
        if seat is None:
            return self._join(inp)
        if inp.pupil is not None and inp.pupil != seat.pupil:
            seat.pupil = inp.pupil  # the gateway paired this controller to a pupil
        if seat.state != "active":
            self.seats.back(seat)
            self.ctx.rec("join", seat, {"seat": seat.number, "reconnect": True})
            self.activity.on_back(seat)
        if inp.gesture in ("pair", "hello") or self.phase != "playing" or self.paused:
            return seat
        if inp.gesture in ("logo", "shake"):
            self._cheer(seat, "compliment" if inp.gesture == "logo" else "help")
        elif seat.playing:
            self.activity.on_input(seat, inp)
        return seat

    def _cheer(self, seat: Seat, kind: str) -> None:
        for target in self.activity.focus():
            if target is not seat:
                self.ctx.rec(kind, seat, {"target": target.pupil})

    def _join(self, inp: Input) -> Seat | None:
        if self.locked or self.phase == "ended":
            self.refused += 1
            return None
        seat = self.seats.take(inp.controller, inp.pupil)
        if seat is None:
            self.refused += 1
            return None
        data: dict[str, object] = {"seat": seat.number}
        if self.phase == "playing":
            policy = self.activity.late_join
            data["late"] = policy
            seat.waiting = policy == "next-round"
            seat.audience = policy == "audience"
        self.ctx.rec("join", seat, data)
        if self.phase == "playing" and seat.playing:
            self.activity.on_join(seat)
        return seat

    def disconnect(self, controller: str) -> None:
        """A controller went silent (the gateway says so, or the simulator unplugs it)."""
        seat = self.seats.get(controller)
        if seat is not None and seat.state == "active":
            self.seats.lose(seat, self.now)
            self.activity.on_lost(seat)

    # Teacher ------------------------------------------------------------------------------

    def command(self, name: str) -> None:
        if name == "start" and self.phase == "lobby":
            self.phase = "playing"
            self.activity.start()
        elif name == "pause":
            self.paused = True
        elif name == "resume":
            self.paused = False
        elif name == "lock":
            self.locked = True
        elif name == "unlock":
            self.locked = False
        elif name == "end" and self.phase != "ended":
            self._end()
        else:
            log.info("command %r does nothing now (phase %s)", name, self.phase)

    def _end(self) -> None:
        self.phase = "ended"
        self.paused = False
        for s in self.seats.seats:
            if s.state != "away":
                self.ctx.rec("leave", s, {"reason": "ended"})

    # Time ---------------------------------------------------------------------------------

    def update(self, dt: float) -> None:
        if self.paused:
            return
        self.now += dt
        for s in self.seats.expire(self.now):
            self.ctx.rec("leave", s, {"reason": "connection"})
        if self.phase == "playing":
            self.activity.update(dt)
            if self.activity.finished:
                self._end()

    # Drawing ------------------------------------------------------------------------------

    def draw(self, surface: pygame.Surface) -> None:
        from kit.activities import screens
        from kit.activities.ui import Ui

        if self._ui is None or self._ui.size != surface.get_size():
            self._ui = Ui(surface.get_size(), self.words)
        screens.draw(self, surface, self._ui)

    def summary(self) -> dict[str, object]:
        """What the teacher's console may show (no pupil data)."""
        return {"activity": self.activity.name, "phase": self.phase, "paused": self.paused,
                "locked": self.locked, "seats": len(self.seats),
                "present": sum(1 for s in self.seats.seats if s.present)}

    def __repr__(self) -> str:
        return (f"<Session {self.activity.name} {self.phase}{' paused' if self.paused else ''}"
                f" seats={len(self.seats)}{' locked' if self.locked else ''}>")
