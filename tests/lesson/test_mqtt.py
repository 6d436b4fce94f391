"""Teacher commands over MQTT, published lesson state and recorded events."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

from conftest import login

from kit.clock import FakeClock
from kit.config import BrokerAddress, station_address
from kit.lesson import mqtt as lesson_mqtt
from kit.lesson.check import load_lesson
from kit.lesson.engine import Engine
from kit.lesson.sim import SimRobots
from kit.link import mqtt
from kit.protocol import decode_event, topics
from kit.protocol.inputs import Input

BASE = Path(__file__).parent / "base.yaml"


async def test_teacher_commands_work_and_station_commands_are_refused(
    embedded: BrokerAddress, creds: dict[str, str], tmp_path: Path
) -> None:
    clock = FakeClock()
    names = (f"p-pupil{i}" for i in itertools.count(1))
    async with mqtt.client(station_address(embedded, role="hub",
                                           station="watcher", room="room-1")) as watcher:
        await watcher.subscribe(topics.all_events("room-1"), qos=1)
        await watcher.subscribe(topics.lesson_state("room-1"), qos=1)
        station = lesson_mqtt.station_for(station_address(embedded, role="teacher",
                                                          station="lesson-room-1",
                                                          room="room-1"), "room-1",
                                          run="run-1", outbox=tmp_path / "out.db")
        async with station:
            engine = Engine(load_lesson(BASE), clock=clock, sink=lesson_mqtt.StationSink(station),
                            robots=SimRobots(), pseudonym=lambda: next(names))
            await station.connected()
            await engine.handle(Input("mb-a", 1, "hello"))
            tasks = [asyncio.create_task(engine.run()),
                     asyncio.create_task(lesson_mqtt.commands(station, engine))]
            async with mqtt.client(station_address(embedded, role="station",
                                                   station="mural-1", room="room-1")) as intruder:
                await intruder.publish(topics.lesson_command("room-1", "start"), b"", qos=1)
            async with mqtt.client(station_address(embedded, role="teacher",
                                                   station="teacher-1", room="room-1")) as teacher:
                await teacher.publish(topics.lesson_command("room-1", "start"), b"", qos=1)
                await teacher.publish(topics.lesson_command("room-1", "pause"), b"", qos=1)
                kinds: list[tuple[str, dict[str, object]]] = []
                async for message in watcher.messages:
                    if str(message.topic).endswith("/lesson/state"):
                        continue
                    ev = decode_event(message.payload)  # type: ignore[arg-type]
                    assert ev.station == "lesson-room-1" and ev.run == "run-1"
                    kinds.append((ev.kind, dict(ev.data)))
                    if ev.kind == "lesson" and ev.data["action"] == "pause":
                        break
                assert engine.status == "paused"
                await teacher.publish(topics.lesson_command("room-1", "end"), b"", qos=1)
                while not tasks[0].done():  # the fake clock moves the engine on
                    await clock.advance(1)
            tasks[1].cancel()
            await station.flushed()
    assert [k for k, _ in kinds] == ["join", "lesson", "step", "lesson"]
    assert [d.get("action") for _, d in kinds][1:] == ["start", "start", "pause"]


async def test_station_role_alone_cannot_start_a_lesson(
    embedded: BrokerAddress, creds: dict[str, str], tmp_path: Path
) -> None:
    clock = FakeClock()
    station = lesson_mqtt.station_for(station_address(embedded, role="teacher",
                                                      station="lesson-room-2",
                                                      room="room-2"), "room-2",
                                      outbox=tmp_path / "out.db")
    async with station:
        locked = asyncio.Event()

        class Sink(lesson_mqtt.StationSink):
            async def publish_state(self, state: dict[str, object]) -> None:
                await super().publish_state(state)
                if state["joining"] == "locked":
                    locked.set()

        engine = Engine(load_lesson(BASE), clock=clock, sink=Sink(station))
        await station.connected()
        task = asyncio.create_task(lesson_mqtt.commands(station, engine))
        async with mqtt.client(station_address(embedded, role="station",
                                               station="mural-1", room="room-2")) as intruder:
            await intruder.publish(topics.lesson_command("room-2", "end"), b"", qos=1)
            await intruder.publish(topics.lesson_command("room-2", "start"), b"", qos=1)
        # a teacher message after the intruder's proves the intruder's never arrived
        async with mqtt.client(station_address(embedded, role="teacher",
                                               station="teacher-1", room="room-2")) as teacher:
            await teacher.publish(topics.lesson_command("room-2", "lock"), b"", qos=1)
        await asyncio.wait_for(locked.wait(), 10)
        assert engine.status == "waiting"
        task.cancel()
    async with mqtt.client(station_address(embedded, role="hub",
                                           station="reader", room="room-1")) as reader:
        await reader.subscribe(topics.lesson_state("room-2"), qos=1)
        async for message in reader.messages:
            state = json.loads(message.payload)  # type: ignore[arg-type]
            assert state["joining"] == "locked" and state["status"] == "waiting"
            break


async def test_extend_nan_over_mqtt_is_refused_and_pause_all_still_works(
    embedded: BrokerAddress, tmp_path: Path
) -> None:
    clock = FakeClock()
    engine_login = await login(embedded, role="teacher", station="lesson-room-3", room="room-3")
    station = lesson_mqtt.station_for(engine_login, "room-3",
                                      outbox=tmp_path / "out.db")
    states: list[dict[str, object]] = []
    paused = asyncio.Event()

    class Sink(lesson_mqtt.StationSink):
        async def publish_state(self, state: dict[str, object]) -> None:
            await super().publish_state(state)
            states.append(state)
            if state["status"] == "paused":
                paused.set()

    async with station:
        engine = Engine(load_lesson(BASE), clock=clock, sink=Sink(station), robots=SimRobots())
        await station.connected()
        run = asyncio.create_task(engine.run())
        task = asyncio.create_task(lesson_mqtt.commands(station, engine))
        console = await login(embedded, role="teacher", station="teacher-1", room="room-3")
        async with mqtt.client(console) as teacher:
            await teacher.publish(topics.lesson_command("room-3", "start"), b"", qos=1)
            for bad in (b"nan", b"inf", b"-inf", b"1e999", b"\xff\xfe"):
                await teacher.publish(topics.lesson_command("room-3", "extend"), bad, qos=1)
            await teacher.publish(topics.lesson_command("room-3", "pause"), b"", qos=1)
        await asyncio.wait_for(paused.wait(), 10)
        notices = [s["teacher"]["notice"] for s in states  # type: ignore[index]
                   if s["teacher"]["notice"]]  # type: ignore[index]
        assert len(notices) == 5 and "nan" in notices[0]
        assert engine.extra == 0 and not run.done()
        await engine.command("end")
        while not run.done():  # the fake clock moves the engine on
            await clock.advance(1)
        await run
        task.cancel()
