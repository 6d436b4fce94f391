"""The recorder: every participation event stored exactly once, acknowledged only after commit.

It subscribes with QoS 1 on a persistent session (MQTT 5 ``clean_start=False`` with a session
expiry on Mosquitto; a named user with ``clean_session=False`` on the embedded broker), so the
broker keeps queueing while the recorder is down. Messages are acknowledged by hand, after the
store has committed them (paho's ``manual_ack``); a recorder killed between the two simply gets
them again and the store ignores ids it already has.

Whatever cannot be stored as an event (malformed JSON, unknown schema version, oversized, a
station posing as another, a clock far off) goes to the ``rejected`` table with the reason and
at most :data:`KEEP_REJECTED_BYTES` of the payload; beyond :data:`REJECTED_PER_HOUR` rows per
station and hour, further rejections are counted in one row instead of kept one by one.
Nothing crashes the recorder: a store error (PostgreSQL restarted, SQLite disk full) leaves
the batch unacknowledged while the recorder reopens the store and tries again; a batch the
store itself refuses is committed one message at a time, and what it still refuses is kept as
a rejection.

After each commit the recorder publishes a *commit mark* per station
(``kit/v1/<room>/hub/stored/<station>``, :func:`kit.protocol.topics.commit_mark`) naming the
event ids it now holds; a station drops an event from its outbox only then (end-to-end
acknowledgement), so a broker that loses a message costs a resend, never an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import aiomqtt

from kit.clock import Clock, SystemClock
from kit.config import BrokerAddress
from kit.hub.store import AsyncStore, Rejection, Store
from kit.link import mqtt
from kit.protocol import topics
from kit.protocol.envelope import Event, Rejected, decode_event, format_ts

log = logging.getLogger(__name__)

#: Bytes of a rejected payload kept (enough to see what went wrong).
KEEP_REJECTED_BYTES = 4096
#: Event ids in one commit mark message (about 8 KiB).
MARK_IDS = 200
#: Rejected messages kept one by one per station and hour; the rest are counted.
REJECTED_PER_HOUR = 100
_ID_IN_PAYLOAD = re.compile(rb'"id"\s*:\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                            rb'[0-9a-f]{12})"')


@dataclass
class RecorderStats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    suppressed: int = 0
    store_errors: int = 0
    commits: int = 0
    total: int | None = None  # rows in the store after the last commit (if counted)
    last_commit: dict[str, int] = field(default_factory=dict)


def classify(topic: str, payload: bytes, received_at: str, now: datetime | None = None
             ) -> Event | Rejection:
    """Pure: an incoming message becomes an event to store or a rejection to keep. With
    ``now`` (the hub's clock), an event time far from it is refused."""
    parsed = topics.parse(topic)
    if parsed is None or parsed.kind != "events":
        return Rejection(topic[:256], "not-an-event-topic", f"{topic[:256]!r} is not an events "
                         "topic", payload[:KEEP_REJECTED_BYTES], received_at)
    try:
        return decode_event(payload, topic_room=parsed.room, topic_station=parsed.station,
                            received=now)
    except Rejected as r:
        return Rejection(topic, r.reason, r.detail[:512], payload[:KEEP_REJECTED_BYTES],
                         received_at)


def marks(items: list[tuple[str, bytes, Event | Rejection]]) -> dict[str, list[str]]:
    """Pure: the commit marks to publish after a commit, by topic: the ids of the events now
    stored (new or already there), and of rejected messages that carry one."""
    out: dict[str, list[str]] = {}
    for topic, payload, item in items:
        parsed = topics.parse(topic)
        if parsed is None or parsed.kind != "events" or parsed.station is None:
            continue
        if isinstance(item, Event):
            eid: str | None = item.id
        else:
            found = _ID_IN_PAYLOAD.search(payload[:KEEP_REJECTED_BYTES])
            eid = found.group(1).decode() if found else None
        if eid:
            out.setdefault(topics.commit_mark(parsed.room, parsed.station), []).append(eid)
    return out


class Recorder:
    """``await Recorder(address, store).run()`` records until cancelled.

    ``name`` makes the MQTT client id (``kit-recorder-<name>``): a restarted recorder must use
    the same name to resume its queue. ``shared`` joins a ``$share/recorders/...`` group
    (MQTT 5 brokers) so several recorders split the load.
    """

    def __init__(
        self,
        address: BrokerAddress,
        store: AsyncStore,
        *,
        name: str = "main",
        room: str = "+",
        shared: bool = False,
        clock: Clock | None = None,
        batch_max: int = 1000,
        on_commit: Callable[[RecorderStats], None] | None = None,
        on_ready: Callable[[], None] | None = None,
        count_total: bool = False,
        probe_every: float = 10.0,
    ) -> None:
        self.address = address
        self.store = store
        self.name = name
        self.filter = self._events_filter = topics.all_events(room)
        if shared:
            from kit import config

            self.filter = f"$share/{config.recorder_group()}/{self.filter}"
        self.clock = clock or SystemClock()
        self.batch_max = batch_max
        self.stats = RecorderStats()
        self._on_commit = on_commit
        self._on_ready = on_ready
        self._count_total = count_total
        self._rejected_by_hour: dict[tuple[str, str], int] = {}
        self.last_received: float | None = None  # clock.monotonic() of the last message
        self.probe_every = probe_every
        self._probe_seen = 0.0

    @property
    def client_id(self) -> str:
        return self.address.client_id or f"kit-recorder-{self.name}"

    async def run(self) -> None:
        delay = 0.05
        while True:
            client = mqtt.client(self.address, self.client_id, persistent=True,
                                 max_inflight=self.batch_max)
            # aiomqtt has no manual acknowledgement yet (empicano/aiomqtt#345, PR #346 open):
            # switch it on in the paho client underneath, before connecting, so not even a
            # message queued for this session is acknowledged before the store has it.
            client._client.manual_ack_set(True)
            try:
                async with client:
                    # Pump before subscribing: on reconnect the broker first re-sends what was
                    # in flight and may answer the SUBSCRIBE only once those are acknowledged.
                    pump = asyncio.create_task(self._pump(client), name=f"recorder-{self.name}")
                    try:
                        await client.subscribe(self.filter, qos=1, timeout=120)
                        await client.subscribe(self.probe_topic, qos=1, timeout=120)
                        delay = 0.05
                        log.info("recorder %s subscribed to %s", self.name, self.filter)
                        if self._on_ready:
                            self._on_ready()
                        watchdog = asyncio.create_task(self._watch(client),
                                                       name=f"recorder-{self.name}-watch")
                        try:
                            done, _ = await asyncio.wait({pump, watchdog},
                                                         return_when=asyncio.FIRST_COMPLETED)
                        finally:
                            watchdog.cancel()
                        for task in done:
                            task.result()
                    finally:
                        pump.cancel()
                        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                            await pump
            except (aiomqtt.MqttError, TimeoutError) as e:
                log.warning("recorder %s lost the broker (%s); retrying in %.2fs", self.name, e,
                            delay)
            await self.clock.sleep(delay)
            delay = min(delay * 2, 2.0)

    @property
    def probe_topic(self) -> str:
        return f"{topics.PREFIX}/kit-hub/hub/probe-{self.name}"

    async def _watch(self, client: aiomqtt.Client) -> None:
        """The recorder notices when it stops receiving: it sends itself a probe through the
        broker every ``probe_every`` seconds; if none comes back for three periods, the link
        is dead whatever the socket says, and the recorder connects again."""
        self._probe_seen = self.clock.monotonic()
        n = 0
        while True:
            n += 1
            # Not awaited (see the commit marks below); QoS 1 so the broker keeps it in order.
            client._client.publish(self.probe_topic, str(n), qos=1)
            await self.clock.sleep(self.probe_every)
            if self.clock.monotonic() - self._probe_seen > 3 * self.probe_every:
                raise aiomqtt.MqttError(f"no message came back through the broker for "
                                        f"{3 * self.probe_every:g}s")

    async def _pump(self, client: aiomqtt.Client) -> None:
        pending: list[aiomqtt.Message] = []
        arrived = asyncio.Event()

        async def read() -> None:
            async for message in client.messages:
                topic = str(message.topic)
                if topic == self.probe_topic:
                    self._probe_seen = self.clock.monotonic()
                    client._client.ack(message.mid, message.qos)
                    continue
                if not topics.matches(self._events_filter, topic):
                    # amqtt 0.12.1 sometimes hands a resumed session retained messages of
                    # topics it never subscribed to (station presence): not events, not ours.
                    log.debug("recorder %s ignored a message on %s", self.name, topic)
                    client._client.ack(message.mid, message.qos)
                    continue
                pending.append(message)
                self.last_received = self.clock.monotonic()
                arrived.set()

        reader = asyncio.create_task(read(), name=f"recorder-{self.name}-read")
        try:
            while True:
                if not pending:
                    arrived.clear()
                    waiter = asyncio.ensure_future(arrived.wait())
                    done, _ = await asyncio.wait({waiter, reader},
                                                 return_when=asyncio.FIRST_COMPLETED)
                    if reader in done:
                        waiter.cancel()
                        reader.result()  # raises the MqttError that ended the stream
                        return
                    continue
                if len(pending) < self.batch_max:
                    # Let messages already on the socket join this commit: one fsync for many.
                    for _ in range(3):
                        await asyncio.sleep(0)
                batch = pending[: self.batch_max]
                del pending[: len(batch)]
                stored_ids = await self._commit(batch)
                for message in batch:
                    client._client.ack(message.mid, message.qos)
                for topic, ids in stored_ids.items():
                    # QoS 0: a lost mark costs the station a resend, which is stored once.
                    # At most MARK_IDS ids a message: the brokers refuse packets over 16 KiB.
                    # Handed to paho without awaiting: aiomqtt waits for a QoS 0 write with
                    # asyncio.wait_for, which on Python 3.11 can swallow a cancellation that
                    # arrives as the write completes (python/cpython#86296), and a hub being
                    # stopped then hung in its recorder.
                    for i in range(0, len(ids), MARK_IDS):
                        client._client.publish(topic, json.dumps(
                            {"ids": ids[i:i + MARK_IDS]}, separators=(",", ":")), qos=0)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await reader

    async def _commit(self, batch: list[aiomqtt.Message]) -> dict[str, list[str]]:
        at = self.clock.now()
        now = format_ts(at)
        events: list[Event] = []
        rejections: list[Rejection] = []
        items: list[tuple[str, bytes, Event | Rejection]] = []
        for message in batch:
            payload = message.payload if isinstance(message.payload, bytes) else (
                str(message.payload).encode())
            item = classify(str(message.topic), payload, now, at)
            items.append((str(message.topic), payload, item))
            if isinstance(item, Event):
                events.append(item)
            else:
                rejections.append(item)
        kept, counted = self._limit(rejections, now)
        stored, rejected = await self._write(events, kept, counted, now)
        if self._count_total:
            if self.stats.total is None:  # counted once; then kept up to date by hand
                self.stats.total = await self.store.call(lambda st: st.count_events()) - stored
            self.stats.total += stored
        s = self.stats
        s.received += len(batch)
        s.stored += stored
        s.duplicates += len(events) - stored
        s.rejected += len(rejections)
        s.suppressed += sum(counted.values())
        s.commits += 1
        s.last_commit = {"batch": len(batch), "stored": stored, "rejected": rejected}
        for r in kept:
            # The reason only: a payload or detail may name a pupil, and logs are not erased.
            log.warning("rejected a message on %s: %s", r.topic, r.reason)
        if self._on_commit:
            self._on_commit(s)
        return marks(items)

    def _limit(self, rejections: list[Rejection], now: str
               ) -> tuple[list[Rejection], dict[tuple[str, str], int]]:
        """Keep at most REJECTED_PER_HOUR rejections per topic and hour; count the rest."""
        hour = now[:13]
        for key in [k for k in self._rejected_by_hour if k[1] != hour]:
            del self._rejected_by_hour[key]
        kept: list[Rejection] = []
        counted: dict[tuple[str, str], int] = {}
        for r in rejections:
            key = (r.topic, hour)
            n = self._rejected_by_hour.get(key, 0) + 1
            self._rejected_by_hour[key] = n
            if n <= REJECTED_PER_HOUR:
                kept.append(r)
            else:
                counted[key] = n - REJECTED_PER_HOUR
        return kept, counted

    async def _write(self, events: list[Event], rejections: list[Rejection],
                     counted: dict[tuple[str, str], int], now: str) -> tuple[int, int]:
        """Commit, whatever the store goes through: reopen and retry on errors; a batch the
        store refuses twice is written one message at a time."""
        def write(store: Store) -> tuple[int, int]:
            n = store.insert_events(events, now), store.insert_rejected(rejections)
            for (topic, hour), extra in counted.items():
                store.note_suppressed(topic, hour, extra, now)
            return n

        delay = 0.1
        failures = 0
        while True:
            try:
                return await self.store.call(write)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                failures += 1
                self.stats.store_errors += 1
                log.warning("recorder %s: the store failed (%s); reopening it and trying again "
                            "in %.1fs (nothing is acknowledged until it is stored)",
                            self.name, type(e).__name__, delay)
                await self.clock.sleep(delay)
                delay = min(delay * 2, 5.0)
                if not await self.store.reopen():
                    continue
                if failures >= 2:
                    try:
                        return await self.store.call(
                            lambda st: _one_by_one(st, events, rejections, now))
                    except asyncio.CancelledError:
                        raise
                    except Exception as e2:  # the store is down again: keep trying
                        log.warning("recorder %s: the store failed again (%s)", self.name,
                                    type(e2).__name__)


def _one_by_one(store: Store, events: list[Event], rejections: list[Rejection], now: str
                ) -> tuple[int, int]:
    """Write each message alone; one the store refuses is kept as a rejection instead."""
    stored = rejected = 0
    for ev in events:
        try:
            stored += store.insert_events([ev], now)
        except Exception as e:
            store.rollback()
            from kit.protocol.envelope import encode_event

            rejections = [*rejections, Rejection(
                topics.events(ev.room, ev.station), "store-refused",
                f"the store refused this event: {type(e).__name__}",
                encode_event(ev)[:KEEP_REJECTED_BYTES], now)]
    for r in rejections:
        try:
            rejected += store.insert_rejected([r])
        except Exception:
            store.rollback()
            rejected += store.insert_rejected([Rejection(
                r.topic, r.reason, "payload not kept: the store refused it", b"", now)])
    return stored, rejected
