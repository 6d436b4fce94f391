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

A station says it is ``online`` only once it has subscribed, and one that follows controller
input says so in its presence (``"listens": ["input"]``, with ``"link"``, an id new on every
connection). Controller input is live, not an event: the broker acknowledges a press that
nobody is subscribed to and drops it. So after a reconnect the gateway holds its presses (the
micro:bits keep them and repeat them) until every station that listened to input before is
online on a new link, for at most ``audience_wait`` seconds: a hub that restarts loses no press
on its way back. (A new link, because Mosquitto may bring back the retained presence it saved
before it died, saying "online" for a station that is not connected yet. The price: when only
the gateway's own link drops, its presses wait ``audience_wait`` seconds.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
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
        audience_wait: float = 15.0,
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
        self._listens = ["input"] if topics.all_inputs(room) in subscriptions else []
        # The gateway publishes controller input: it follows who listens (module docstring).
        self._audience: set[str] = set()  # stations heard listening to input
        self._back: set[str] = set()  # of those, online again since this connection began
        self._links: dict[str, str] = {}  # their link ids, as last heard
        self._before: dict[str, str] = {}  # ... and as they were when this connection began
        self._link_id = ""
        self._audience_changed = asyncio.Event()
        self.audience_wait = audience_wait
        self._follows_audience = address.role == "gateway"
        if self._follows_audience:
            self._subscriptions += (topics.all_station_states(room),)
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
        self._lost = asyncio.Event()  # a new one for each connection, set when it ends
        self._lost.set()
        self._since = 0.0  # loop time the current connection began
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
                await self._on_this_link(self._client.publish(
                    self._state_topic(self.station), self._own_presence("offline"), qos=1,
                    retain=True))
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
                      retain: bool = False, again: bool = False) -> None:
        """Publish a state or command message (not an event).

        Retained state is kept and sent again after every reconnect: this returns once the
        broker has it or the link has dropped. Other messages wait for a connection; if it
        drops before the broker acknowledges, this raises :class:`aiomqtt.MqttError` at once,
        or with ``again`` sends the message again on the next connection (at least once: the
        receiver must take a repeat calmly)."""
        data = _bytes(payload)
        if retain:
            self._retained[topic] = data
            client = self._client
            if client is not None and self._connected.is_set():
                with contextlib.suppress(aiomqtt.MqttError):
                    await self._on_this_link(client.publish(topic, data, qos=1, retain=True))
            return
        while True:
            await self._connected.wait()
            if self._follows_audience:
                await self._audience_back()
            client, lost = self._client, self._lost
            if client is None or not self._connected.is_set():
                continue
            try:
                if await self._on_this_link(client.publish(topic, data, qos=1)):
                    return
                error = aiomqtt.MqttError("the broker link dropped before it acknowledged")
            except aiomqtt.MqttError as e:
                error = e
            if not again:
                raise error
            await lost.wait()  # this connection's end, then the next one

    async def _on_this_link(self, publishing: Any) -> bool:
        """Await ``publishing`` on the current connection: True once the broker has it, False
        as soon as the connection is lost.

        aiomqtt (2.5) does not fail a QoS 1 publish whose connection drops: the call waits for
        a PUBACK that cannot come until its timeout (10 s here), and meanwhile the lesson
        or the gateway waiting on it would stand still. (Upstream's own discussion of publish
        on disconnection, empicano/aiomqtt#287, wants it to fail; no release does yet.)"""
        sending = asyncio.ensure_future(publishing)
        dropped = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait((sending, dropped), return_when=asyncio.FIRST_COMPLETED)
        finally:
            dropped.cancel()
            if not sending.done():
                sending.cancel()  # the link dropped (or this call was cancelled)
        if not sending.done() or sending.cancelled():
            return False
        sending.result()  # a publish the broker or the client refused raises here
        return True

    async def _audience_back(self) -> None:
        """Wait until every station heard listening to input is online again on this
        connection, for at most ``audience_wait`` seconds after it began."""
        if self._audience <= self._back:
            return
        lost = self._lost
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(self._since + self.audience_wait):
                while not self._audience <= self._back and not lost.is_set():
                    self._audience_changed.clear()
                    await self._audience_changed.wait()
        self._back |= self._audience  # waited long enough: the rest are not coming back soon

    def _heard(self, station: str | None, payload: Any) -> None:
        """Another station's presence, as the gateway follows it."""
        if station is None or station == self.station:
            return
        try:
            obj = json.loads(payload)
        except (ValueError, TypeError):
            return  # cleared or unreadable: nothing to learn
        if not isinstance(obj, dict):
            return
        state, listens, link = obj.get("state"), obj.get("listens"), obj.get("link")
        if state == "online" and isinstance(listens, list) and "input" in listens:
            self._audience.add(station)
            self._links[station] = str(link)
            if self._before.get(station) != str(link):
                self._back.add(station)
        elif state == "lost":
            self._back.discard(station)  # its link dropped: it will come back
        elif station in self._audience:  # went away on purpose, or listens no more
            self._audience.discard(station)
            self._back.discard(station)
        self._audience_changed.set()

    async def set_presence(self, station: str, state: str, **info: Any) -> None:
        """Presence of a station this one speaks for (the gateway's pupil controllers)."""
        payload = self._own_presence(state, **info) if station == self.station \
            else self._presence(state, **info)
        await self.publish(self._state_topic(station), payload, retain=True)

    async def messages(self) -> AsyncIterator[aiomqtt.Message]:
        """Commands and other subscribed messages, as they arrive."""
        while True:
            yield await self._inbox.get()

    # The link -----------------------------------------------------------------------------

    def _state_topic(self, station: str) -> str:
        return topics.station_state(self.room, station)

    def _presence(self, state: str, **info: Any) -> bytes:
        return _bytes({"state": state, "ts": format_ts(self.clock.now()), **info})

    def _own_presence(self, state: str, **info: Any) -> bytes:
        if self._listens:
            info["listens"] = self._listens
            info["link"] = self._link_id
        return self._presence(state, **info)

    async def _link(self) -> None:
        delay = 0.05
        while True:
            self._link_id = secrets.token_hex(4)
            will = aiomqtt.Will(self._state_topic(self.station), self._own_presence("lost"),
                                qos=1, retain=True)
            client = mqtt.client(self.address, self.station, will=will,
                                 max_inflight=self._max_inflight)
            lost = self._lost = asyncio.Event()
            try:
                async with client:
                    self._client = client
                    delay = 0.05
                    self._back = set()
                    self._before = dict(self._links)
                    self._since = asyncio.get_running_loop().time()
                    for sub in self._subscriptions:
                        await client.subscribe(sub, qos=1)
                    # Online once subscribed: a station that listens is listening by then.
                    await client.publish(self._state_topic(self.station),
                                         self._own_presence("online"), qos=1, retain=True)
                    sent = dict(self._retained)
                    for topic, payload in sent.items():
                        await client.publish(topic, payload, qos=1, retain=True)
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
                        # Receiving is what notices the connection dropping, which ends the
                        # link's tasks and any publish() waiting on it (see _on_this_link).
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
                lost.set()
                self._audience_changed.set()
                self._client = None
            await self._timer.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            parsed = topics.parse(str(message.topic))
            if parsed is not None and parsed.kind == "commit-mark":
                self._confirm(message.payload)
            elif (self._follows_audience and parsed is not None
                    and parsed.kind == "station-state"):
                self._heard(parsed.station, message.payload)
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
