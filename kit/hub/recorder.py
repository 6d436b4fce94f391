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
#: A message as the recorder keeps it until it is stored: topic, payload, mid, qos.
_Received = tuple[str, bytes, int, int]
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
    return classify_parsed(topics.parse(topic), topic, payload, received_at, now)


def classify_parsed(parsed: topics.Parsed | None, topic: str, payload: bytes,
                    received_at: str, now: datetime | None = None) -> Event | Rejection:
    """:func:`classify` for a caller that has parsed the topic already."""
    if parsed is None or parsed.kind != "events":
        return Rejection(topic[:256], "not-an-event-topic", f"{topic[:256]!r} is not an events "
                         "topic", payload[:KEEP_REJECTED_BYTES], received_at)
    try:
        return decode_event(payload, topic_room=parsed.room, topic_station=parsed.station,
                            received=now)
    except Rejected as r:
        return Rejection(topic, r.reason, r.detail[:512], payload[:KEEP_REJECTED_BYTES],
                         received_at)


def mark_topic(parsed: topics.Parsed | None) -> str | None:
    """Where the commit mark for a message on a topic so parsed goes (None: nowhere)."""
    if parsed is None or parsed.kind != "events" or parsed.station is None:
        return None
    return topics.commit_mark(parsed.room, parsed.station)


def marked_id(payload: bytes, item: Event | Rejection) -> str | None:
    """Pure: the id a commit mark confirms for a message: the event's, or the one a rejected
    message carries (so its station stops sending it)."""
    if isinstance(item, Event):
        return item.id
    found = _ID_IN_PAYLOAD.search(payload[:KEEP_REJECTED_BYTES])
    return found.group(1).decode() if found else None


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
        commit_every: float = 0.025,
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
        self.commit_every = commit_every
        self.stats = RecorderStats()
        self._on_commit = on_commit
        self._on_ready = on_ready
        self._count_total = count_total
        self._counting = asyncio.Lock()  # a count of the store and the commits around it
        self._rejected_by_hour: dict[tuple[str, str], int] = {}
        self.last_received: float | None = None  # clock.monotonic() of the last message
        self.probe_every = probe_every
        self._probe_seen = 0.0
        self.probe_topic = f"{topics.PREFIX}/kit-hub/hub/probe-{self.name}"
        # Per topic: whether it is an events topic of ours, and how it parses (a classroom
        # has a few dozen; the caches are emptied if a station floods made-up topics).
        self._ours: dict[str, bool] = {}
        self._routes: dict[str, tuple[topics.Parsed | None, str | None]] = {}

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
                        if (self._count_total and self.stats.total is None
                                and not self._counting.locked()):
                            # Said when ready: a recorder that finds everything stored
                            # already (its queue was empty) has no commit to say it with.
                            # (A commit under way says it itself.)
                            async with self._counting:
                                await self._recount()
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
        """Read messages into batches; commit each, then acknowledge it and publish its marks.

        Group commit: a message arriving after a quiet spell is committed at once, but a new
        commit starts at most every ``commit_every`` seconds unless ``batch_max`` messages
        wait: under load each commit (one sync to disk, one mark per station) carries many
        messages, at the cost of at most that much delay."""
        # (topic, payload, mid, qos): a received message keeps no more than that while it
        # waits (paho's MQTT 5 properties weigh kilobytes, and a flood piles them up).
        pending: list[_Received] = []
        arrived = asyncio.Event()  # a message is waiting
        full = asyncio.Event()  # batch_max messages are waiting
        loop = asyncio.get_running_loop()
        ours = self._ours

        def take(message: aiomqtt.Message) -> None:
            topic = message.topic.value
            if topic == self.probe_topic:
                self._probe_seen = self.clock.monotonic()
                client._client.ack(message.mid, message.qos)
                return
            mine = ours.get(topic)
            if mine is None:
                if len(ours) >= 4096:
                    ours.clear()
                mine = ours[topic] = topics.matches(self._events_filter, topic)
            if not mine:
                # amqtt 0.12.1 sometimes hands a resumed session retained messages of
                # topics it never subscribed to (station presence): not events, not ours.
                log.debug("recorder %s ignored a message on %s", self.name, topic)
                client._client.ack(message.mid, message.qos)
                return
            payload = message.payload
            pending.append((topic, payload if isinstance(payload, bytes) else
                            str(payload).encode(), message.mid, message.qos))

        async def read() -> None:
            # aiomqtt's iterator takes a round of the event loop for each message, and paho
            # reads many in one: what is queued already is taken at once (as aiomqtt's
            # iterator would, message by message), so a backlog waits in ``pending``, small.
            queue = client._queue
            async for message in client.messages:
                take(message)
                while not queue.empty():
                    take(queue.get_nowait())
                if pending:
                    self.last_received = self.clock.monotonic()
                    arrived.set()
                    if len(pending) >= self.batch_max:
                        full.set()

        async def until(event: asyncio.Event, within: float | None = None) -> bool:
            """Wait for ``event`` (at most ``within`` seconds); False if the reader ended."""
            waiter = asyncio.ensure_future(event.wait())
            try:
                done, _ = await asyncio.wait({waiter, reader}, timeout=within,
                                             return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            return reader not in done

        reader = asyncio.create_task(read(), name=f"recorder-{self.name}-read")
        next_commit = 0.0  # loop.time() before which no commit starts unless the batch is full
        try:
            while True:
                if not pending:
                    arrived.clear()
                    if not await until(arrived):
                        reader.result()  # raises the MqttError that ended the stream
                        return
                    continue
                if len(pending) < self.batch_max:
                    wait = next_commit - loop.time()
                    if wait > 0:
                        full.clear()
                        # The reader ending is noticed once what it handed over is stored.
                        await until(full, wait)
                    else:
                        # Let messages already on the socket join this commit.
                        for _ in range(3):
                            await asyncio.sleep(0)
                batch = pending[: self.batch_max]
                del pending[: len(batch)]
                next_commit = loop.time() + self.commit_every
                stored_ids = await self._commit(batch)
                for _, _, mid, qos in batch:
                    client._client.ack(mid, qos)
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

    async def _commit(self, batch: list[_Received]) -> dict[str, list[str]]:
        """Store a batch; returns the commit marks to publish, by topic: the ids of the events
        now stored (new or already there), and of rejected messages that carry one."""
        at = self.clock.now()
        now = format_ts(at)
        events: list[Event] = []
        rejections: list[Rejection] = []
        stored_ids: dict[str, list[str]] = {}
        routes = self._routes
        for topic, payload, _, _ in batch:
            route = routes.get(topic)
            if route is None:
                if len(routes) >= 4096:
                    routes.clear()
                parsed = topics.parse(topic)
                route = routes[topic] = (parsed, mark_topic(parsed))
            item = classify_parsed(route[0], topic, payload, now, at)
            if isinstance(item, Event):
                events.append(item)
                eid: str | None = item.id
            else:
                rejections.append(item)
                eid = marked_id(payload, item)
            if route[1] is not None and eid:
                ids = stored_ids.get(route[1])
                if ids is None:
                    stored_ids[route[1]] = [eid]
                else:
                    ids.append(eid)
        kept, counted = self._limit(rejections, now)
        async with self._counting:
            stored, rejected = await self._write(events, kept, counted, now)
            if self._count_total:
                if self.stats.total is None:  # counted once; then kept up to date by hand
                    await self._recount()
                else:
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
        return stored_ids

    async def _recount(self) -> None:
        """``stats.total`` from the store (None while the store cannot say: the recorder
        goes on, and counts again after its next commit)."""
        try:
            self.stats.total = await self.store.call(lambda st: st.count_events())
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.warning("recorder %s could not count the stored events (%s)", self.name,
                        type(e).__name__)
            self.stats.total = None

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
            return store.record(events, rejections, counted, now)

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
