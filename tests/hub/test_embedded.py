"""The embedded broker routes every message it has acknowledged to every subscriber, whatever
happens to the other subscriptions meanwhile."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from conftest import login

from kit.config import BrokerAddress
from kit.hub import embedded
from kit.hub.service import free_port
from kit.link import mqtt
from kit.protocol import encode_event, topics
from kit.protocol.envelope import new_event


async def test_a_subscription_removed_while_a_message_is_routed_skips_no_other_subscriber(
        kit_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two clients follow every event. While the broker checks whether the first may receive
    a message (it awaits there), that client's subscriptions are removed, as amqtt does when
    it cleans up a closed clean session; the second client still gets the message."""
    from datetime import UTC, datetime

    from amqtt.contexts import Action

    port = free_port()
    broker = BrokerAddress("127.0.0.1", port)
    async with embedded.EmbeddedBroker(port) as hub:
        first = await login(broker, role="hub", station="kit-monitor-a")
        second = await login(broker, role="hub", station="kit-monitor-b")
        original = embedded.KitTopicPlugin.topic_filtering
        removed = asyncio.Event()

        async def filtering(self: Any, *, session: Any = None, topic: str | None = None,
                            action: Any = None) -> bool:
            allowed = await original(self, session=session, topic=topic, action=action)
            if (action == Action.RECEIVE and session.client_id == first.client_id
                    and not removed.is_set()):
                await hub._broker._del_all_subscriptions(session)
                removed.set()
            return allowed

        monkeypatch.setattr(embedded.KitTopicPlugin, "topic_filtering", filtering)
        async with mqtt.client(first) as a, mqtt.client(second) as b:
            await a.subscribe(topics.all_events(), qos=1)  # first in the broker's list
            await b.subscribe(topics.all_events(), qos=1)
            station = await login(broker, role="station", station="st-1")
            payload = encode_event(new_event(room="room-1", station="st-1", seq=0,
                                             kind="contribution", at=datetime.now(UTC)))
            async with mqtt.client(station) as st:
                await st.publish(topics.events("room-1", "st-1"), payload, qos=1)
            message = await asyncio.wait_for(anext(aiter(b.messages)), 30)
        assert removed.is_set()
        assert message.payload == payload
