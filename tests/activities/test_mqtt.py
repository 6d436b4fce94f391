"""Through a real broker: controller input reaches an activity, its events reach the hub."""

from __future__ import annotations

import asyncio
import contextlib

from kit.activities import catalog
from kit.activities.inputs import InputQueue, pump_mqtt
from kit.activities.recording import StationRecorder
from kit.activities.session import Session
from kit.config import BrokerAddress, station_address
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics
from kit.protocol.envelope import decode_event
from kit.protocol.inputs import Input

ROOM = "room-7b"


async def test_controller_input_plays_and_events_are_published(
        embedded: BrokerAddress, creds: dict[str, str]) -> None:
    queue = InputQueue()
    hub = mqtt.client(station_address(embedded, role="hub", station="hub-test", room=ROOM))
    gateway = mqtt.client(station_address(embedded, role="gateway",
                                          station="gateway-test", room=ROOM))
    teacher = mqtt.client(station_address(embedded, role="teacher",
                                          station="teacher-test", room=ROOM))
    station = Station(station_address(embedded, role="station", station="mural-1", room=ROOM),
                room=ROOM, station="mural-1",
                      subscriptions=(topics.all_inputs(ROOM),))
    async with hub, gateway, teacher, station, asyncio.timeout(20):
        await hub.subscribe(topics.all_events(ROOM), qos=1)
        await station.connected()
        rec = StationRecorder(station)
        session = Session(catalog.activity_class("pixel-mural"),
                          catalog.PixelMuralParams(), recorder=rec)
        tasks = [asyncio.create_task(rec.pump()),
                 asyncio.create_task(pump_mqtt(station.messages(), queue))]
        try:
            for i, c in enumerate(("mb-tupaz", "mb-gevop")):
                await gateway.publish(topics.controller_input(ROOM, c),
                                      Input(c, 0, "pair", pupil=f"p-k3v9q{i}").encode(), qos=1)
            await gateway.publish(topics.controller_input(ROOM, "mb-bad"), b"{nonsense", qos=1)
            await queue.wait(2)
            for inp in queue.drain():
                session.handle(inp)
            assert [s.controller for s in session.seats.seats] == ["mb-tupaz", "mb-gevop"]

            await teacher.publish(topics.station_command(ROOM, "mural-1", "start"), b"", qos=1)
            await queue.wait()
            session.command(queue.commands.popleft())
            assert session.phase == "playing"
            await gateway.publish(topics.controller_input(ROOM, "mb-tupaz"),
                                  Input("mb-tupaz", 1, "A", pupil="p-k3v9q0").encode(), qos=1)
            await queue.wait()
            for inp in queue.drain():
                session.handle(inp)
            assert len(session.activity.painted) == 1  # type: ignore[attr-defined]

            seen: list[tuple[str, str | None]] = []
            async for m in hub.messages:
                ev = decode_event(m.payload)  # type: ignore[arg-type]
                assert ev.station == "mural-1" and ev.room == ROOM
                seen.append((ev.kind, ev.pupil))
                if ev.kind == "contribution":
                    break
            assert seen == [("join", "p-k3v9q0"), ("join", "p-k3v9q1"),
                            ("turn-start", "p-k3v9q0"), ("turn-start", "p-k3v9q1"),
                            ("contribution", "p-k3v9q0")]
            assert queue.rejected == 1
        finally:
            for t in tasks:
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await t


async def test_kit_activity_run_records_simulated_pupils_on_the_hub(
        embedded: BrokerAddress, creds: dict[str, str]) -> None:
    import json

    from kit.activities.app import App, AppOptions

    hub = mqtt.client(station_address(embedded, role="hub", station="hub-test-2", room=ROOM))
    async with hub, asyncio.timeout(20):
        await hub.subscribe(topics.all_events(ROOM), qos=1)
        await hub.subscribe(topics.station_state(ROOM, "orchestra-1"), qos=1)
        opts = AppOptions(name="class-orchestra", room=ROOM, station="orchestra-1",
                          broker=embedded.url, players=3, sim=True, headless=True,
                          size=(320, 180), seconds=0.2, start_after=0.2)
        app = App(opts, catalog.ClassOrchestraParams())
        await app.run()
        joins: set[str | None] = set()
        states: list[dict[str, object]] = []
        async for m in hub.messages:
            if m.topic.matches(topics.all_events(ROOM)):
                ev = decode_event(m.payload)  # type: ignore[arg-type]
                if ev.kind == "join":
                    joins.add(ev.pupil)
            else:
                states.append(json.loads(m.payload))  # type: ignore[arg-type]
            if len(joins) == 3 and any(s.get("phase") == "playing" for s in states):
                break
        assert joins == {"p-sim01", "p-sim02", "p-sim03"}
        assert {"activity": "class-orchestra", "seats": 3} .items() <= states[-1].items()
