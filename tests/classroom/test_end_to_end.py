"""The classroom as a teacher runs it: ``kit hub``, ``kit screen``, ``kit gateway --sim`` and
``kit lesson run``, each a process of its own, talking only through the real broker.

One run checks what the parts must do together: every press reaches the screen and the store
exactly once; seats fill; a micro:bit that goes quiet shows as "reconnecting" and gets its
seat back; a robot step moves a (simulated) robot; the lesson hears the activity end; and the
report lists every pupil.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from pathlib import Path

import aiomqtt
from procs import Proc, start
from room import Room

from kit import config
from kit.config import BrokerAddress
from kit.hub.service import free_port
from kit.link import mqtt
from kit.protocol import topics

ROOM = "room-e2e"
PUPILS = 8
PRESSES = 5
LESSON = Path(__file__).parent / "lesson.yaml"


async def test_a_whole_classroom_across_processes(kit_home: Path, tmp_path: Path,
                                                  procs: list[Proc]) -> None:
    port = free_port()
    db = tmp_path / "kit.db"
    broker = f"mqtt://127.0.0.1:{port}"

    # The teacher's console credential exists before the hub starts, as on a classroom laptop
    # set up the day before (the other parts make theirs as they start).
    teacher = config.station_address(BrokerAddress.parse(broker), role="teacher",
                                     station="console", room=ROOM)
    hub = await start(procs, "hub", "--port", str(port), "--store", f"sqlite:///{db}", "--progress")
    await hub.until('"ready": true')
    room = Room()
    async with mqtt.client(teacher) as watch:
        await watch.subscribe(topics.lesson_state(ROOM), qos=1)
        await watch.subscribe(topics.all_station_states(ROOM), qos=1)

        async def follow() -> None:
            with contextlib.suppress(aiomqtt.MqttError):
                async for m in watch.messages:
                    room.on(str(m.topic), bytes(m.payload))  # type: ignore[arg-type]

        follower = asyncio.create_task(follow())
        screen = await start(procs, "screen", "--room", ROOM, "--broker", broker, "--headless",
                             "--screenshots", str(tmp_path / "screens"))
        await room.until(lambda: room.screen.get("state") == "online", "the screen came online")
        gateway = await start(procs, "gateway", "--room", ROOM, "--broker", broker,
                              "--sim", str(PUPILS), "--presses", str(PRESSES),
                              "--leave-after", "6", stdin=True)
        await room.until(lambda: sum(1 for s, v in room.stations.items() if s.startswith("mb-")
                                     and v.get("state") == "joined") == PUPILS,
                         "every simulated micro:bit joined")
        lesson = await start(procs, "lesson", "run", str(LESSON), "--room", ROOM,
                             "--broker", broker, "--stand-ins")
        await room.until(lambda: len(room.seated) == PUPILS, "the lesson seated every pupil")
        seats = sorted(m["seat"] for m in room.seated)
        assert seats == list(range(1, PUPILS + 1))

        await watch.publish(topics.lesson_command(ROOM, "start"), b"", qos=1)
        await gateway.until(f"pressed {PUPILS * PRESSES} times")
        await room.until(lambda: room.screen.get("inputs") == PUPILS * PRESSES
                         and room.screen.get("phase") == "playing",
                         "the screen saw every press and is playing the mural")
        assert room.screen.get("seats") == PUPILS

        # A pupil's micro:bit goes quiet: the screen shows them reconnecting, then seats them
        # again in the same seat when it comes back.
        await gateway.send("off 3")
        await room.until(lambda: room.screen.get("reconnecting") == 1, "reconnecting shows")
        await gateway.send("on 3")
        await room.until(lambda: room.screen.get("reconnecting") == 0, "the pupil is back")
        assert room.screen.get("seats") == PUPILS

        # The teacher ends the mural; the lesson hears it and finishes by itself.
        await watch.publish(topics.station_command(ROOM, "screen", "end"), b"", qos=1)
        assert await lesson.wait() == 0, lesson.output
        follower.cancel()
    assert "lesson ended" in lesson.output
    moved = [float(line.split("travelled ")[1].split()[0]) for line in lesson.lines
             if "travelled" in line]
    assert moved and all(m > 0 for m in moved), lesson.output

    await screen.stop()
    await gateway.stop()
    await hub.stop()

    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT kind, pupil, station, data FROM events").fetchall()
        runs = dict(con.execute("SELECT station, group_concat(DISTINCT coalesce(run, '-')) "
                                "FROM events WHERE station IN ('screen', 'lesson-room-e2e') "
                                "AND pupil IS NOT NULL GROUP BY station").fetchall())
    # What pupils did on the screen belongs to the lesson's run, as the lesson's own events do.
    assert runs["screen"] == runs["lesson-room-e2e"] and "," not in runs["screen"], runs
    inputs = [json.loads(d) for k, _, s, d in rows if k == "input"]
    presses = [(d["controller"], d["seq"]) for d in inputs]
    assert len(presses) == PUPILS * PRESSES, "every press is in the store"
    assert len(set(presses)) == len(presses), "and each only once"
    ends = [json.loads(d) for k, _, s, d in rows if k == "activity" and s == "screen"
            and json.loads(d).get("action") == "end"]
    assert [(e["step"], e["reason"]) for e in ends] == [("mural", "teacher")]
    pupils = {p for k, p, _, _ in rows if k == "join" and p}
    assert len(pupils) == PUPILS

    report = await start(procs, "report", "--store", f"sqlite:///{db}",
                         "--csv", str(tmp_path / "r.csv"))
    assert await report.wait() == 0, report.output
    csv = (tmp_path / "r.csv").read_text()
    for pupil in pupils:
        assert pupil in csv, f"{pupil} is missing from the report"
