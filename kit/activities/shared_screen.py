"""The shared screen of a lesson: it waits, shows the lesson's step, and runs whichever activity
the lesson starts on it (:mod:`kit.protocol.screen`), then says when that activity is done.

Everything arrives over the hub: controller input, the controllers' presence (so a pupil whose
micro:bit went quiet shows as "reconnecting" and gets the same seat back), teacher commands,
and the lesson's state. Pure wiring: the activity itself is a :class:`Session`, the frame loop
is the same as ``kit activity run``'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pygame

from kit.activities import catalog
from kit.activities.i18n import Words
from kit.activities.inputs import InputQueue, KeySets
from kit.activities.recording import StationRecorder
from kit.activities.session import Session
from kit.clock import Clock, SystemClock
from kit.protocol import topics
from kit.protocol.envelope import Rejected
from kit.protocol.inputs import Fresh, Input, decode_input
from kit.protocol.screen import ActivityStart, decode_activity_start

log = logging.getLogger(__name__)

#: Presence states of a controller that mean "gone quiet" (the gateway's ``left``, the
#: broker's last will ``lost``, a station's ``offline``).
GONE = frozenset({"left", "lost", "offline"})
#: How a session says it ended, in the words of the screen protocol's ``reason``.
_REASONS = {"done": "finished", "time": "time", "teacher": "teacher"}


class _Message(Protocol):
    @property
    def topic(self) -> Any: ...

    @property
    def payload(self) -> Any: ...


@dataclass
class ScreenOptions:
    room: str
    station: str = "screen"
    lang: str = "en"
    headless: bool = False
    size: tuple[int, int] | None = None  # None: full screen at the display's resolution
    screenshots: Path | None = None  # a PNG at each activity's end, and at exit
    seconds: float | None = None  # stop after this long (checks and rehearsals)
    fps: float = 30.0


class SharedScreen:
    """Run with :meth:`run` beside a :class:`kit.link.station.Station` of the screen."""

    def __init__(self, opts: ScreenOptions, station: Any, *, clock: Clock | None = None,
                 pace: Clock | None = None) -> None:
        self.opts = opts
        self.station = station
        #: the lesson's time (activities' timers run on it) ...
        self.clock: Clock = clock or SystemClock()
        #: ... and the display's: frames come at ``fps`` of real time, however fast the
        #: lesson's time runs in a rehearsal.
        self.pace: Clock = pace or SystemClock()
        self.queue = InputQueue()
        self.recorder = StationRecorder(station)
        self.session: Session | None = None
        self.current: ActivityStart | None = None
        self._live: tuple[str | None, str | None, str] | None = None  # started, not ended
        self.lesson: dict[str, Any] = {}
        self.pupils: dict[str, str] = {}  # controller -> pseudonym, as the lesson seated them
        self.gone: set[str] = set()  # controllers whose presence says they went quiet
        self.fresh = Fresh()
        self.inputs = 0  # distinct presses that reached this screen
        self.ended = 0  # activities run to their end here
        self._pending: ActivityStart | None = None
        self._end_reason: str | None = None
        self._elapsed = 0.0
        self._surface: pygame.Surface | None = None
        self._font: pygame.font.Font | None = None
        self.quit = False

    # Messages from the hub ----------------------------------------------------------------

    async def pump(self, messages: AsyncIterator[_Message]) -> None:
        async for m in messages:
            self.on_message(str(m.topic), m.payload if isinstance(m.payload, bytes)
                            else str(m.payload or "").encode())

    def on_message(self, topic: str, payload: bytes) -> None:
        parsed = topics.parse(topic)
        if parsed is None:
            return
        if parsed.kind == "input":
            try:
                inp = decode_input(payload)
            except Rejected as e:
                self.queue.rejected += 1
                log.info("ignored controller input: %s", e)
                return
            if not self.fresh(inp):
                return
            if inp.gesture not in ("hello", "pair"):
                self.inputs += 1
            self.gone.discard(inp.controller)
            pupil = inp.pupil or self.pupils.get(inp.controller)
            self.queue.put(Input(inp.controller, inp.seq, inp.gesture, inp.value, pupil, inp.ts))
        elif parsed.kind == "station-state" and parsed.station != self.opts.station:
            state = _field(payload, "state")
            if state in GONE and parsed.station is not None:
                self.gone.add(parsed.station)
                self.queue.lost.append(parsed.station)
            elif state is not None and parsed.station is not None:
                self.gone.discard(parsed.station)
        elif parsed.kind == "station-command" and parsed.station == self.opts.station:
            if parsed.command == "activity":
                try:
                    start = decode_activity_start(payload)
                except Rejected as e:
                    log.warning("ignored an activity command: %s", e)
                    return
                key = (start.run, start.step, start.name)
                if key == self._live:
                    # The lesson sends a step again when its link dropped before the broker
                    # acknowledged it (at least once): the pupils' activity goes on.
                    log.info("step %s came again; it is already on the screen", start.step)
                    return
                self._live = key
                self._pending = start
                # An "end" still waiting was for the activity this one replaces (starting
                # one ends the last); left queued, it would end the new one.
                self.queue.withdraw("end")
            elif parsed.command:
                if parsed.command == "end":
                    self._live = None
                self.queue.command(parsed.command)
        elif parsed.kind == "lesson-state":
            with contextlib.suppress(ValueError):
                state = json.loads(payload)
                if isinstance(state, dict):
                    self.lesson = state
                    for team in state.get("teams") or []:
                        for m in team.get("members") or []:
                            if isinstance(m, dict) and m.get("controller") and m.get("pupil"):
                                self.pupils[str(m["controller"])] = str(m["pupil"])

    # Activities ---------------------------------------------------------------------------

    def begin(self, start: ActivityStart) -> None:
        """Start ``start``'s activity now, with the lesson's seats in the lesson's order."""
        if self.session is not None and self.session.phase != "ended":
            self.finish("teacher")
        params = catalog.params_model(start.name)
        if params is None:
            catalog.activity_class(start.name)  # raises with a suggestion
            raise AssertionError
        cls = catalog.activity_class(start.name)
        self.recorder.run = start.run  # the screen's events belong to the lesson's run
        session = Session(cls, params(**start.params), recorder=self.recorder,
                          words=Words(start.lang or self.opts.lang))
        for seat in sorted(start.seats, key=lambda s: s.number):
            self.pupils[seat.controller] = seat.pupil
            session.handle(Input(seat.controller, 0, "pair", pupil=seat.pupil))
            if seat.controller in self.gone:
                session.disconnect(seat.controller)
        self.session, self.current = session, start
        self._end_reason, self._elapsed = None, 0.0
        self.recorder.record("activity", data={"action": "start", "name": start.name,
                                               "step": start.step,
                                               "seats": len(session.seats)})
        session.command("start")
        log.info("started %s for step %s with %d seats", start.name, start.step,
                 len(session.seats))

    def finish(self, reason: str) -> None:
        """End the running activity (if it has not ended by itself) and say so."""
        s, start = self.session, self.current
        if s is None or start is None:
            return
        if s.phase != "ended":
            s.command("end")
        outcome = _outcome(s)
        self.recorder.record("activity", data={
            "action": "end", "name": start.name, "step": start.step, "reason": reason,
            "outcome": outcome})
        self.current = None
        if self._live == (start.run, start.step, start.name):
            self._live = None
        self.ended += 1
        log.info("%s ended (%s): %s", start.name, reason, outcome)
        if self.opts.screenshots is not None and self._surface is not None:
            self.screenshot(self.opts.screenshots / f"{start.step}-{start.name}.png")

    # The frame loop -----------------------------------------------------------------------

    def frame(self, dt: float) -> None:
        if self._pending is not None:
            start, self._pending = self._pending, None
            try:
                self.begin(start)
            except Exception as e:  # a bad activity must not take the screen down
                log.error("could not start activity %r: %s", start.name, e)
        s = self.session
        while self.queue.commands:
            name = self.queue.commands.popleft()
            if s is None:
                continue
            if name == "end" and self.current is not None:
                self.finish("teacher")
            else:
                s.command(name)
        while self.queue.lost:
            controller = self.queue.lost.popleft()
            if s is not None:
                s.disconnect(controller)
        for inp in self.queue.drain():
            if s is not None:
                s.handle(inp)
        if s is not None:
            # Seat numbers reach controllers from the lesson, which seated the class; the
            # screen shows refusals itself.
            s.drain_news()
            was = s.phase
            s.update(dt)
            if not s.paused:
                self._elapsed += dt
            if self.current is not None:
                if s.phase == "ended" and was != "ended":
                    self.finish(_REASONS.get(s.ended_by or "", "finished"))
                elif (self.current.seconds is not None
                      and self._elapsed >= self.current.seconds):
                    self.finish("time")
        if self._surface is not None:
            if s is not None:
                s.draw(self._surface)
            else:
                self._draw_waiting(self._surface)

    def summary(self) -> dict[str, Any]:
        """The screen's retained presence: what it is doing, and no pupil data."""
        s = self.session
        out: dict[str, Any] = {"inputs": self.inputs, "activities_ended": self.ended,
                               "recorded": self.recorder.recorded,
                               "activity": None, "phase": "waiting"}
        if s is not None:
            seats = s.seats.seats
            out.update(activity=s.activity.name, phase=s.phase, paused=s.paused,
                       seats=len(seats), present=sum(1 for x in seats if x.present),
                       reconnecting=sum(1 for x in seats if x.state == "reconnecting"),
                       step=self.current.step if self.current else None)
        return out

    def _draw_waiting(self, surface: pygame.Surface) -> None:
        from kit.activities.ui import FONT, INK, PAPER

        surface.fill(PAPER)
        if self._font is None:
            self._font = pygame.font.Font(FONT, max(24, surface.get_height() // 14))
        step = self.lesson.get("step") or {}
        title = self.lesson.get("title") or {}
        lang = self.opts.lang
        lines = [_text(title, lang) or "kit"]
        for key in ("title", "text", "question", "prompt"):
            text = _text(step.get(key), lang)
            if text:
                lines.append(text)
        y = surface.get_height() // 5
        for line in lines[:4]:
            for part in _wrap(line, self._font, int(surface.get_width() * 0.9)):
                img = self._font.render(part, True, INK)
                surface.blit(img, img.get_rect(midtop=(surface.get_width() // 2, y)))
                y += int(img.get_height() * 1.25)

    def screenshot(self, path: Path) -> Path:
        assert self._surface is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self._surface, str(path))
        return path

    async def run(self) -> None:
        from kit.activities.runner import init_display

        self._surface = init_display(self.opts.size, headless=self.opts.headless,
                                     window=self.opts.size is not None)
        keys = KeySets()
        period = 1.0 / self.opts.fps
        start = last = self.clock.monotonic()
        published: dict[str, Any] | None = None
        last_publish = -1.0
        try:
            while not self.quit:
                began = self.pace.monotonic()
                now = self.clock.monotonic()
                if not self.opts.headless:
                    self._pump_pygame(keys)
                self.frame(max(0.0, now - last))
                last = now
                if not self.opts.headless:
                    pygame.display.flip()
                summary = self.summary()
                if summary != published and began - last_publish >= 0.25:
                    await self.station.set_presence(self.opts.station, "online", **summary)
                    published, last_publish = summary, began
                if self.opts.seconds is not None and now - start >= self.opts.seconds:
                    break
                await self.pace.sleep(max(0.0, period - (self.pace.monotonic() - began)))
        finally:
            if self.current is not None:
                self.finish("teacher")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.station.set_presence(
                    self.opts.station, "online", **self.summary()), 5)
            if self.opts.screenshots is not None:
                self.screenshot(self.opts.screenshots / "last.png")

    def _pump_pygame(self, keys: KeySets) -> None:
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT:
                self.quit = True
            elif ev.type == pygame.VIDEORESIZE:
                self._surface = pygame.display.get_surface() or self._surface
            elif ev.type == pygame.KEYDOWN:
                got = keys.press(pygame.key.name(ev.key))
                if isinstance(got, str):
                    self.queue.command(got)
                elif got is not None:
                    self.queue.put(got)
            elif ev.type == pygame.KEYUP:
                keys.release(pygame.key.name(ev.key))


def _outcome(session: Session) -> dict[str, Any]:
    """What the class made, in numbers the lesson can record (no pupil data)."""
    outcome = session.summary().get("outcome")
    out: dict[str, Any] = dict(outcome) if isinstance(outcome, dict) else {}
    out["seats"] = len(session.seats)
    return out


def _field(payload: bytes, key: str) -> str | None:
    try:
        obj = json.loads(payload)
    except ValueError:
        return None
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


def _text(value: Any, lang: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return ""


def _wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and font.size(trial)[0] > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines

