"""The engine runs a whole lesson on a fake clock with simulated pupils and robots."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from kit.clock import FakeClock
from kit.lesson.check import load_lesson
from kit.lesson.engine import Engine, MemorySink
from kit.lesson.sim import SimRobots
from kit.protocol.inputs import Input

BASE = Path(__file__).parent / "base.yaml"


def _engine(**kw: object) -> tuple[Engine, MemorySink, FakeClock, SimRobots]:
    clock, sink, robots = FakeClock(), MemorySink(), SimRobots()
    names = (f"p-pupil{i}" for i in itertools.count(1))
    engine = Engine(load_lesson(BASE), clock=clock, sink=sink, robots=robots,
                    pseudonym=lambda: next(names), **kw)  # type: ignore[arg-type]
    return engine, sink, clock, robots


async def _join(engine: Engine, *controllers: str) -> None:
    for c in controllers:
        await engine.handle(Input(c, 1, "hello"))


async def test_whole_lesson_runs_to_the_end_with_the_expected_events() -> None:
    engine, sink, clock, robots = _engine(rehearse=True)
    await _join(engine, "mb-a", "mb-b", "mb-c", "mb-d")
    task = asyncio.create_task(engine.run())
    await engine.start()
    await clock.advance(0)
    await clock.advance(60)  # hello (timer, 1m)
    await clock.advance(1)
    assert engine.step is not None and engine.step.id == "drive"
    assert all(next(e for e in r.log if e[0] == "drive") == ("drive", 0.4, 0.0, 2.0)
               for r in robots.robots.values())
    await clock.advance(120)
    assert engine.step.id == "mural"
    # round robin: the pupil whose turn it is presses A, the next one passes with B
    team = engine.roster.teams["orange"]
    first = engine.teams["orange"].queue[0]
    ctrl = next(m.controller for m in team.members if m.pupil == first)
    await engine.handle(Input(ctrl, 2, "A"))
    second = engine.teams["orange"].queue[1]
    ctrl2 = next(m.controller for m in team.members if m.pupil == second)
    await engine.handle(Input(ctrl2, 2, "B"))
    await clock.advance(180)
    assert engine.step.id == "vote"
    for i, c in enumerate(("mb-a", "mb-b", "mb-c", "mb-d")):
        await engine.handle(Input(c, 3, "A" if i % 2 else "B"))
    await clock.advance(1)
    assert engine.step.id == "thanks"
    await clock.advance(121)
    await asyncio.wait_for(task, 1)
    assert engine.status == "ended"
    kinds = sink.kinds()
    assert kinds[:5] == ["join"] * 4 + ["lesson"]
    steps = [(d["action"], d["step"]) for k, _, _, d in sink.events if k == "step"]
    assert steps == [(a, s) for s in ("hello", "drive", "mural", "vote", "thanks")
                     for a in ("start", "end")]
    mural = [(k, p) for k, p, t, d in sink.events
             if d.get("step") == "mural" and t == "orange" and k != "input"]
    presses = [(d["controller"], d["seq"]) for k, _, _, d in sink.events if k == "input"]
    assert presses and len(presses) == len(set(presses))  # every press recorded, once
    assert mural[:6] == [("turn-start", first), ("contribution", first), ("turn-end", first),
                         ("turn-start", second), ("pass", second), ("turn-end", second)]
    vote_end = [d for k, _, _, d in sink.events if k == "step" and d.get("step") == "vote"][-1]
    assert vote_end["votes"] == [2, 2]
    assert kinds[-1] == "lesson" and sink.events[-1][3]["action"] == "end"
    assert engine.state()["status"] == "ended"


async def test_pause_all_stops_every_robot_before_the_next_tick() -> None:
    engine, sink, clock, robots = _engine()
    await _join(engine, "mb-a", "mb-b", "mb-c", "mb-d")
    task = asyncio.create_task(engine.run())
    await engine.start()
    await clock.advance(0)
    await engine.skip()
    await clock.advance(1)
    assert engine.step is not None and engine.step.id == "drive"
    assert len(robots.robots) == 2 and all(r.moving for r in robots.robots.values())
    await engine.pause_all()
    assert not any(r.moving for r in robots.robots.values())
    assert all(r.log[-1] == ("stop",) for r in robots.robots.values())
    assert engine.state()["screen"] == "hands-up"
    before = engine.elapsed
    await clock.advance(30)
    assert engine.elapsed == before and not any(r.moving for r in robots.robots.values())
    await engine.resume()
    await clock.advance(0)
    assert all(r.moving for r in robots.robots.values())
    await engine.end()
    await clock.advance(1)
    await asyncio.wait_for(task, 1)
    actions = [d["action"] for k, _, _, d in sink.events if k == "lesson"]
    assert actions == ["start", "pause", "resume", "end"]


async def test_a_lost_robot_pauses_only_its_team_and_the_lesson_goes_on() -> None:
    engine, sink, clock, robots = _engine()
    await _join(engine, "mb-a", "mb-b", "mb-c", "mb-d")
    task = asyncio.create_task(engine.run())
    await engine.start()
    await clock.advance(0)
    await engine.skip()
    await clock.advance(1)
    lost, fine = robots.robots["orange"], robots.robots["sky"]
    lost.drop()
    await clock.advance(1)
    state = engine.state()
    by_team = {t["team"]: t for t in state["teams"]}
    assert by_team["orange"]["robot"] == "lost" and "robot lost" in by_team["orange"]["message"]
    assert by_team["sky"]["robot"] == "ok" and state["status"] == "running"
    assert ("robot-lost", None, "orange") in [(k, p, t) for k, p, t, _ in sink.events]
    lost.reconnect()
    await clock.advance(1)
    assert ("robot-back", None, "orange") in [(k, p, t) for k, p, t, _ in sink.events]
    assert lost.log[-1][0] == "drive"
    await clock.advance(300)
    assert fine.log.count(("led", "heart")) == 1
    await engine.end()
    await clock.advance(1)
    await asyncio.wait_for(task, 1)


async def test_a_reconnecting_controller_gets_its_seat_team_and_role_back() -> None:
    engine, sink, _, _ = _engine()
    await _join(engine, "mb-a", "mb-b", "mb-c")
    seat = engine.seat("mb-b")
    assert seat is not None
    role = engine.roster.role(seat)
    await _join(engine, "mb-b")
    again = engine.seat("mb-b")
    assert again is seat and engine.roster.role(again) == role
    assert sink.events[-1][0] == "join" and sink.events[-1][3]["again"] is True
    assert len(engine.roster.seats) == 3


async def test_locked_joining_turns_new_controllers_away_but_not_known_ones() -> None:
    engine, _sink, _, _ = _engine()
    await _join(engine, "mb-a")
    await engine.lock()
    await _join(engine, "mb-new", "mb-a")
    assert set(engine.roster.seats) == {"mb-a"}
    assert engine.state()["joining"] == "locked"


async def test_teacher_notes_never_reach_the_shared_screen() -> None:
    engine, sink, clock, _ = _engine()
    task = asyncio.create_task(engine.run())
    await engine.start()
    await clock.advance(0)
    await clock.advance(0)
    assert engine.step is not None and engine.step.notes == "teacher only note"
    assert "teacher only note" not in repr(sink.states)
    assert "notes" not in repr(engine.state())
    await engine.end()
    await clock.advance(1)
    await asyncio.wait_for(task, 1)


async def test_roles_rotate_every_step() -> None:
    engine, _, clock, _ = _engine()
    await _join(engine, "mb-a", "mb-b")
    seat = engine.seat("mb-a")
    assert seat is not None
    task = asyncio.create_task(engine.run())
    await engine.start()
    await clock.advance(0)
    await clock.advance(0)
    r1 = engine.roster.role(seat)
    await engine.skip()
    await clock.advance(1)
    assert engine.roster.role(seat) != r1
    await engine.end()
    await clock.advance(1)
    await asyncio.wait_for(task, 1)


async def test_extend_gives_the_step_more_time() -> None:
    engine, _, clock, _ = _engine()
    task = asyncio.create_task(engine.run())
    await engine.start()
    await clock.advance(0)
    await clock.advance(30)
    await engine.extend(60)
    await clock.advance(60)
    assert engine.step is not None and engine.step.id == "hello"
    await clock.advance(31)
    assert engine.step.id == "drive"
    await engine.back()
    await clock.advance(1)
    assert engine.step.id == "hello"
    await engine.end()
    await clock.advance(1)
    await asyncio.wait_for(task, 1)


async def _running() -> tuple[Engine, MemorySink, FakeClock, SimRobots, asyncio.Task[None]]:
    engine, sink, clock, robots = _engine()
    await _join(engine, "mb-a", "mb-b", "mb-c", "mb-d")
    task = asyncio.create_task(engine.run())
    await engine.start()
    await clock.advance(0)
    return engine, sink, clock, robots, task


async def test_bad_teacher_commands_are_refused_and_the_lesson_carries_on() -> None:
    engine, _sink, clock, robots, task = await _running()
    for name, arg in [("extend", "nan"), ("extend", "inf"), ("extend", "-inf"),
                      ("extend", "five"), ("extend", "-30"), ("extend", "1e400"),
                      ("extend", "9" * 5000), ("lock", "maybe"), ("explode", "")]:
        assert await engine.command(name, arg) is False, (name, arg)
        assert engine.notice and engine.state()["teacher"]["notice"] == engine.notice
    assert engine.extra == 0 and not task.done() and engine.status == "running"
    assert await engine.command("extend", "90") and engine.extra == 90
    assert engine.notice is None
    # pause-all still works after all that
    await engine.skip()
    await clock.advance(1)
    assert await engine.command("pause") and engine.status == "paused"
    assert not any(r.moving for r in robots.robots.values())
    await engine.command("end")
    await clock.advance(1)
    await asyncio.wait_for(task, 5)
    assert engine.status == "ended"


async def test_the_lock_key_toggles_joining() -> None:
    engine, _, _, _ = _engine()
    assert await engine.command("lock") and engine.state()["joining"] == "locked"
    assert await engine.command("lock") and engine.state()["joining"] == "open"
    assert await engine.command("lock", "true") and engine.roster.locked
    assert await engine.command("lock", "true") and engine.roster.locked
    assert await engine.command("lock", "open") and not engine.roster.locked


async def test_a_failure_inside_the_engine_stops_robots_tells_the_teacher_and_raises() -> None:
    from kit.lesson.engine import LessonFailed

    engine, sink, clock, robots, task = await _running()
    await engine.skip()
    await clock.advance(1)
    assert engine.step is not None and engine.step.id == "drive"
    broken = robots.robots["orange"]

    async def led(pattern: str) -> None:
        raise RuntimeError("driver bug")

    broken.led = led  # type: ignore[method-assign]
    await clock.advance(10)  # the drive ends, then the led command fails
    with pytest.raises(LessonFailed, match="driver bug"):
        await asyncio.wait_for(task, 5)
    assert not any(r.moving for r in robots.robots.values())
    assert all(r.log[-1] == ("stop",) for r in robots.robots.values())
    state = sink.states[-1]
    assert state["status"] == "failed" and "driver bug" in state["teacher"]["notice"]
    assert sink.events[-1][0] == "lesson" and sink.events[-1][3]["action"] == "failed"


async def test_a_sink_that_breaks_fails_the_lesson_loudly() -> None:
    from kit.lesson.engine import LessonFailed

    class BrokenSink(MemorySink):
        async def record(self, kind: str, **kw: object) -> None:  # type: ignore[override]
            if kind == "step":
                raise OSError("disk full")
            await super().record(kind, **kw)  # type: ignore[arg-type]

    clock, sink, robots = FakeClock(), BrokenSink(), SimRobots()
    engine = Engine(load_lesson(BASE), clock=clock, sink=sink, robots=robots)
    task = asyncio.create_task(engine.run())
    await engine.start()
    with pytest.raises(LessonFailed, match="disk full"):
        await asyncio.wait_for(task, 5)
    assert engine.status == "failed"


async def test_cancelling_the_run_stops_every_robot() -> None:
    engine, _sink, clock, robots, task = await _running()
    await engine.skip()
    await clock.advance(1)
    assert any(r.moving for r in robots.robots.values())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not any(r.moving for r in robots.robots.values())


async def test_a_simulated_robot_refuses_a_word_no_robot_knows_as_a_real_one_does() -> None:
    from kit.lesson.sim import SimRobot
    from kit.robot_api import UnknownRobotWord

    robot = SimRobot("sim-a")
    await robot.led("quarter-note")
    await robot.sound("440")
    with pytest.raises(UnknownRobotWord, match="unknown LED pattern 'hart'; a robot knows: "):
        await robot.led("hart")
    with pytest.raises(UnknownRobotWord, match="unknown sound 'whistle'"):
        await robot.sound("whistle")
    assert robot.log == [("led", "quarter-note"), ("sound", "440")]
