"""Adapters between the engine and the classroom hub: the engine as a teacher-role station.

* :class:`StationSink` records the engine's participation events through a
  :class:`~kit.link.station.Station` and publishes the retained lesson state.
* :func:`commands` turns teacher commands (``kit/v1/<room>/lesson/<cmd>/set``) into engine
  calls; the broker lets only the teacher role publish there.
* :func:`inputs` yields live controller input from ``kit/v1/<room>/input/+``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

from kit.config import BrokerAddress
from kit.lesson.engine import Engine
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics
from kit.protocol.envelope import Rejected
from kit.protocol.inputs import Input, decode_input

log = logging.getLogger(__name__)


def station_for(address: BrokerAddress, room: str, *, run: str | None = None,
                **kw: Any) -> Station:
    """The engine's station: client id ``lesson-<room>``, subscribed to lesson commands."""
    return Station(address, room=room, station=f"lesson-{room}", run=run,
                   subscriptions=(topics.lesson_commands(room),), **kw)


class StationSink:
    def __init__(self, station: Station) -> None:
        self.station = station

    async def record(self, kind: str, *, pupil: str | None = None, team: str | None = None,
                     data: Mapping[str, Any] | None = None) -> None:
        await self.station.record(kind, pupil=pupil, team=team, data=data)

    async def publish_state(self, state: dict[str, Any]) -> None:
        await self.station.publish(topics.lesson_state(self.station.room), state, retain=True)


async def commands(station: Station, engine: Engine) -> None:
    """Apply teacher commands as they arrive (until cancelled)."""
    async for message in station.messages():
        parsed = topics.parse(str(message.topic))
        if parsed is None or parsed.kind != "lesson-command" or parsed.command is None:
            continue
        payload = message.payload
        arg = payload.decode("utf-8", "replace") if isinstance(payload, bytes | bytearray) \
            else str(payload or "")
        if not await engine.command(parsed.command, arg[:100]):
            # refused (unknown, or a wrong argument): the engine carries on and its state
            # tells the teacher why
            log.info("lesson command %r refused: %s", parsed.command, engine.notice)


async def inputs(address: BrokerAddress, room: str, client_id: str) -> AsyncIterator[Input]:
    """Controller input published by the radio gateway (or the simulator)."""
    async with mqtt.client(address, client_id) as client:
        await client.subscribe(topics.all_inputs(room), qos=1)
        async for message in client.messages:
            payload = message.payload
            if not isinstance(payload, bytes | bytearray):
                continue
            try:
                yield decode_input(bytes(payload))
            except Rejected as e:
                log.info("ignored controller input on %s: %s", message.topic, e)
