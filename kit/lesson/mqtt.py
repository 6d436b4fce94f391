"""Adapters between the engine and the classroom hub: the engine as a teacher-role station.

* :class:`StationSink` records the engine's participation events through a
  :class:`~kit.link.station.Station` and publishes the retained lesson state.
* :func:`commands` turns teacher commands (``kit/v1/<room>/lesson/<cmd>/set``) into engine
  calls; the broker lets only the teacher role publish there.
* :func:`inputs` yields live controller input from ``kit/v1/<room>/input/+``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

from kit.config import BrokerAddress
from kit.lesson import schema
from kit.lesson.engine import Engine
from kit.lesson.roster import Seat
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics
from kit.protocol.envelope import Rejected, decode_event
from kit.protocol.inputs import Fresh, Input, decode_input
from kit.protocol.screen import ActivityStart, SeatInfo, activity_end

log = logging.getLogger(__name__)


def station_for(address: BrokerAddress, room: str, *, run: str | None = None,
                screen: str | None = None, **kw: Any) -> Station:
    """The engine's station: client id ``lesson-<room>``, subscribed to lesson commands; with
    a ``screen``, also to controller input and presence and the screen's events (see
    :func:`listen`)."""
    subs: tuple[str, ...] = (topics.lesson_commands(room),)
    if screen is not None:
        subs += (topics.all_inputs(room), topics.all_station_states(room),
                 topics.events(room, screen))
    return Station(address, room=room, station=f"lesson-{room}", run=run, subscriptions=subs,
                   **kw)


class ScreenLink:
    """The shared screen over MQTT (:mod:`kit.protocol.screen`), for the engine."""

    def __init__(self, station: Station, screen: str, *, lang: str | None = None) -> None:
        self.station = station
        self.screen = screen
        self.lang = lang
        self.step: str | None = None
        self.ended: dict[str, dict[str, Any]] = {}  # step -> the end the screen reported

    async def start(self, step: schema.ActivityStep, seats: list[Seat],
                    roles: Mapping[str, str], seconds: float | None) -> None:
        self.step = step.id
        start = ActivityStart(
            name=step.activity, step=step.id, run=self.station.run, seconds=seconds,
            params=dict(step.params), lang=self.lang,
            seats=tuple(SeatInfo(x.controller, x.pupil, x.team, x.number,
                                 roles.get(x.controller)) for x in seats))
        await self.station.publish(topics.station_command(self.station.room, self.screen,
                                                          "activity"), start.encode(),
                                   again=True)

    async def stop(self) -> None:
        self.step = None
        await self.station.publish(topics.station_command(self.station.room, self.screen,
                                                          "end"), b"", again=True)

    async def seat(self, seat: Seat) -> None:
        await self.station.publish(topics.station_command(self.station.room, seat.controller,
                                                          "seat"), str(seat.number),
                                   again=True)


async def listen(station: Station, engine: Engine, screen: ScreenLink | None = None, *,
                 present: dict[str, str] | None = None) -> None:
    """Everything the lesson hears, until cancelled: teacher commands; controller input (each
    press once, however often the broker delivers it); controllers appearing (seated at once,
    so their display shows a seat number); and the screen saying an activity is done.
    ``present`` collects every station's
    last presence state (``online``, ``joined``, ``left``, ``lost``...)."""
    fresh = Fresh()
    # Controllers seated from their presence: their first hello is not a second join.
    greeted: set[str] = set()
    async for message in station.messages():
        parsed = topics.parse(str(message.topic))
        payload = message.payload
        raw = bytes(payload) if isinstance(payload, bytes | bytearray) \
            else str(payload or "").encode()
        if parsed is None:
            continue
        try:
            if parsed.kind == "lesson-command" and parsed.command:
                if not await engine.command(parsed.command, raw.decode("utf-8", "replace")):
                    log.warning("unknown lesson command %r", parsed.command)
            elif parsed.kind == "input":
                inp = decode_input(raw)
                if fresh(inp):
                    if inp.gesture == "hello" and inp.controller in greeted:
                        greeted.discard(inp.controller)
                    else:
                        await engine.handle(inp)
            elif parsed.kind == "station-state" and parsed.station is not None:
                state = _state(raw)
                if present is not None and state is not None:
                    present[parsed.station] = state
                if (parsed.station.startswith("mb-") and state in ("joined", "online")
                        and parsed.station not in engine.roster.seats):
                    greeted.add(parsed.station)
                    await engine.handle(Input(parsed.station, 0, "pair"))
            elif parsed.kind == "events" and screen is not None:
                end = activity_end(decode_event(raw, topic_room=parsed.room,
                                                topic_station=parsed.station))
                if end is not None and end.step is not None:
                    screen.ended[end.step] = {"reason": end.reason, "outcome": end.outcome}
                    if end.step == screen.step and engine.step is not None \
                            and engine.step.id == end.step:
                        engine.activity_done()
        except (Rejected, ValueError) as e:
            log.info("ignored a message on %s: %s", message.topic, e)
        except Exception:
            # One message must never silence the lesson: log it and go on listening.
            log.exception("could not handle a message on %s", message.topic)


def _state(raw: bytes) -> str | None:
    try:
        obj = json.loads(raw)
    except ValueError:
        return None
    state = obj.get("state") if isinstance(obj, dict) else None
    return state if isinstance(state, str) else None


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
