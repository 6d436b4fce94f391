"""The live class: who is present, who has not acted yet in this step, which stations are
connected, and the flags raised so far, kept from the room's MQTT traffic.

:class:`LiveClass` is pure (fed decoded events and state messages); :class:`LiveRooms` holds
one per room and tells subscribers (the dashboard's server-sent event streams) when a room
changed; :func:`follow` is the MQTT side, logged in with the hub role, reconnecting on loss.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiomqtt

from kit.clock import Clock
from kit.config import BrokerAddress
from kit.insight.metrics import CONTRIBUTION_KINDS
from kit.protocol import topics
from kit.protocol.envelope import Event, Rejected, decode_event

log = logging.getLogger(__name__)


@dataclass(slots=True)
class LivePupil:
    pupil: str
    team: str
    present: bool = True
    acted: bool = False  # in the current step
    contributions: int = 0  # in this lesson run
    passes: int = 0


@dataclass
class LiveClass:
    room: str
    run: str | None = None
    step: str | None = None
    step_title: str | None = None
    lesson_status: str | None = None
    pupils: dict[str, LivePupil] = field(default_factory=dict)
    stations: dict[str, str] = field(default_factory=dict)
    flags: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0
    last_ts: str | None = None

    def apply_event(self, ev: Event) -> None:
        if ev.run and ev.run != self.run:
            # A new lesson run: everyone starts absent and not yet acted.
            self.run = ev.run
            self.step = None
            self.pupils.clear()
        self.last_ts = ev.ts
        if ev.kind == "step" and ev.data.get("action") == "start":
            self.step = str(ev.data.get("step") or "")
            for each in self.pupils.values():
                each.acted = False
        elif ev.kind == "lesson":
            self.lesson_status = str(ev.data.get("action") or "")
        if ev.pupil is None:
            self.version += 1
            return
        p = self.pupils.get(ev.pupil)
        if p is None:
            p = LivePupil(ev.pupil, ev.team or "-")
            self.pupils[ev.pupil] = p
        if ev.team:
            p.team = ev.team
        if ev.kind == "leave":
            p.present = False
        else:
            p.present = True
        if ev.kind in CONTRIBUTION_KINDS:
            p.acted = True
            p.contributions += 1
        elif ev.kind == "pass":
            p.passes += 1
        self.version += 1

    def apply_station_state(self, station: str, state: dict[str, Any]) -> None:
        self.stations[station] = str(state.get("state", "unknown"))
        self.version += 1

    def apply_lesson_state(self, state: dict[str, Any]) -> None:
        step = state.get("step")
        if isinstance(step, dict):
            self.step_title = str(step.get("title") or step.get("id") or "")
        self.lesson_status = str(state.get("status") or self.lesson_status or "")
        self.version += 1

    def snapshot(self, names: dict[str, str]) -> dict[str, Any]:
        teams: dict[str, list[dict[str, Any]]] = {}
        for p in sorted(self.pupils.values(), key=lambda p: (p.team, names.get(p.pupil, ""),
                                                              p.pupil)):
            teams.setdefault(p.team, []).append({
                "pupil": p.pupil, "name": names.get(p.pupil, ""), "present": p.present,
                "acted": p.acted, "contributions": p.contributions, "passes": p.passes})
        present = [p for p in self.pupils.values() if p.present]
        return {
            "room": self.room, "run": self.run, "step": self.step, "step_title": self.step_title,
            "lesson": self.lesson_status, "version": self.version, "last": self.last_ts,
            "present": len(present), "waiting": sum(1 for p in present if not p.acted),
            "teams": [{"team": t, "pupils": ps} for t, ps in teams.items()],
            "stations": dict(sorted(self.stations.items())),
            "flags": self.flags,
        }


class LiveRooms:
    """One :class:`LiveClass` per room, and the queues of the pages watching each."""

    def __init__(self) -> None:
        self.rooms: dict[str, LiveClass] = {}
        self._watchers: dict[str, set[asyncio.Queue[None]]] = {}
        #: called with each step or lesson event (the dashboard looks for new flags then)
        self.on_step: Callable[[Event], None] | None = None
        #: whether the MQTT subscription is in place (the page says so)
        self.following = False

    def room(self, room: str) -> LiveClass:
        if room not in self.rooms:
            self.rooms[room] = LiveClass(room)
        return self.rooms[room]

    def watch(self, room: str) -> asyncio.Queue[None]:
        q: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._watchers.setdefault(room, set()).add(q)
        return q

    def unwatch(self, room: str, q: asyncio.Queue[None]) -> None:
        self._watchers.get(room, set()).discard(q)

    def set_following(self, following: bool) -> None:
        self.following = following
        for room in self._watchers:
            self.changed(room)

    def changed(self, room: str) -> None:
        for q in self._watchers.get(room, ()):
            if q.empty():
                q.put_nowait(None)

    def handle(self, topic: str, payload: bytes) -> None:
        """Apply one MQTT message to its room."""
        parsed = topics.parse(topic)
        if parsed is None:
            return
        live = self.room(parsed.room)
        if parsed.kind == "events":
            try:
                ev = decode_event(payload, topic_room=parsed.room, topic_station=parsed.station)
            except Rejected:
                return  # the recorder keeps rejected messages; the live view skips them
            live.apply_event(ev)
            if ev.kind in ("step", "lesson") and self.on_step:
                self.on_step(ev)
        elif parsed.kind in ("station-state", "lesson-state"):
            try:
                state = json.loads(payload) if payload else {}
            except ValueError:
                return
            if not isinstance(state, dict):
                return
            if parsed.kind == "station-state" and parsed.station:
                live.apply_station_state(parsed.station, state)
            else:
                live.apply_lesson_state(state)
        else:
            return
        self.changed(parsed.room)


async def follow(address: BrokerAddress, rooms: LiveRooms, clock: Clock, *,
                 room: str = "+", ready: asyncio.Event | None = None) -> None:
    """Follow the room's traffic over MQTT (as the hub role) until cancelled."""
    from kit.link.mqtt import client

    delay = 1.0
    while True:
        try:
            async with client(address, f"dashboard-{secrets.token_hex(4)}") as c:
                for filt in (topics.all_events(room), f"{topics.PREFIX}/{room}/station/+/state",
                             f"{topics.PREFIX}/{room}/lesson/state"):
                    await c.subscribe(filt, qos=1)
                delay = 1.0
                rooms.set_following(True)
                if ready is not None:
                    ready.set()
                async for message in c.messages:
                    payload = message.payload
                    rooms.handle(str(message.topic),
                                 payload if isinstance(payload, bytes) else str(payload).encode())
        except aiomqtt.MqttError as e:
            rooms.set_following(False)
            log.warning("dashboard lost the broker at %s (%s); trying again in %.0f s",
                        address.url, e, delay)
            await clock.sleep(delay)
            delay = min(delay * 2, 30.0)
