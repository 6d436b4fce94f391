"""The lesson engine: a state machine over the lesson's steps, driven by an injected clock,
controller input and teacher commands (plain method calls; adapters bring them from MQTT and
the keyboard). It talks to robots only through :class:`kit.robot_api.Robot` and reports through
a :class:`Sink` (participation events and the retained lesson state).

It never dies quietly. Teacher commands are checked before anything is done (a refused one
leaves a ``notice`` for the teacher and changes nothing). Anything else that fails inside it (a
sink, a robot driver, input handling) stops every robot, sets the status to ``failed`` with the
reason in the state, and makes :meth:`Engine.run` raise :class:`LessonFailed`.

::

    engine = Engine(lesson, clock=clock, sink=sink, robots=SimRobots())
    async with asyncio.TaskGroup() as tg:
        tg.create_task(engine.run())
        tg.create_task(engine.feed(inputs))
        await engine.start()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import AsyncIterable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kit.clock import Clock
from kit.errors import KitError
from kit.lesson import schema
from kit.lesson.roster import Roster, Seat
from kit.protocol.inputs import Input
from kit.robot_api import Robot

log = logging.getLogger(__name__)

VOTE_GESTURES = {"A": 0, "B": 1, "AB": 2, "logo": 3}
COMMANDS = ("start", "pause", "resume", "skip", "back", "extend", "lock", "end")
MAX_EXTEND = 3600.0  # one command adds at most an hour


class LessonFailed(KitError, RuntimeError):
    """The engine met an error it cannot carry on from. Every robot was told to stop and the
    teacher's screen says so; ``reason`` is the error in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the lesson stopped because of an error: {reason}; every robot was "
                         "told to stop. Start the lesson again to carry on.")
        self.reason = reason


def parse_extend(arg: str) -> float:
    """Seconds to add for ``extend``: empty means a minute; ``ValueError`` in teacher words."""
    text = arg.strip().lower().removesuffix("s").strip()
    if not text:
        return 60.0
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"extend: '{arg.strip()[:20]}' is not a number of seconds; send e.g. "
                         "60") from None
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_EXTEND:
        raise ValueError(f"extend: '{arg.strip()[:20]}' is not between 1 and "
                         f"{MAX_EXTEND:.0f} seconds")
    return seconds


def parse_lock(arg: str, locked: bool) -> bool:
    """The joining lock a ``lock`` command asks for: no argument toggles it."""
    text = arg.strip().lower()
    if not text:
        return not locked
    if text in ("true", "1", "on", "lock", "locked", "yes"):
        return True
    if text in ("false", "0", "off", "open", "unlock", "unlocked", "no"):
        return False
    raise ValueError(f"lock: '{arg.strip()[:20]}' is not understood; send true, false or "
                     "nothing (to toggle)")


class _Failed(Exception):
    """Raised inside the run loop once :attr:`Engine.failure` is set."""


class Sink(Protocol):
    async def record(self, kind: str, *, pupil: str | None = None, team: str | None = None,
                     data: Mapping[str, Any] | None = None) -> None: ...

    async def publish_state(self, state: dict[str, Any]) -> None: ...


class Screen(Protocol):
    """The shared screen, as the lesson sees it: it runs an activity step's activity and
    tells the engine (:meth:`Engine.activity_done`) when that activity is over."""

    async def start(self, step: schema.ActivityStep, seats: list[Seat],
                    roles: Mapping[str, str], seconds: float | None) -> None:
        """Run ``step``'s activity for ``seats`` (``roles``: controller to role) within a time
        box of ``seconds``."""
        ...

    async def stop(self) -> None: ...

    async def seat(self, seat: Seat) -> None:
        """Show a pupil their seat number on their controller."""
        ...


@dataclass
class MemorySink:
    """Keeps what the engine reports, for tests and for printing."""

    events: list[tuple[str, str | None, str | None, dict[str, Any]]] = field(
        default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    on_event: Callable[[str, str | None, str | None, dict[str, Any]], None] | None = None

    async def record(self, kind: str, *, pupil: str | None = None, team: str | None = None,
                     data: Mapping[str, Any] | None = None) -> None:
        self.events.append((kind, pupil, team, dict(data or {})))
        if self.on_event:
            self.on_event(kind, pupil, team, dict(data or {}))

    async def publish_state(self, state: dict[str, Any]) -> None:
        self.states.append(state)

    def kinds(self) -> list[str]:
        return [k for k, *_ in self.events]


@dataclass
class _TeamStep:
    """One team's progress through the current step."""

    queue: list[str] = field(default_factory=list)  # pupils, in turn order
    turn: int = 0
    turn_elapsed: float = 0.0
    turn_open: bool = False
    passes: dict[str, int] = field(default_factory=dict)
    robot_at: tuple[int, int] = (0, 0)  # (repeat, command) reached
    robot_task: asyncio.Task[None] | None = None
    robot_lost: bool = False
    robot_done: bool = False


class Engine:
    def __init__(
        self,
        lesson: schema.Lesson,
        *,
        clock: Clock,
        sink: Sink,
        robots: Callable[[str], Robot | None] | None = None,
        screen: Screen | None = None,
        pseudonym: Callable[[], str] | None = None,
        rehearse: bool = False,
        tick: float = 1.0,
        seed: int = 0,
    ) -> None:
        if pseudonym is None:
            from kit.sim.classlist import pseudonym as make

            rng = random.Random(seed)
            pseudonym = lambda: make(rng)  # noqa: E731
        self.lesson = lesson
        self.clock = clock
        self.sink = sink
        self.robots = robots or (lambda team: None)
        self.screen = screen
        self.presses = 0  # presses recorded as ``input`` events
        self.rehearse = rehearse
        self.tick = tick
        self.roster = Roster(lesson.teams, pseudonym=pseudonym, rng=random.Random(seed))
        self.status = "waiting"  # waiting, running, paused, ended
        self.index = -1
        self.elapsed = 0.0  # in the current step, not counting pauses
        self.extra = 0.0  # seconds the teacher added to the current step
        self.ready: set[str] = set()
        self.votes: dict[str, int] = {}
        self.activity_finished = False
        self.teams: dict[str, _TeamStep] = {}
        self.messages: list[str] = []
        self.notice: str | None = None  # for the teacher: the last command refused, or a failure
        self.failure: BaseException | None = None
        self._started = asyncio.Event()
        self._jump: int | None = None
        self._ticks = 0

    # Teacher commands -----------------------------------------------------------------------

    async def start(self) -> None:
        if self.status == "waiting":
            self._started.set()

    async def pause_all(self) -> None:
        """Hands up: every robot stops now, activities freeze, pupils see a hands-up screen."""
        if self.status != "running":
            return
        self.status = "paused"
        for team in self.teams:
            await self._halt_robot(team)
        await self.sink.record("lesson", data={"action": "pause", "step": self._step_id()})
        await self._publish()

    async def resume(self) -> None:
        if self.status != "paused":
            return
        self.status = "running"
        await self.sink.record("lesson", data={"action": "resume", "step": self._step_id()})
        if isinstance(self.step, schema.RobotStep):
            for team in self.teams:
                self._start_robot(team)
        await self._publish()

    async def skip(self) -> None:
        if self.status in ("running", "paused"):
            self._jump = self.index + 1

    async def back(self) -> None:
        if self.status in ("running", "paused"):
            self._jump = max(0, self.index - 1)

    async def extend(self, seconds: float = 60.0) -> None:
        if not (math.isfinite(seconds) and 0 < seconds <= MAX_EXTEND):
            raise ValueError(f"extend: {seconds} is not between 1 and {MAX_EXTEND:.0f} seconds")
        if self.status in ("running", "paused"):
            self.extra += seconds
            await self.sink.record("lesson", data={"action": "extend", "step": self._step_id(),
                                                   "seconds": seconds})
            await self._publish()

    async def lock(self, locked: bool = True) -> None:
        self.roster.locked = locked
        await self._publish()

    async def end(self) -> None:
        if self.status == "waiting":
            self._started.set()
        self._jump = len(self.lesson.steps)

    def activity_done(self) -> None:
        self.activity_finished = True

    async def command(self, name: str, arg: str = "") -> bool:
        """A teacher command by name (from MQTT or the keyboard).

        True if it was carried out. A command that is unknown or whose argument is wrong is
        refused: False, and :attr:`notice` says why (the teacher's screen shows it). No command
        can stop the engine: an error inside one fails the lesson the way :meth:`run` does
        (robots stopped, the teacher told)."""
        try:
            if name not in COMMANDS:
                raise ValueError(f"'{name[:20]}' is not a lesson command; use one of: "
                                 f"{', '.join(COMMANDS)}")
            match name:
                case "extend":
                    seconds = parse_extend(arg)
                case "lock":
                    locked = parse_lock(arg, self.roster.locked)
        except ValueError as e:
            log.warning("teacher command refused: %s", e)
            self.notice = str(e)
            with contextlib.suppress(Exception):
                await self._publish()
            return False
        self.notice = None
        try:
            match name:
                case "start":
                    await self.start()
                case "pause":
                    await self.pause_all()
                case "resume":
                    await self.resume()
                case "skip":
                    await self.skip()
                case "back":
                    await self.back()
                case "extend":
                    await self.extend(seconds)
                case "lock":
                    await self.lock(locked)
                case "end":
                    await self.end()
        except Exception as e:
            log.exception("teacher command %r failed", name)
            self._fail(e)
            return False
        return True

    def _fail(self, error: BaseException) -> None:
        """Something inside the engine broke: :meth:`run` stops the robots and reports it."""
        if self.failure is None:
            self.failure = error
        self._started.set()

    # The run --------------------------------------------------------------------------------

    @property
    def step(self) -> schema.StepBase | None:
        if 0 <= self.index < len(self.lesson.steps):
            return self.lesson.steps[self.index]
        return None

    def _step_id(self) -> str | None:
        return self.step.id if self.step else None

    async def run(self) -> None:
        """Run the lesson to its end. Raises :class:`LessonFailed` if anything in the engine
        fails (after stopping every robot and telling the teacher); on cancellation (Ctrl-C)
        every robot is stopped too."""
        try:
            await self._run()
        except asyncio.CancelledError:
            await asyncio.shield(self._stop_robots())
            raise
        except Exception as e:
            self._fail(e)
        if self.failure is not None:
            await self._failed(self.failure)

    async def _run(self) -> None:
        await self._publish()
        await self._started.wait()
        self._check()
        self.status = "running"
        await self.sink.record("lesson", data={"action": "start", "lesson": self.lesson.meta.id})
        target = 0 if self._jump is None else self._jump
        self._jump = None
        while target < len(self.lesson.steps):
            await self._enter(target)
            while self._jump is None and not self._finished():
                await self.clock.sleep(self.tick)
                self._check()
                await self._on_tick(self.tick)
            self._check()
            target = self._jump if self._jump is not None else self.index + 1
            self._jump = None
            await self._leave()
        self.status = "ended"
        self.index = len(self.lesson.steps)
        await self.sink.record("lesson", data={"action": "end", "lesson": self.lesson.meta.id})
        await self._publish()

    def _check(self) -> None:
        if self.failure is not None:
            raise _Failed

    async def _stop_robots(self) -> None:
        for tid in list(self.teams):
            with contextlib.suppress(Exception):
                await self._halt_robot(tid)

    async def _failed(self, error: BaseException) -> None:
        reason = str(error) or type(error).__name__
        log.error("lesson %s failed: %s", self.lesson.meta.id, reason, exc_info=error)
        self.status = "failed"
        self.notice = f"the lesson stopped because of an error: {reason}"
        await self._stop_robots()
        with contextlib.suppress(Exception):
            await self.sink.record("lesson", data={"action": "failed", "step": self._step_id(),
                                                   "reason": reason[:200]})
        with contextlib.suppress(Exception):
            await self._publish()
        raise LessonFailed(reason) from error

    def _deadline(self) -> float | None:
        s = self.step
        assert s is not None
        if s.advance == "timer":
            return s.time.target + self.extra
        if s.advance == "teacher" and not self.rehearse:
            return s.time.max + self.extra if s.time.max is not None else None
        if s.advance == "activity-done" and self.rehearse:
            return s.time.target + self.extra
        if s.advance == "teacher":
            return s.time.target + self.extra
        return s.time.longest + self.extra

    def _finished(self) -> bool:
        s = self.step
        if s is None or self.status == "paused":
            return False
        deadline = self._deadline()
        if deadline is not None and self.elapsed >= deadline:
            return True
        if s.advance == "all-ready":
            seats = self.roster.pupils
            return bool(seats) and all(x.pupil in self.ready for x in seats)
        if s.advance == "activity-done":
            return self.activity_finished
        return False

    async def _enter(self, index: int) -> None:
        first = self.index < 0
        self.index = index
        self.elapsed = self.extra = 0.0
        self.ready.clear()
        self.votes.clear()
        self.activity_finished = False
        self.messages.clear()
        s = self.step
        assert s is not None
        if not first and self.lesson.teams.rotate == "every-step":
            self.roster.rotate()
        await self.sink.record("step", data={"action": "start", "step": s.id, "index": index,
                                             "type": s.type})  # type: ignore[attr-defined]
        self.teams = {tid: _TeamStep() for tid in self.roster.teams}
        for tid in self.teams:
            await self._setup_team(tid)
        if self._on_screen():
            assert isinstance(s, schema.ActivityStep) and self.screen is not None
            deadline = self._deadline()
            roles = {x.controller: self.roster.role(x) for x in self.roster.pupils}
            await self.screen.start(s, self.roster.pupils, roles, deadline)
        await self._publish()

    def _on_screen(self) -> bool:
        """The current step's activity runs on the shared screen, which gives presses their
        meaning and says when it is done."""
        return isinstance(self.step, schema.ActivityStep) and self.screen is not None

    async def _setup_team(self, tid: str) -> None:
        s = self.step
        assert s is not None
        ts = self.teams[tid]
        members = [m.pupil for m in self.roster.teams[tid].members]
        ts.queue = members[self.index % len(members):] + members[:self.index % len(members)] \
            if members else []
        passes = s.turns.passes if s.turns else 1
        ts.passes = dict.fromkeys(members, passes)
        if self._turn_based() and ts.queue:
            await self._open_turn(tid)
        if isinstance(s, schema.RobotStep) and self.status == "running":
            self._start_robot(tid)

    def _turn_based(self) -> bool:
        s = self.step
        return s is not None and s.structure == "round-robin" and not self._on_screen()

    async def _leave(self) -> None:
        s = self.step
        if s is None:
            return
        for tid, ts in self.teams.items():
            await self._halt_robot(tid)
            if ts.turn_open:
                await self._close_turn(tid)
        if self._on_screen() and not self.activity_finished:
            assert self.screen is not None
            await self.screen.stop()
        data: dict[str, Any] = {"action": "end", "step": s.id, "index": self.index,
                                "seconds": round(self.elapsed)}
        if self.votes:
            data["votes"] = [sum(1 for v in self.votes.values() if v == i)
                             for i in range(len(getattr(s, "options", [])))]
        await self.sink.record("step", data=data)

    async def _on_tick(self, dt: float) -> None:
        if self.status != "running":
            return
        self.elapsed += dt
        self._ticks += 1
        changed = False
        s = self.step
        assert s is not None
        for tid, ts in self.teams.items():
            if self._turn_based() and ts.turn_open:
                ts.turn_elapsed += dt
                if ts.turn_elapsed >= (s.turns.seconds if s.turns else 30.0):
                    pupil = ts.queue[ts.turn % len(ts.queue)]
                    await self.sink.record("timeout", pupil=pupil, team=tid,
                                           data={"step": s.id})
                    await self._next_turn(tid)
                    changed = True
            if isinstance(s, schema.RobotStep):
                changed |= await self._watch_robot(tid, ts)
        if changed or self._ticks % 5 == 0:
            await self._publish()

    # Turns ----------------------------------------------------------------------------------

    async def _open_turn(self, tid: str) -> None:
        ts = self.teams[tid]
        ts.turn_open, ts.turn_elapsed = True, 0.0
        pupil = ts.queue[ts.turn % len(ts.queue)]
        await self.sink.record("turn-start", pupil=pupil, team=tid,
                               data={"step": self._step_id()})

    async def _close_turn(self, tid: str) -> None:
        ts = self.teams[tid]
        ts.turn_open = False
        pupil = ts.queue[ts.turn % len(ts.queue)]
        await self.sink.record("turn-end", pupil=pupil, team=tid, data={"step": self._step_id()})

    async def _next_turn(self, tid: str) -> None:
        await self._close_turn(tid)
        ts = self.teams[tid]
        ts.turn += 1
        if self.lesson.teams.rotate == "every-turn":
            self.roster.teams[tid].rotation += 1
        await self._open_turn(tid)

    # Input ----------------------------------------------------------------------------------

    async def feed(self, inputs: AsyncIterable[Input]) -> None:
        """Handle controller input until the source ends or the lesson does."""
        async for inp in inputs:
            try:
                await self.handle(inp)
            except Exception as e:
                log.exception("controller input %r failed", inp)
                self._fail(e)
                return
            if self.status in ("ended", "failed"):
                return

    async def handle(self, inp: Input) -> None:
        if inp.gesture in ("pair", "hello"):
            await self._join(inp.controller)
            return
        seat = self.roster.seats.get(inp.controller)
        if seat is None and self.status != "ended":
            # A press from a controller the lesson has not seen say hello (it booted before
            # the lesson started): seat it now, then count the press.
            await self._join(inp.controller)
            seat = self.roster.seats.get(inp.controller)
        if seat is None:
            return
        self.presses += 1
        await self.sink.record("input", pupil=seat.pupil, team=seat.team,
                               data={"controller": inp.controller, "seq": inp.seq,
                                     "gesture": inp.gesture, "step": self._step_id()})
        s = self.step
        if s is None or self.status != "running" or self._on_screen():
            return
        ts = self.teams.get(seat.team)
        if ts is None:
            return
        if self._turn_based():
            if not ts.turn_open or ts.queue[ts.turn % len(ts.queue)] != seat.pupil:
                return
            if inp.gesture == "B":
                if ts.passes.get(seat.pupil, 0) <= 0:
                    return
                ts.passes[seat.pupil] -= 1
                await self.sink.record("pass", pupil=seat.pupil, team=seat.team,
                                       data={"step": s.id})
            elif isinstance(s, schema.ReflectStep) and s.kind == "compliment-round":
                target = ts.queue[(ts.turn + 1) % len(ts.queue)]
                await self.sink.record("compliment", pupil=seat.pupil, team=seat.team,
                                       data={"step": s.id, "target": target})
            else:
                await self.sink.record("contribution", pupil=seat.pupil, team=seat.team,
                                       data={"step": s.id, "gesture": inp.gesture})
            await self._next_turn(seat.team)
            await self._publish()
            return
        if isinstance(s, schema.VoteStep):
            option = VOTE_GESTURES.get(inp.gesture)
            if option is None or option >= len(s.options) or seat.pupil in self.votes:
                return
            self.votes[seat.pupil] = option
            self.ready.add(seat.pupil)
            await self.sink.record("vote", pupil=seat.pupil, team=seat.team,
                                   data={"step": s.id, "option": option})
        elif isinstance(s, schema.ReflectStep):
            if seat.pupil in self.ready:
                return
            self.ready.add(seat.pupil)
            await self.sink.record("reflect", pupil=seat.pupil, team=seat.team,
                                   data={"step": s.id, "gesture": inp.gesture})
        elif s.advance == "all-ready":
            if seat.pupil in self.ready:
                return
            self.ready.add(seat.pupil)
            await self.sink.record("contribution", pupil=seat.pupil, team=seat.team,
                                   data={"step": s.id, "ready": True})
        else:
            await self.sink.record("contribution", pupil=seat.pupil, team=seat.team,
                                   data={"step": s.id, "gesture": inp.gesture})
        await self._publish()

    async def _join(self, controller: str) -> None:
        seat, new = self.roster.join(controller)
        if seat is None:
            self.messages.append("joining is locked")
            return
        await self.sink.record("join", pupil=seat.pupil, team=seat.team,
                               data={"role": self.roster.role(seat), "again": not new,
                                     "seat": seat.number, "controller": controller})
        if self.screen is not None:
            await self.screen.seat(seat)
        if new and self.step is not None and self.status in ("running", "paused"):
            if seat.team not in self.teams:
                self.teams[seat.team] = _TeamStep()
                await self._setup_team(seat.team)
            else:
                ts = self.teams[seat.team]
                ts.queue.append(seat.pupil)
                ts.passes[seat.pupil] = self.step.turns.passes if self.step.turns else 1
                if self._turn_based() and not ts.turn_open:
                    await self._open_turn(seat.team)
        await self._publish()

    # Robots ---------------------------------------------------------------------------------

    def _start_robot(self, tid: str) -> None:
        ts = self.teams[tid]
        s = self.step
        robot = self.robots(tid)
        if (robot is None or not isinstance(s, schema.RobotStep) or ts.robot_done
                or ts.robot_lost or (ts.robot_task and not ts.robot_task.done())):
            return
        ts.robot_task = asyncio.create_task(self._drive(tid, robot, s), name=f"robot-{tid}")

    async def _halt_robot(self, tid: str) -> None:
        ts = self.teams[tid]
        if ts.robot_task is not None:
            ts.robot_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await ts.robot_task
            ts.robot_task = None
        robot = self.robots(tid)
        if robot is not None and robot.connected:
            with contextlib.suppress(Exception):
                await robot.stop()

    async def _drive(self, tid: str, robot: Robot, s: schema.RobotStep) -> None:
        ts = self.teams[tid]
        lim = s.limits
        max_speed = min(lim.max_speed, robot.limits.max_speed)
        max_turn = min(lim.max_turn, robot.limits.max_turn)
        max_seconds = min(lim.max_seconds, robot.limits.max_seconds)
        try:
            rep0, cmd0 = ts.robot_at
            for rep in range(rep0, s.repeat):
                for j in range(cmd0 if rep == rep0 else 0, len(s.commands)):
                    ts.robot_at = (rep, j)
                    c = s.commands[j]
                    if c.drive is not None:
                        secs = min(c.drive.seconds, max_seconds)
                        await robot.drive(max(-max_speed, min(max_speed, c.drive.speed)),
                                          max(-max_turn, min(max_turn, c.drive.turn)), secs)
                        await self.clock.sleep(secs)
                        await robot.stop()
                    elif c.wait is not None:
                        await self.clock.sleep(c.wait)
                    elif c.led is not None:
                        await robot.led(c.led)
                    elif c.sound is not None:
                        await robot.sound(c.sound)
                    elif c.stop:
                        await robot.stop()
            ts.robot_done = True
        except (ConnectionError, OSError) as e:
            log.info("robot of team %s: %s", tid, e)
        except Exception as e:  # a robot driver bug: the lesson stops, and says so
            log.exception("robot of team %s failed", tid)
            self._fail(e)

    async def _watch_robot(self, tid: str, ts: _TeamStep) -> bool:
        robot = self.robots(tid)
        if robot is None:
            return False
        if not robot.connected and not ts.robot_lost:
            ts.robot_lost = True
            await self._halt_robot(tid)
            await self.sink.record("robot-lost", team=tid, data={"step": self._step_id(),
                                                                 "robot": robot.name})
            return True
        if robot.connected and ts.robot_lost:
            ts.robot_lost = False
            await self.sink.record("robot-back", team=tid, data={"step": self._step_id(),
                                                                 "robot": robot.name})
            self._start_robot(tid)
            return True
        return False

    # State ----------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """What the shared screen shows. Teacher notes are never part of it."""
        s = self.step
        step: dict[str, Any] | None = None
        if s is not None:
            deadline = self._deadline()
            target = s.time.target + self.extra
            hints = s.hints
            shown = int(len(hints) * min(1.0, self.elapsed / target)) if hints else 0
            step = {
                "id": s.id, "index": self.index, "count": len(self.lesson.steps),
                "type": s.type,  # type: ignore[attr-defined]
                "title": s.title, "structure": s.structure,
                "remaining": max(0, round(target - self.elapsed)),
                "ends_by": None if deadline is None else round(deadline - self.elapsed),
                "warning": bool(s.time.warning and self.elapsed >= target - s.time.warning),
                "hints": hints[:shown],
            }
            for key in ("text", "question", "options", "prompt", "activity", "kind"):
                if hasattr(s, key):
                    step[key] = getattr(s, key)
        teams = []
        for tid, team in self.roster.teams.items():
            ts = self.teams.get(tid)
            turn = None
            if ts and ts.turn_open and ts.queue:
                turn = ts.queue[ts.turn % len(ts.queue)]
            teams.append({
                "team": tid,
                "members": [{"pupil": m.pupil, "controller": m.controller,
                             "seat": m.number, "role": self.roster.role(m)}
                            for m in team.members],
                "turn": turn,
                "robot": "lost" if ts and ts.robot_lost else "ok",
                "message": ("robot lost: this team's step is paused until it is back"
                            if ts and ts.robot_lost else None),
            })
        return {
            "lesson": self.lesson.meta.id, "title": self.lesson.meta.title,
            "languages": list(self.lesson.meta.languages), "status": self.status,
            "screen": "hands-up" if self.status in ("paused", "failed") else "lesson",
            "joining": "locked" if self.roster.locked else "open",
            "step": step, "teams": teams,
            "teacher": {"notice": self.notice},
        }

    async def _publish(self) -> None:
        await self.sink.publish_state(self.state())

    def seat(self, controller: str) -> Seat | None:
        return self.roster.seats.get(controller)

    def __repr__(self) -> str:
        return (f"<Engine {self.lesson.meta.id} {self.status} step={self._step_id()} "
                f"t={self.elapsed:.0f}s pupils={len(self.roster.seats)}>")
