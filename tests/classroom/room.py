"""The teacher's view of a room over MQTT, for the tests that run the classroom as processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import aiomqtt

from kit.config import BrokerAddress
from kit.link import mqtt
from kit.protocol import topics


class Room:
    """The teacher's view of the room: the retained lesson state and every station's
    presence, as they change."""

    def __init__(self) -> None:
        self.lesson: dict[str, Any] = {}
        self.stations: dict[str, dict[str, Any]] = {}
        self.changed = asyncio.Event()

    def on(self, topic: str, payload: bytes) -> None:
        parsed = topics.parse(topic)
        try:
            obj = json.loads(payload)
        except ValueError:
            return
        if parsed is None or not isinstance(obj, dict):
            return
        if parsed.kind == "lesson-state":
            self.lesson = obj
        elif parsed.kind == "station-state" and parsed.station:
            self.stations[parsed.station] = obj
        self.changed.set()

    async def until(self, cond: Callable[[], bool], what: str, limit_s: float = 180) -> None:
        async def wait() -> None:
            while not cond():
                self.changed.clear()
                await self.changed.wait()
        try:
            await asyncio.wait_for(wait(), limit_s)
        except TimeoutError as e:
            raise AssertionError(f"{what}; lesson {self.lesson.get('status')}, stations "
                                 f"{ {k: v.get('state') for k, v in self.stations.items()} }, "
                                 f"screen {self.stations.get('screen')}") from e

    @property
    def seated(self) -> list[dict[str, Any]]:
        return [m for t in self.lesson.get("teams") or [] for m in t.get("members") or []]

    @property
    def screen(self) -> dict[str, Any]:
        return self.stations.get("screen", {})

    async def follow(self, address: BrokerAddress, room: str) -> None:
        """Keep the view up to date until cancelled, coming back after a broker outage as a
        teacher's console does (the stations send their retained state again)."""
        while True:
            with contextlib.suppress(aiomqtt.MqttError):
                async with mqtt.client(address) as watch:
                    await watch.subscribe(topics.lesson_state(room), qos=1)
                    await watch.subscribe(topics.all_station_states(room), qos=1)
                    async for m in watch.messages:
                        self.on(str(m.topic), bytes(m.payload))  # type: ignore[arg-type]
            await asyncio.sleep(0.1)  # the broker is away: try again


async def say(address: BrokerAddress, topic: str, payload: bytes = b"") -> None:
    """One teacher command, on a connection of its own (retried while the broker is away)."""
    while True:
        try:
            async with mqtt.client(address) as client:
                await client.publish(topic, payload, qos=1)
                return
        except aiomqtt.MqttError:
            await asyncio.sleep(0.1)
