"""Bad input never crashes the hub and is never dropped: it lands in the rejected table
(capped, and counted rather than kept beyond a rate), and the hub keeps recording."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pytest
from conftest import ON_CI, login
from hubproc import HubProcess
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kit.config import BrokerAddress
from kit.hub.recorder import KEEP_REJECTED_BYTES, REJECTED_PER_HOUR, Recorder, classify
from kit.hub.service import free_port
from kit.hub.store import AsyncStore, Rejection, open_store
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import Event, envelope, topics
from kit.protocol.envelope import encode_event, new_event

GOOD = json.loads(encode_event(new_event(
    room="room-1", station="st-1", seq=0, kind="contribution",
    at=datetime(2026, 1, 12, tzinfo=UTC))))
# On CI the same examples every run, and no long shrinking of a failure.
PHASES = tuple(p for p in Phase if not (ON_CI and p == Phase.shrink))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=10)


@st.composite
def mutated_events(draw: st.DrawFn) -> bytes:
    """A valid event with one field changed, removed or added."""
    obj = dict(GOOD)
    key = draw(st.sampled_from([*GOOD.keys(), "extra"]))
    if draw(st.booleans()) and key in obj:
        del obj[key]
    else:
        obj[key] = draw(json_values)
    return json.dumps(obj).encode()


small_payloads = st.one_of(st.binary(max_size=200), mutated_events(),
                           json_values.map(lambda v: json.dumps(v).encode()),
                           st.just(b"{" * 5000))
# Over the brokers' packet limit (16 KiB): only the codec sees these.
payloads = small_payloads | st.just(b"[" * 100_000)


@settings(max_examples=300, deadline=None, derandomize=ON_CI, phases=PHASES)
@given(payloads)
def test_any_payload_is_stored_or_rejected_with_a_reason(payload: bytes) -> None:
    result = classify("kit/v1/room-1/events/st-1", payload, "t")
    assert isinstance(result, Event | Rejection)
    if isinstance(result, Rejection):
        assert result.reason and result.detail
        assert result.payload == payload[:KEEP_REJECTED_BYTES]


def _full_reading(text: str) -> tuple[str, object]:
    """The strict reading as it was first written: every number through a check as it is
    read, then every value walked for depth and NUL."""
    def integer(t: str) -> int:
        if len(t.lstrip("-")) > 16 or abs(int(t)) > envelope.MAX_INT:
            raise envelope._Strict("bad-number", t)
        return int(t)

    try:
        obj = json.loads(text, parse_int=integer, parse_float=envelope._float,
                         parse_constant=envelope._constant,
                         object_pairs_hook=envelope._object)
    except envelope._Strict as e:
        return "rejected", e.reason
    except (ValueError, RecursionError):
        return "rejected", "not-json"
    try:
        envelope._check_tree(obj)
    except envelope.Rejected as e:
        return "rejected", e.reason
    return "read", obj


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    """JSON texts near every rule of the strict reading: nesting around the limit, escaped
    NULs, integers around 2^53, infinite and non-numbers, duplicate keys, brackets in text."""
    depth = draw(st.integers(0, envelope.MAX_DEPTH + 3))
    text = "[" * depth + json.dumps(draw(json_values)) + "]" * depth
    extra = draw(st.sampled_from([
        None, '"a\\u0000b"', '{"\\u0000":1}', '"\\\\u0000"', "9007199254740992",
        "-9007199254740993", "12345678901234567", "1234567890123456", "1e400", "-1e400",
        "NaN", "-Infinity", '{"a":1,"a":2}', '"[[[[{{{{[[[[{{{{[[[[{{{{[[[[{{{{[["', "1.5e3"]))
    return text if extra is None else f"[{text},{extra}]"


@settings(max_examples=400, deadline=None, derandomize=ON_CI, phases=PHASES)
@given(json_texts())
def test_the_strict_reading_reads_and_refuses_as_the_full_one_does(text: str) -> None:
    try:
        got: tuple[str, object] = "read", envelope.loads_strict(text)
    except envelope.Rejected as e:
        got = "rejected", e.reason
    assert got == _full_reading(text)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=ON_CI, phases=PHASES)
@given(batch=st.lists(small_payloads, min_size=5, max_size=25))
def test_malformed_messages_through_a_real_broker_land_in_the_rejected_table(
        batch: list[bytes], kit_home: Path, tmp_path: Path) -> None:
    from kit.hub.embedded import EmbeddedBroker

    async def scenario() -> tuple[int, list[Rejection], int]:
        port = free_port()
        broker = BrokerAddress("127.0.0.1", port)
        seen = asyncio.Event()
        url = f"sqlite:///{tmp_path / f'kit-{port}.db'}"
        async with EmbeddedBroker(port), AsyncStore(url) as store:
            ready = asyncio.Event()
            recorder = Recorder(await login(broker, role="hub", station="kit-recorder-main"),
                                store, on_ready=ready.set,
                                on_commit=lambda s: seen.set() if s.received >= len(batch)
                                else None)
            task = asyncio.create_task(recorder.run())
            await ready.wait()
            async with mqtt.client(await login(broker, role="station", station="st-1")) as st1:
                for p in batch:
                    await st1.publish(topics.events("room-1", "st-1"), p, qos=1)
            await asyncio.wait_for(seen.wait(), 60)
            task.cancel()
            rejected = await store.call(lambda s: s.rejected())
            stored = await store.call(lambda s: s.count_events())
        return recorder.stats.received, rejected, stored

    received, rejected, stored = asyncio.run(scenario())
    expected = [classify("kit/v1/room-1/events/st-1", p, "t") for p in batch]
    bad = {r.payload for r in expected if isinstance(r, Rejection)}
    assert received == len(batch)
    assert {r.payload for r in rejected} == bad
    assert stored == len({e.id for e in expected if isinstance(e, Event)})


POISON = [
    ("a 5,000-digit integer", lambda ev: json.dumps(ev)[:-1] + ',"x":' + "9" * 5000 + "}"),
    ("NaN", lambda ev: json.dumps({**ev, "data": {"x": float("nan")}})),
    ("1e400", lambda ev: json.dumps(ev, separators=(",", ":")).replace(
        '"data":{}', '"data":{"x":1e400}')),
    ("a duplicate key", lambda ev: json.dumps(ev)[:-1] + ',"kind":"pass"}'),
    ("a time in 1971", lambda ev: json.dumps({**ev, "ts": "1971-01-01T00:00:00.000Z"})),
    ("a time in 9999", lambda ev: json.dumps({**ev, "ts": "9999-01-01T00:00:00.000Z"})),
]


async def test_poison_lands_in_rejected_once_and_the_hub_keeps_running(
        kit_home: Path, tmp_path: Path) -> None:
    """Through a real ``kit hub`` process (embedded broker): each poison message is rejected
    with its reason, once, even across a restart of the hub; an honest event after them is
    stored; an oversized packet is cut off by the broker itself."""
    port = free_port()
    url = f"sqlite:///{tmp_path / 'kit.db'}"
    args = ("--broker", "embedded", "--port", str(port), "--store", url,
            "--retention-days", "0")
    hub = await HubProcess(*args).start()
    broker = BrokerAddress("127.0.0.1", port)
    station = await login(broker, role="station", station="st-1")
    now = datetime.now(UTC)
    good = json.loads(encode_event(new_event(room="room-1", station="st-1", seq=0,
                                             kind="contribution", at=now)))
    async with mqtt.client(station) as c:
        for i, (_, make) in enumerate(POISON):
            ev = {**good, "id": f"00000000-0000-4000-8000-{i:012d}", "seq": i + 1}
            await c.publish(topics.events("room-1", "st-1"), make(ev).encode(), qos=1)
    async with mqtt.client(station) as c:
        # The broker closes the connection (the packet is over its limit): no PUBACK comes,
        # so wait for the connection to end, not for the publish to time out.
        sending = asyncio.create_task(
            c.publish(topics.events("room-1", "st-1"), b"x" * 200_000, qos=1))
        with pytest.raises(aiomqtt.MqttError):
            await asyncio.wait_for(anext(aiter(c.messages)), 60)
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
            await sending
    async with Station(station, room="room-1", station="st-1",
                       outbox=tmp_path / "st.db") as st:
        await st.record("contribution", pupil="p-aaaa11")
        await asyncio.wait_for(st.stored(), 60)
    await hub.stop()
    hub = await HubProcess(*args).start()  # nothing comes back to crash it
    await hub.stop()
    assert hub.proc is not None and hub.proc.returncode in (0, -2)
    store = open_store(url)
    try:
        reasons = sorted(r.reason for r in store.rejected())
        assert reasons == sorted(["bad-number", "bad-number", "bad-number", "duplicate-key",
                                  "bad-time", "bad-time"])
        assert store.count_events() == 1
        assert all(len(r.payload) <= KEEP_REJECTED_BYTES for r in store.rejected())
    finally:
        store.close()


async def test_a_flood_of_bad_messages_keeps_a_bounded_number_of_rows(
        embedded: BrokerAddress, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kit.db'}"
    total = REJECTED_PER_HOUR + 150
    async with AsyncStore(url) as store:
        done = asyncio.Event()
        ready = asyncio.Event()
        recorder = Recorder(await login(embedded, role="hub", station="kit-recorder-main"),
                            store, on_ready=ready.set,
                            on_commit=lambda s: done.set() if s.received >= total else None)
        task = asyncio.create_task(recorder.run())
        await ready.wait()
        async with mqtt.client(await login(embedded, role="station", station="st-1")) as c:
            for i in range(total):
                await c.publish(topics.events("room-1", "st-1"), f"junk {i}".encode(), qos=1)
        await asyncio.wait_for(done.wait(), 60)
        task.cancel()
        rows = await store.call(lambda s: s.rejected())
    assert len(rows) == REJECTED_PER_HOUR + 1
    counted = [r for r in rows if r.reason == "rate-limited"]
    assert len(counted) == 1 and counted[0].detail.startswith("150 more rejected messages")
    assert os.path.getsize(tmp_path / "kit.db") < 2_000_000
