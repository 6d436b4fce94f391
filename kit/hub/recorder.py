"""The recorder: every participation event stored exactly once, acknowledged only after commit.

It subscribes with QoS 1 on a persistent session (MQTT 5 ``clean_start=False`` with a session
expiry on Mosquitto; a named user with ``clean_session=False`` on the embedded broker), so the
broker keeps queueing while the recorder is down. Messages are acknowledged by hand, after the
store has committed them (paho's ``manual_ack``); a recorder killed between the two simply gets
them again and the store ignores ids it already has.

Whatever cannot be stored as an event (malformed JSON, unknown schema version, oversized, a
station posing as another) goes to the ``rejected`` table with the reason; nothing crashes the
recorder and nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import aiomqtt

from kit.clock import Clock, SystemClock
from kit.config import BrokerAddress
from kit.hub.store import AsyncStore, Rejection, Store
from kit.link import mqtt
from kit.protocol import topics
from kit.protocol.envelope import Event, Rejected, decode_event, format_ts

log = logging.getLogger(__name__)


@dataclass
class RecorderStats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    commits: int = 0
    total: int | None = None  # rows in the store after the last commit (if counted)
    last_commit: dict[str, int] = field(default_factory=dict)


def classify(topic: str, payload: bytes, received_at: str) -> Event | Rejection:
    """Pure: an incoming message becomes an event to store or a rejection to keep."""
    parsed = topics.parse(topic)
    if parsed is None or parsed.kind != "events":
        return Rejection(topic, "not-an-event-topic", f"{topic!r} is not an events topic",
                         payload[:65536], received_at)
    try:
        return decode_event(payload, topic_room=parsed.room, topic_station=parsed.station)
    except Rejected as r:
        return Rejection(topic, r.reason, r.detail, payload[:65536], received_at)


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
    ) -> None:
        self.address = address
        self.store = store
        self.name = name
        self.filter = topics.all_events(room)
        if shared:
            self.filter = f"$share/recorders/{self.filter}"
        self.clock = clock or SystemClock()
        self.batch_max = batch_max
        self.stats = RecorderStats()
        self._on_commit = on_commit
        self._on_ready = on_ready
        self._count_total = count_total

    async def run(self) -> None:
        delay = 0.05
        while True:
            client = mqtt.client(self.address, f"kit-recorder-{self.name}", persistent=True,
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
                        delay = 0.05
                        log.info("recorder %s subscribed to %s", self.name, self.filter)
                        if self._on_ready:
                            self._on_ready()
                        await pump
                    finally:
                        pump.cancel()
                        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                            await pump
            except (aiomqtt.MqttError, TimeoutError) as e:
                log.warning("recorder %s lost the broker (%s); retrying in %.2fs", self.name, e,
                            delay)
            await self.clock.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _pump(self, client: aiomqtt.Client) -> None:
        pending: list[aiomqtt.Message] = []
        arrived = asyncio.Event()

        async def read() -> None:
            async for message in client.messages:
                pending.append(message)
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
                await self._commit(batch)
                for message in batch:
                    client._client.ack(message.mid, message.qos)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await reader

    async def _commit(self, batch: list[aiomqtt.Message]) -> None:
        now = format_ts(self.clock.now())
        events: list[Event] = []
        rejections: list[Rejection] = []
        for message in batch:
            payload = message.payload if isinstance(message.payload, bytes) else (
                str(message.payload).encode())
            item = classify(str(message.topic), payload, now)
            if isinstance(item, Event):
                events.append(item)
            else:
                rejections.append(item)

        def write(store: Store) -> tuple[int, int]:
            return store.insert_events(events, now), store.insert_rejected(rejections)

        stored, rejected = await self.store.call(write)
        if self._count_total:
            if self.stats.total is None:  # counted once; then kept up to date by hand
                self.stats.total = await self.store.call(lambda st: st.count_events()) - stored
            self.stats.total += stored
        s = self.stats
        s.received += len(batch)
        s.stored += stored
        s.duplicates += len(events) - stored
        s.rejected += len(rejections)
        s.commits += 1
        s.last_commit = {"batch": len(batch), "stored": stored, "rejected": rejected}
        for r in rejections:
            log.warning("rejected a message on %s: %s (%s)", r.topic, r.reason, r.detail)
        if self._on_commit:
            self._on_commit(s)
