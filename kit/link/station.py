"""A station: anything in the room that records participation events (an activity screen, the
lesson engine, the radio gateway speaking for pupils' controllers).

::

    async with Station(address, room="room-7b", station="mural-1") as st:
        await st.record("contribution", pupil="p-k3v9", team="red", data={"pixels": 4})
        async for message in st.messages():   # commands sent to this station
            ...

``record`` returns as soon as the event is in the outbox on disk; a background task publishes
it with QoS 1. The event leaves the outbox only when the hub's recorder says it is stored (its
commit mark on ``kit/v1/<room>/hub/stored/<station>``, end-to-end acknowledgement), not on the
broker's PUBACK: an event the broker acknowledged and then lost (a killed hub with its
embedded broker, a Mosquitto killed before saving) is sent again. It is sent again when an
event sent after it has been confirmed and it has waited ``confirm_after`` seconds, when no
mark at all came for a while (backing off up to five minutes: no hub is recording), and after
every reconnect. The hub stores each event id once, so a resend is harmless.

The connection comes back by itself after a broker outage, with backoff. ``flushed()`` waits
until the broker has acknowledged every event; ``stored()`` until the hub has stored them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import aiomqtt

from kit.clock import Clock, SystemClock
from kit.config import BrokerAddress
from kit.link import mqtt
from kit.link.outbox import Outbox
from kit.protocol import topics
from kit.protocol.envelope import Event, format_ts, new_event
from kit.protocol.ids import check_id

log = logging.getLogger(__name__)


class Station:
    def __init__(
        self,
        address: BrokerAddress,
        *,
        room: str,
        station: str,
        outbox: Path | str | None = None,
        run: str | None = None,
        clock: Clock | None = None,
        subscriptions: tuple[str, ...] = (),
        max_inflight: int = 100,
        confirm_after: float = 5.0,
    ) -> None:
        self.address = address
        self.room = check_id(room, "room")
        self.station = check_id(station, "station")
        self.run = run
        self.clock: Clock = clock or SystemClock()
        # The link keeps real time whatever ``clock`` says: a rehearsal's clock runs a lesson
        # 60 times faster, and resending after 5 of its seconds (83 ms) when the hub is busy
        # only makes it busier, until it falls behind for good.
        self._timer: Clock = SystemClock()
        self._outbox = Outbox(outbox)
        # The gateway records for the room's controllers: it follows every station's marks.
        marks = topics.commit_marks(room, "+" if address.role == "gateway" else station)
        self._subscriptions = (topics.station_commands(room, station), marks, *subscriptions)
        self._max_inflight = max_inflight
        self.confirm_after = confirm_after
        self._cursor = 0  # the last outbox row sent on this connection
        self._sent: dict[int, float] = {}  # row -> clock.monotonic() of its last send
        self._last_confirmed_send = float("-inf")  # send time of the newest confirmed row
        self._last_mark = 0.0
        self._stored = asyncio.Event()
        self.resent = 0
        self._wake = asyncio.Event()
        self._empty = asyncio.Event()
        self._connected = asyncio.Event()
        self._inbox: asyncio.Queue[aiomqtt.Message] = asyncio.Queue()
        self._retained: dict[str, bytes] = {}
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self.state = "starting"
        self.reconnects = 0

    # Lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Station:
        self._task = asyncio.create_task(self._link(), name=f"station-{self.station}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._task is None:
            return
        if self._client is not None and self._connected.is_set():
            with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                await self._client.publish(self._state_topic(self.station),
                                           self._presence("offline"), qos=1, retain=True)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        self._outbox.close()
        self.state = "closed"

    # Recording ----------------------------------------------------------------------------

    async def record(
        self,
        kind: str,
        *,
        pupil: str | None = None,
        team: str | None = None,
        data: Mapping[str, Any] | None = None,
        station: str | None = None,
        run: str | None = None,
    ) -> Event:
        """Make a participation event here, at its origin, and queue it durably."""
        origin = station or self.station
        event = new_event(room=self.room, station=origin, seq=self._outbox.next_seq(origin),
                          kind=kind, at=self.clock.now(), run=run or self.run, pupil=pupil,
                          team=team, data=data)
        self._outbox.put(event)
        self._empty.clear()
        self._stored.clear()
        self._wake.set()
        return event

    @property
    def pending(self) -> int:
        """Events recorded here that the hub has not yet said it stored."""
        return len(self._outbox)

    @property
    def unsent(self) -> int:
        """Events not yet acknowledged by the broker on the current connection."""
        return len(self._outbox.peek(after=self._cursor, limit=1_000_000))

    async def flushed(self) -> None:
        """Wait until every recorded event has been acknowledged by the broker (they stay in
        the outbox until the hub has stored them: see :meth:`stored`)."""
        while self.unsent:
            self._empty.clear()
            self._wake.set()
            await self._empty.wait()

    async def stored(self) -> None:
        """Wait until the hub has said it stored every event recorded here."""
        while self.pending:
            self._stored.clear()
            await self._stored.wait()

    async def connected(self) -> None:
        await self._connected.wait()

    # Other messages -----------------------------------------------------------------------

    async def publish(self, topic: str, payload: bytes | str | Mapping[str, Any], *,
                      retain: bool = False) -> None:
        """Publish a state or command message (not an event). Retained state is sent again
        after a reconnect; other messages need a connection."""
        data = _bytes(payload)
        if retain:
            self._retained[topic] = data
        if self._client is not None and self._connected.is_set():
            await self._client.publish(topic, data, qos=1, retain=retain)
        elif not retain:
            await self._connected.wait()
            assert self._client is not None
            await self._client.publish(topic, data, qos=1, retain=retain)

    async def set_presence(self, station: str, state: str, **info: Any) -> None:
        """Presence of a station this one speaks for (the gateway's pupil controllers)."""
        await self.publish(self._state_topic(station), self._presence(state, **info), retain=True)

    async def messages(self) -> AsyncIterator[aiomqtt.Message]:
        """Commands and other subscribed messages, as they arrive."""
        while True:
            yield await self._inbox.get()

    # The link -----------------------------------------------------------------------------

    def _state_topic(self, station: str) -> str:
        return topics.station_state(self.room, station)

    def _presence(self, state: str, **info: Any) -> bytes:
        return _bytes({"state": state, "ts": format_ts(self.clock.now()), **info})

    async def _link(self) -> None:
        delay = 0.05
        while True:
            will = aiomqtt.Will(self._state_topic(self.station), self._presence("lost"),
                                qos=1, retain=True)
            client = mqtt.client(self.address, self.station, will=will,
                                 max_inflight=self._max_inflight)
            try:
                async with client:
                    self._client = client
                    delay = 0.05
                    await client.publish(self._state_topic(self.station),
                                         self._presence("online"), qos=1, retain=True)
                    sent = dict(self._retained)
                    for topic, payload in sent.items():
                        await client.publish(topic, payload, qos=1, retain=True)
                    for sub in self._subscriptions:
                        await client.subscribe(sub, qos=1)
                    self.state = "online"
                    # Everything the hub has not confirmed goes again on a new connection.
                    self._cursor = 0
                    self._sent.clear()
                    self._last_mark = self._timer.monotonic()
                    self._connected.set()
                    # State set while the link was coming up was only kept, not sent: send
                    # what changed since the snapshot above, or it waits for the next outage.
                    for topic, payload in list(self._retained.items()):
                        if sent.get(topic) != payload:
                            await client.publish(topic, payload, qos=1, retain=True)
                    async with asyncio.TaskGroup() as tg:
                        tg.create_task(self._send(client), name=f"{self.station}-send")
                        tg.create_task(self._receive(client), name=f"{self.station}-receive")
                        tg.create_task(self._resend(client), name=f"{self.station}-resend")
            except* (aiomqtt.MqttError, TimeoutError, OSError) as group:
                self.state = "reconnecting"
                self.reconnects += 1
                log.info("station %s lost its broker link (%s); retrying in %.2fs",
                         self.station, group.exceptions[0], delay)
            except* Exception as group:
                # Whatever else a client library raises, the link must come back: events
                # wait in the outbox, so a retry loses nothing.
                self.state = "reconnecting"
                self.reconnects += 1
                log.warning("station %s link failed (%r); retrying in %.2fs",
                            self.station, group.exceptions[0], delay)
            finally:
                self._connected.clear()
                self._client = None
            await self._timer.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            parsed = topics.parse(str(message.topic))
            if parsed is not None and parsed.kind == "commit-mark":
                self._confirm(message.payload)
            else:
                self._inbox.put_nowait(message)

    def _confirm(self, payload: Any) -> None:
        try:
            ids = json.loads(payload)["ids"]
            ids = [i for i in ids if isinstance(i, str)]
        except (ValueError, TypeError, KeyError):
            log.warning("station %s: a commit mark it cannot read", self.station)
            return
        self._last_mark = self._timer.monotonic()
        for n in self._outbox.confirm(ids):
            sent = self._sent.pop(n, None)
            if sent is not None:
                self._last_confirmed_send = max(self._last_confirmed_send, sent)
        if not self.pending:
            self._stored.set()
        self._wake.set()

    async def _send(self, client: aiomqtt.Client) -> None:
        while True:
            batch = self._outbox.peek(after=self._cursor, limit=self._max_inflight)
            if not batch:
                self._empty.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            await asyncio.gather(*(client.publish(t, p, qos=1) for _, t, p in batch))
            now = self._timer.monotonic()
            for n, _, _ in batch:
                self._sent[n] = now
            self._cursor = max(self._cursor, batch[-1][0])

    async def _resend(self, client: aiomqtt.Client) -> None:
        """Send again what the hub has not confirmed (see the module's docstring)."""
        idle = self.confirm_after
        while True:
            await self._timer.sleep(self.confirm_after / 2)
            now = self._timer.monotonic()
            quiet = now - self._last_mark
            # Lost on the way: an event sent confirm_after later is already confirmed (the
            # broker may reorder a little), or the hub has said nothing at all for a while
            # (then back off: perhaps no recorder is running).
            overtaken = self._last_confirmed_send - self.confirm_after
            stale = [n for n, t in self._sent.items() if now - t >= self.confirm_after
                     and (t < overtaken or quiet >= idle)]
            if not stale:
                if quiet < self.confirm_after:
                    idle = self.confirm_after
                continue
            if quiet >= idle:
                idle = min(idle * 2, 300.0)  # no hub recording: back off
            for i in range(0, len(stale), self._max_inflight):
                rows = self._outbox.get(sorted(stale[i:i + self._max_inflight]))
                await asyncio.gather(*(client.publish(t, p, qos=1) for _, t, p in rows))
                sent = self._timer.monotonic()
                for n, _, _ in rows:
                    if n in self._sent:
                        self._sent[n] = sent
                self.resent += len(rows)
            log.info("station %s sent %d events again (not confirmed by the hub)",
                     self.station, len(stale))

    def __repr__(self) -> str:
        return (f"<Station {self.room}/{self.station} {self.state} pending={self.pending} "
                f"reconnects={self.reconnects}>")


def _bytes(payload: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode()
    return json.dumps(dict(payload), separators=(",", ":"), ensure_ascii=False).encode()
