"""One activity on one screen: the lobby, seats, late joiners, reconnects, and the teacher's
pause, lock and end. Pure logic: no pygame until :meth:`Session.draw`, no network at all.

What the rest of kit uses: :meth:`Session.handle`, :meth:`Session.disconnect`,
:meth:`Session.command`, :meth:`Session.update`, :meth:`Session.draw`, :meth:`Session.summary`,
:meth:`Session.seat_table` and :meth:`Session.drain_news` (seat numbers and refusals to send to
controllers).

Teacher safety: ``start`` with nobody seated waits for the first pupil; a controller that
cannot sit (the screen is full, joining is closed, the game is over) is told why on screen and
in the news for its controller; the Esc key asks (``ask-end``) and ends only when pressed again
(the ``end`` command from the lesson ends at once); cheers show on screen.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kit.activities.base import Activity, Context
from kit.activities.catalog import ActivityParams
from kit.activities.i18n import Words
from kit.activities.recording import Recorder
from kit.activities.seats import Seat, SeatMap
from kit.activities.sound import Sound
from kit.protocol.inputs import Input

if TYPE_CHECKING:
    import pygame

    from kit.activities.ui import Ui

log = logging.getLogger(__name__)

Phase = Literal["lobby", "playing", "ended"]
COMMANDS = ("start", "pause", "resume", "lock", "unlock", "end", "ask-end", "cancel")
Refusal = Literal["full", "locked", "ended"]
CONFIRM_SECONDS = 10.0  # an unanswered "end the game?" goes away after this
NOTICE_SECONDS = 8.0  # a refusal stays on screen this long
CHEER_SECONDS = 4.0  # a cheer stays on screen this long


@dataclass(frozen=True, slots=True)
class SeatNews:
    """Something to tell one controller: its seat number (and role), or why it has none."""

    controller: str
    seat: int | None
    role: str | None = None
    refused: Refusal | None = None


@dataclass(frozen=True, slots=True)
class SeatRow:
    controller: str
    number: int
    pupil: str
    team: str
    role: str | None
    state: str


@dataclass(slots=True)
class Notice:
    controller: str
    reason: Refusal
    until: float


@dataclass(slots=True)
class Cheer:
    seat: Seat
    kind: str  # compliment, help
    until: float


class Session:
    def __init__(self, activity_cls: type[Activity], params: ActivityParams, *,
                 recorder: Recorder, words: Words | None = None, capacity: int = 32,
                 team: str = "class", grace_seconds: float = 60.0,
                 sound: Sound | None = None) -> None:
        self.seats = SeatMap(capacity=capacity, team=team, grace_seconds=grace_seconds)
        self.ctx = Context(self.seats, recorder, words or Words("en"))
        if sound is not None:
            self.ctx.sound = sound
        self.activity = activity_cls(params, self.ctx)
        self.phase: Phase = "lobby"
        self.paused = False
        self.locked = False
        self.now = 0.0  # seconds since the session began, from update(dt)
        self.played = 0.0  # seconds of play (not paused)
        self.refused = 0  # joins refused (locked, full or over)
        self.start_pending = False  # the teacher pressed start before anyone sat down
        self.confirming_end: float | None = None  # until when "end the game?" is asked
        self.ended_by: str | None = None  # done, teacher, time
        self.notices: deque[Notice] = deque(maxlen=6)
        self.cheers: deque[Cheer] = deque(maxlen=12)
        self.news: deque[SeatNews] = deque(maxlen=1000)
        self._refused: set[str] = set()
        self._roles: dict[str, str | None] = {}
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
            self.news.append(SeatNews(seat.controller, seat.number, seat.role))
            self.activity.on_back(seat)
            if self.start_pending:
                self._start()
        if inp.gesture in ("pair", "hello") or self.phase != "playing" or self.paused:
            return seat
        if inp.gesture in ("logo", "shake"):
            self._cheer(seat, "compliment" if inp.gesture == "logo" else "help")
        elif seat.playing:
            self.activity.on_input(seat, inp)
            self._announce_roles()
        return seat

    def _cheer(self, seat: Seat, kind: str) -> None:
        for target in self.activity.focus(seat):
            if target is not seat:
                self.ctx.rec(kind, seat, {"target": target.pupil})
        self.cheers.append(Cheer(seat, kind, self.now + CHEER_SECONDS))

    def _join(self, inp: Input) -> Seat | None:
        reason: Refusal | None = "ended" if self.phase == "ended" else \
            "locked" if self.locked else None
        seat = None if reason else self.seats.take(inp.controller, inp.pupil)
        if seat is None:
            self._refuse(inp.controller, reason or "full")
            return None
        data: dict[str, object] = {"seat": seat.number}
        if self.phase == "playing":
            policy = self.activity.late_join
            data["late"] = policy
            seat.waiting = policy == "next-round"
            seat.audience = policy == "audience"
        self.ctx.rec("join", seat, data)
        self.news.append(SeatNews(seat.controller, seat.number))
        if self.phase == "playing" and seat.playing:
            self.activity.on_join(seat)
            self._announce_roles()
        elif self.start_pending:
            self._start()
        return seat

    def _refuse(self, controller: str, reason: Refusal) -> None:
        """Tell a controller that cannot sit why, once per controller and reason."""
        if controller not in self._refused:
            self._refused.add(controller)
            self.refused += 1
        self.news.append(SeatNews(controller, None, refused=reason))
        for n in self.notices:
            if n.controller == controller:
                n.reason, n.until = reason, self.now + NOTICE_SECONDS
                return
        self.notices.append(Notice(controller, reason, self.now + NOTICE_SECONDS))
        log.info("controller %s cannot sit: %s", controller, reason)

    def disconnect(self, controller: str) -> None:
        """A controller went silent (the gateway says so, or the simulator unplugs it)."""
        seat = self.seats.get(controller)
        if seat is not None and seat.state == "active":
            self.seats.lose(seat, self.now)
            self.activity.on_lost(seat)
            self._announce_roles()

    # Teacher ------------------------------------------------------------------------------

    def command(self, name: str) -> None:
        if name != "ask-end":
            self.confirming_end = None
        if name == "start" and self.phase == "lobby":
            if any(s.present for s in self.seats.seats):
                self._start()
            else:
                self.start_pending = True  # starts when the first pupil sits down
        elif name == "pause":
            self.paused = True
        elif name == "resume":
            self.paused = False
        elif name == "lock":
            self.locked = True
        elif name == "unlock":
            self.locked = False
        elif name == "ask-end" and self.phase != "ended":
            if self.confirming_end is not None:
                self._end("teacher")
            else:
                self.confirming_end = self.now + CONFIRM_SECONDS
        elif name == "end" and self.phase != "ended":
            self._end("teacher")
        elif name == "cancel":
            self.start_pending = False
        else:
            log.info("command %r does nothing now (phase %s)", name, self.phase)

    def _start(self) -> None:
        self.start_pending = False
        self.phase = "playing"
        self.activity.start()
        self._announce_roles()

    def _end(self, by: str) -> None:
        self.phase = "ended"
        self.ended_by = by
        self.paused = False
        self.confirming_end = None
        for s in self.seats.seats:
            if s.state != "away":
                self.ctx.rec("leave", s, {"reason": "ended"})

    def _announce_roles(self) -> None:
        """Queue news for every seat whose role changed since it was last told."""
        for s in self.seats.seats:
            if self._roles.get(s.controller, "?") != s.role:
                self._roles[s.controller] = s.role
                self.news.append(SeatNews(s.controller, s.number, s.role))

    # Time ---------------------------------------------------------------------------------

    def update(self, dt: float) -> None:
        if self.paused:
            return
        self.now += dt
        if self.confirming_end is not None and self.now >= self.confirming_end:
            self.confirming_end = None
        while self.notices and self.notices[0].until <= self.now:
            self.notices.popleft()
        while self.cheers and self.cheers[0].until <= self.now:
            self.cheers.popleft()
        for s in self.seats.expire(self.now):
            self.ctx.rec("leave", s, {"reason": "connection"})
        if self.phase == "playing":
            self.played += dt
            self.activity.update(dt)
            self._announce_roles()
            if self.activity.finished:
                self._end("done")
            elif self.played >= self.activity.time_box:
                self._end("time")
        elif self.phase == "ended":
            self.activity.update_end(dt)

    # Drawing ------------------------------------------------------------------------------

    def draw(self, surface: pygame.Surface) -> None:
        from kit.activities import screens
        from kit.activities.ui import Ui

        if self._ui is None or self._ui.size != surface.get_size():
            self._ui = Ui(surface.get_size(), self.words)
        screens.draw(self, surface, self._ui)

    @property
    def ui(self) -> Ui | None:
        """The drawing helper of the last :meth:`draw` (tests read its overflows)."""
        return self._ui

    # What others read ---------------------------------------------------------------------

    def seat_table(self) -> list[SeatRow]:
        """Every seat: controller, number, pseudonym, team, role and connection state."""
        return [SeatRow(s.controller, s.number, s.pupil, s.team, s.role, s.state)
                for s in self.seats.seats]

    def drain_news(self) -> list[SeatNews]:
        """Seat numbers, roles and refusals not yet sent to controllers, oldest first."""
        out = list(self.news)
        self.news.clear()
        return out

    def summary(self) -> dict[str, object]:
        """What the teacher's console and the lesson may show and record (no pupil data)."""
        return {"activity": self.activity.name, "phase": self.phase, "paused": self.paused,
                "locked": self.locked, "seats": len(self.seats),
                "present": sum(1 for s in self.seats.seats if s.present),
                "ended": self.phase == "ended",
                "outcome": {**self.activity.outcome(), "ended_by": self.ended_by,
                            "minutes": round(self.played / 60, 1)}}

    def __repr__(self) -> str:
        return (f"<Session {self.activity.name} {self.phase}{' paused' if self.paused else ''}"
                f" seats={len(self.seats)}{' locked' if self.locked else ''}>")
