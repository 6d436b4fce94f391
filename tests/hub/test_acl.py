"""Who may do what: the rules themselves, and both brokers enforcing them."""

from __future__ import annotations

import aiomqtt
import pytest

from kit.config import BrokerAddress
from kit.hub import acl
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics


def test_rules() -> None:
    assert acl.may_publish("station", "mural-1", "kit/v1/r/events/mural-1")
    assert not acl.may_publish("station", "mural-1", "kit/v1/r/events/mural-2")
    assert not acl.may_publish("station", "mural-1", "kit/v1/r/lesson/pause/set")
    assert acl.may_publish("teacher", "console", "kit/v1/r/lesson/pause/set")
    assert not acl.may_subscribe("station", "mural-1", "kit/v1/#")
    assert not acl.may_subscribe("station", "mural-1", "kit/v1/+/events/+")
    assert acl.may_subscribe("station", "mural-1", "kit/v1/r/station/mural-1/+/set")
    assert acl.may_subscribe("hub", "rec", "$share/recorders/kit/v1/+/events/+")
    assert not acl.may_publish("nobody", "x", "kit/v1/r/events/x")
    assert not acl.may_publish("station", "a/#", "kit/v1/r/events/a/#")


def test_mosquitto_acl_file_has_every_rule() -> None:
    text = acl.mosquitto_acl()
    assert "user station" in text and "pattern write kit/v1/+/events/%c" in text
    assert "topic read kit/v1/#" in text


async def test_station_cannot_read_the_participation_log(broker: BrokerAddress,
                                                         creds: dict[str, str]) -> None:
    """A station asking for everything gets nothing it may not read: the embedded broker
    refuses the subscription; Mosquitto grants it but delivers only what the ACL allows
    (presence, commands to itself). An event published first never arrives; the command to
    the station published after it does."""
    async with mqtt.client(broker.as_role("station", creds), "mural-1") as c:
        granted = await c.subscribe("kit/v1/#", qos=1)
        if broker.protocol != "5":
            assert [int(getattr(g, "value", g)) for g in granted] == [0x80]
        await c.subscribe(topics.station_commands("room-1", "mural-1"), qos=1)
        async with Station(broker.as_role("station", creds), room="room-1",
                           station="mural-2") as other:
            await other.record("contribution", pupil="p-aaaa22")
            await other.flushed()
        async with mqtt.client(broker.as_role("teacher", creds), "console") as teacher:
            await teacher.publish(topics.station_command("room-1", "mural-1", "show"), b"1",
                                  qos=1)
        seen = []
        async for message in c.messages:
            seen.append(str(message.topic))
            if seen[-1] == "kit/v1/room-1/station/mural-1/show/set":
                break
        assert not [t for t in seen if "/events/" in t], seen


async def test_station_cannot_publish_as_another(broker: BrokerAddress,
                                                 creds: dict[str, str]) -> None:
    """A forbidden message published before an allowed one never arrives: the watcher sees
    the allowed one first (same connection, so order is kept)."""
    async with mqtt.client(broker.as_role("hub", creds), "watcher") as watcher:
        await watcher.subscribe(topics.all_events(), qos=1)
        async with mqtt.client(broker.as_role("station", creds), "mural-1") as st:
            await st.publish(topics.events("room-1", "mural-2"), b"forged", qos=1)
            await st.publish(topics.events("room-1", "mural-1"), b"honest", qos=1)
        message = await anext(aiter(watcher.messages))
        assert message.payload == b"honest"
        assert str(message.topic).endswith("/mural-1")


async def test_only_the_teacher_sends_lesson_commands(broker: BrokerAddress,
                                                      creds: dict[str, str]) -> None:
    async with mqtt.client(broker.as_role("hub", creds), "watcher") as watcher:
        await watcher.subscribe("kit/v1/+/lesson/+/set", qos=1)
        async with mqtt.client(broker.as_role("station", creds), "mural-1") as st:
            await st.publish(topics.lesson_command("room-1", "end"), b"{}", qos=1)
        async with mqtt.client(broker.as_role("teacher", creds), "console") as teacher:
            await teacher.publish(topics.lesson_command("room-1", "pause"), b"{}", qos=1)
        message = await anext(aiter(watcher.messages))
        assert str(message.topic) == "kit/v1/room-1/lesson/pause/set"


@pytest.mark.parametrize("password", ["wrong", ""])
async def test_wrong_password_is_refused(broker: BrokerAddress, creds: dict[str, str],
                                         password: str) -> None:
    address = BrokerAddress(broker.host, broker.port, "station", password, broker.protocol)
    with pytest.raises(aiomqtt.MqttError):
        async with mqtt.client(address, "mural-1"):
            pass


async def test_presence_is_retained_with_a_last_will(broker: BrokerAddress,
                                                     creds: dict[str, str]) -> None:
    async with Station(broker.as_role("station", creds), room="room-1", station="mural-1") as st:
        await st.connected()
    async with mqtt.client(broker.as_role("teacher", creds), "console") as c:
        await c.subscribe(topics.station_state("room-1", "mural-1"), qos=1)
        message = await anext(aiter(c.messages))
        assert message.retain and b'"offline"' in bytes(message.payload)  # type: ignore[arg-type]
