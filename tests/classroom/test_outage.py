"""The hub dies in the middle of a lesson (the laptop's power cable pulled, kill -9) and is
started again: the lesson, the screen and the gateway, each a process of its own, carry on
without anyone restarting them. Presses made before, while the hub is away and after reach the
screen and the store, each once, and the lesson finishes."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from procs import Proc, start
from room import Room, say

from kit import config
from kit.config import BrokerAddress
from kit.hub.service import free_port
from kit.protocol import topics

ROOM = "room-outage"
PUPILS = 4
PRESSES = 3
LESSON = Path(__file__).parent / "lesson.yaml"


async def test_the_lesson_carries_on_when_the_hub_dies_and_comes_back(
        kit_home: Path, tmp_path: Path, procs: list[Proc]) -> None:
    port = free_port()
    db = tmp_path / "kit.db"
    broker = f"mqtt://127.0.0.1:{port}"

    hub_args = ("hub", "--port", str(port), "--store", f"sqlite:///{db}", "--progress")
    teacher = config.station_address(BrokerAddress.parse(broker), role="teacher",
                                     station="console", room=ROOM)
    hub = await start(procs, *hub_args)
    await hub.until('"ready": true')
    room = Room()
    follower = asyncio.create_task(room.follow(teacher, ROOM))
    try:
        await start(procs, "screen", "--room", ROOM, "--broker", broker, "--headless")
        await room.until(lambda: room.screen.get("state") == "online", "the screen came online")
        gateway = await start(procs, "gateway", "--room", ROOM, "--broker", broker,
                              "--sim", str(PUPILS), "--presses", str(PRESSES), stdin=True)
        lesson = await start(procs, "lesson", "run", str(LESSON), "--room", ROOM,
                             "--broker", broker, "--stand-ins")
        await room.until(lambda: len(room.seated) == PUPILS, "the lesson seated every pupil")
        await say(teacher, topics.lesson_command(ROOM, "start"))
        await gateway.until(f"pressed {PUPILS * PRESSES} times")
        await room.until(lambda: room.screen.get("inputs") == PUPILS * PRESSES
                         and room.screen.get("phase") == "playing",
                         "the screen saw every press and is playing the mural")

        # The hub, and the broker inside it, die without a word.
        await hub.kill()
        room.stations.clear()
        room.lesson = {}
        # Pupils go on pressing while it is away: their micro:bits keep the presses.
        for n in range(1, PUPILS + 1):
            await gateway.send(f"press {n} B")
        hub = await start(procs, *hub_args)
        await hub.until('"ready": true')
        # Nobody restarts anything else: each part comes back by itself and says so again.
        await room.until(lambda: room.screen.get("state") == "online"
                         and room.lesson.get("status") == "running"
                         and room.stations.get("gateway", {}).get("state") == "online",
                         "the screen, the lesson and the gateway came back")

        # Every pupil presses once more: the presses reach the screen and the store.
        for n in range(1, PUPILS + 1):
            await gateway.send(f"press {n} A")
        await room.until(lambda: room.screen.get("inputs") == PUPILS * (PRESSES + 2),
                         "the screen saw the presses made while the hub was away and after")
        await say(teacher, topics.station_command(ROOM, "screen", "end"))
        assert await lesson.wait() == 0, lesson.output
    except AssertionError as e:
        told = "\n".join(f"--- kit {p.args[0]} said:\n" + "\n".join(p.lines[-40:]) for p in procs)
        raise AssertionError(f"{e}\n{told}") from None
    finally:
        follower.cancel()
    assert "lesson ended" in lesson.output
    for p in procs:
        if p is not lesson:
            await p.stop()

    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT kind, station, data FROM events").fetchall()
    presses = [(d["controller"], d["seq"]) for k, _, d in
               ((k, s, json.loads(d)) for k, s, d in rows) if k == "input"]
    assert len(presses) == PUPILS * (PRESSES + 2), "every press is in the store"
    assert len(set(presses)) == len(presses), "and each only once"
    steps = [(d["step"], d["action"]) for k, s, d in
             ((k, s, json.loads(d)) for k, s, d in rows) if k == "step"]
    assert steps == [("drive", "start"), ("drive", "end"), ("mural", "start"),
                     ("mural", "end"), ("bye", "start"), ("bye", "end")], steps
