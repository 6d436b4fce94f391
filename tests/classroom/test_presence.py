"""Presence drives "reconnecting" on every screen, not only the lesson's shared screen."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from kit.activities.inputs import InputQueue, pump_mqtt
from kit.protocol import topics


@dataclass
class Message:
    topic: str
    payload: bytes


async def _messages(*items: Message) -> AsyncIterator[Message]:
    for m in items:
        yield m


async def test_a_controller_the_gateway_says_has_left_is_marked_lost() -> None:
    queue = InputQueue()
    left = Message(topics.station_state("room-1", "mb-a1b2c3"), json.dumps(
        {"state": "left", "last_seen": "2026-01-12T09:00:00Z"}).encode())
    joined = Message(topics.station_state("room-1", "mb-d4e5f6"), b'{"state":"joined"}')
    garbage = Message(topics.station_state("room-1", "mb-000001"), b"\xff not json")
    await pump_mqtt(_messages(left, joined, garbage), queue)
    assert list(queue.lost) == ["mb-a1b2c3"]
