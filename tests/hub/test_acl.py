"""Who may do what: the rules themselves, and both brokers enforcing them against real
clients holding a station's credential."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import aiomqtt
import pytest
from conftest import login

from kit.config import BrokerAddress, Identity
from kit.hub import acl
from kit.hub.recorder import Recorder
from kit.hub.store import AsyncStore
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics


def who(role: str, station: str, room: str = "r") -> Identity:
    return Identity(f"{station}@{room}", "pw", role, room, station)


def test_rules() -> None:
    mural = who("station", "mural-1")
    assert acl.may_publish(mural, "kit/v1/r/events/mural-1")
    assert not acl.may_publish(mural, "kit/v1/r/events/mural-2")
    assert not acl.may_publish(mural, "kit/v1/other/events/mural-1")
    assert not acl.may_publish(mural, "kit/v1/r/lesson/pause/set")
    assert acl.may_publish(who("teacher", "console"), "kit/v1/r/lesson/pause/set")
    assert not acl.may_publish(who("teacher", "console"), "kit/v1/q/lesson/pause/set")
    assert not acl.may_subscribe(mural, "kit/v1/#")
    assert not acl.may_subscribe(mural, "kit/v1/+/events/+")
    assert not acl.may_subscribe(mural, "kit/v1/other/input/+")
    assert acl.may_subscribe(mural, "kit/v1/r/station/mural-1/+/set")
    assert acl.may_subscribe(mural, "kit/v1/r/hub/stored/mural-1")
    assert not acl.may_subscribe(mural, "kit/v1/r/hub/stored/mural-2")
    assert not acl.may_subscribe(mural, "$share/g/kit/v1/r/station/mural-1/+/set")
    assert acl.may_subscribe(who("hub", "rec", "*"), "$share/g/kit/v1/+/events/+")
    gw = who("gateway", "gateway-1")
    assert acl.may_publish(gw, "kit/v1/r/events/mb-abc")
    assert acl.may_publish(gw, "kit/v1/r/station/mb-abc/state")
    assert not acl.may_publish(gw, "kit/v1/r/station/lesson-r/state")
    assert not acl.may_publish(gw, "kit/v1/r/events/mural-1")
    assert not acl.may_publish(gw, "kit/v1/q/events/mb-abc")
    assert not acl.may_publish(who("nobody", "x"), "kit/v1/r/events/x")


def test_mosquitto_acl_narrows_the_gateway_to_controllers() -> None:
    users = [(i.username, i) for i in (who("gateway", "gateway-1"), who("teacher", "lesson-r"),
                                       who("station", "mural-1"))]
    text = acl.mosquitto_acl(users)
    block = text.split("user gateway-1@r\n")[1].split("\n\n")[0].splitlines()
    denies = [line for line in block if line.startswith("topic deny")]
    assert "topic deny kit/v1/r/station/lesson-r/state" in denies
    assert "topic deny kit/v1/r/events/mural-1" in denies
    assert block.index(denies[-1]) < block.index("topic write kit/v1/r/events/+")


async def test_station_cannot_read_the_participation_log(broker: BrokerAddress) -> None:
    """A station asking for everything gets nothing it may not read: the embedded broker
    refuses the subscription; Mosquitto grants it but delivers only what the ACL allows
    (presence, commands to itself). An event published first never arrives; the command to
    the station published after it does."""
    mural1 = await login(broker, role="station", station="mural-1")
    mural2 = await login(broker, role="station", station="mural-2")
    teacher_at = await login(broker, role="teacher", station="console")
    async with mqtt.client(mural1) as c:
        granted = await c.subscribe("kit/v1/#", qos=1)
        if broker.protocol != "5":
            assert [int(getattr(g, "value", g)) for g in granted] == [0x80]
        await c.subscribe(topics.station_commands("room-1", "mural-1"), qos=1)
        async with Station(mural2, room="room-1", station="mural-2") as other:
            await other.record("contribution", pupil="p-aaaa22")
            await other.flushed()
        async with mqtt.client(teacher_at) as teacher:
            await teacher.publish(topics.station_command("room-1", "mural-1", "show"), b"1",
                                  qos=1)
        seen = []
        async for message in c.messages:
            seen.append(str(message.topic))
            if seen[-1] == "kit/v1/room-1/station/mural-1/show/set":
                break
        assert not [t for t in seen if "/events/" in t], seen


async def test_station_cannot_speak_for_another_station_room_or_the_lesson(
        broker: BrokerAddress) -> None:
    """Forbidden messages published before an allowed one never arrive: the watcher sees
    the allowed one first (same connection, so order is kept)."""
    watcher_at = await login(broker, role="hub", station="watcher")
    mural1 = await login(broker, role="station", station="mural-1")
    await login(broker, role="teacher", station="lesson-room-1")
    gateway = await login(broker, role="gateway", station="gateway-1")
    async with mqtt.client(watcher_at) as watcher:
        await watcher.subscribe("kit/v1/+/events/+", qos=1)
        await watcher.subscribe("kit/v1/+/station/+/state", qos=1)
        async with mqtt.client(mural1) as st:
            await st.publish(topics.events("room-1", "mural-2"), b"forged", qos=1)
            await st.publish(topics.events("room-2", "mural-1"), b"other room", qos=1)
            await st.publish(topics.station_state("room-1", "lesson-room-1"), b"lost", qos=1)
            await st.publish(topics.events("room-1", "mural-1"), b"honest", qos=1)
        message = await anext(aiter(watcher.messages))
        assert (str(message.topic), message.payload) == ("kit/v1/room-1/events/mural-1",
                                                         b"honest")
        async with mqtt.client(gateway) as gw:
            await gw.publish(topics.station_state("room-1", "lesson-room-1"), b"lost", qos=1)
            await gw.publish(topics.events("room-1", "mural-1"), b"forged", qos=1)
            await gw.publish(topics.events("room-1", "mb-abc"), b"controller", qos=1)
        message = await anext(aiter(watcher.messages))
        assert (str(message.topic), message.payload) == ("kit/v1/room-1/events/mb-abc",
                                                         b"controller")


async def test_station_cannot_read_another_rooms_controllers(broker: BrokerAddress) -> None:
    spy = await login(broker, role="station", station="mural-1", room="room-2")
    gateway = await login(broker, role="gateway", station="gateway-1")
    async with mqtt.client(spy) as c:
        await c.subscribe("kit/v1/room-1/input/+", qos=1)
        await c.subscribe(topics.station_commands("room-2", "mural-1"), qos=1)
        async with mqtt.client(gateway) as gw:
            await gw.publish(topics.controller_input("room-1", "mb-abc"), b"p-secret1", qos=1)
        teacher = await login(broker, role="teacher", station="console", room="room-2")
        async with mqtt.client(teacher) as t:
            await t.publish(topics.station_command("room-2", "mural-1", "show"), b"1", qos=1)
        message = await anext(aiter(c.messages))
        assert str(message.topic) == "kit/v1/room-2/station/mural-1/show/set"


async def test_only_the_teacher_sends_lesson_commands(broker: BrokerAddress) -> None:
    watcher_at = await login(broker, role="hub", station="watcher")
    mural1 = await login(broker, role="station", station="mural-1")
    teacher_at = await login(broker, role="teacher", station="console")
    async with mqtt.client(watcher_at) as watcher:
        await watcher.subscribe("kit/v1/+/lesson/+/set", qos=1)
        async with mqtt.client(mural1) as st:
            await st.publish(topics.lesson_command("room-1", "end"), b"{}", qos=1)
        async with mqtt.client(teacher_at) as teacher:
            await teacher.publish(topics.lesson_command("room-1", "pause"), b"{}", qos=1)
        message = await anext(aiter(watcher.messages))
        assert str(message.topic) == "kit/v1/room-1/lesson/pause/set"


@pytest.mark.parametrize("password", ["wrong", ""])
async def test_wrong_password_is_refused(broker: BrokerAddress, password: str) -> None:
    good = await login(broker, role="station", station="mural-1")
    with pytest.raises(aiomqtt.MqttError):
        async with mqtt.client(replace(good, password=password)):
            pass


async def test_a_credential_cannot_be_used_under_another_client_id(
        broker: BrokerAddress) -> None:
    """The embedded broker refuses it; Mosquitto renames the client to its user name."""
    mural1 = await login(broker, role="station", station="mural-1")
    await login(broker, role="station", station="mural-2")
    spoof = replace(mural1, role=None)  # a hand-made client choosing its own id
    if broker.protocol != "5":
        with pytest.raises(aiomqtt.MqttError):
            async with mqtt.client(spoof, "mural-2@room-1"):
                pass
    watcher_at = await login(broker, role="hub", station="watcher")
    async with mqtt.client(watcher_at) as watcher:
        await watcher.subscribe("kit/v1/+/events/+", qos=1)
        with_other_id = mqtt.client(spoof, "mural-2@room-1")
        try:
            async with with_other_id as c:
                await c.publish(topics.events("room-1", "mural-2"), b"forged", qos=1)
                await c.publish(topics.events("room-1", "mural-1"), b"honest", qos=1)
        except aiomqtt.MqttError:
            async with mqtt.client(mural1) as c:
                await c.publish(topics.events("room-1", "mural-1"), b"honest", qos=1)
        message = await anext(aiter(watcher.messages))
        assert message.payload == b"honest"


@pytest.mark.parametrize("how", ["wrong password", "no password", "station credential"])
async def test_taking_the_recorders_client_id_leaves_recording_intact(
        broker: BrokerAddress, tmp_path: Path, how: str) -> None:
    hub_at = await login(broker, role="hub", station="kit-recorder-main", room="*")
    station_at = await login(broker, role="station", station="st-1")
    async with AsyncStore(f"sqlite:///{tmp_path / 'kit.db'}") as store:
        ready = asyncio.Event()
        recorder = Recorder(hub_at, store, name="main", on_ready=ready.set)
        task = asyncio.create_task(recorder.run())
        await asyncio.wait_for(ready.wait(), 60)
        async with Station(station_at, room="room-1", station="st-1") as st:
            for _ in range(10):
                await st.record("contribution", pupil="p-aaaa11")
            await asyncio.wait_for(st.stored(), 60)
            attacker = {"wrong password": replace(hub_at, password="x", role=None),
                        "no password": replace(hub_at, password=None, role=None),
                        "station credential": replace(station_at, role=None)}[how]
            for clean in (True, False):
                client = mqtt.client(attacker, hub_at.username, persistent=not clean)
                try:
                    async with client:
                        await client.subscribe(topics.all_events(), qos=1)
                except aiomqtt.MqttError:
                    pass
            for _ in range(10):
                await st.record("contribution", pupil="p-aaaa11")
            await asyncio.wait_for(st.stored(), 60)
        task.cancel()
        assert await store.call(lambda s: s.count_events()) == 20
        assert recorder.stats.received >= 20
