"""Bad input never crashes the hub and is never dropped: it lands in the rejected table."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.config import BrokerAddress
from kit.hub.recorder import Recorder, classify
from kit.hub.store import AsyncStore, Rejection
from kit.link import mqtt
from kit.protocol import Event, topics
from kit.protocol.envelope import encode_event, new_event

GOOD = json.loads(encode_event(new_event(
    room="room-1", station="st-1", seq=0, kind="contribution",
    at=__import__("datetime").datetime(2026, 1, 12, tzinfo=__import__("datetime").UTC))))

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


payloads = st.one_of(st.binary(max_size=200), mutated_events(),
                     json_values.map(lambda v: json.dumps(v).encode()),
                     st.just(b"{" * 5000), st.just(b"[" * 100_000))


@settings(max_examples=500, deadline=None)
@given(payloads)
def test_any_payload_is_stored_or_rejected_with_a_reason(payload: bytes) -> None:
    result = classify("kit/v1/room-1/events/st-1", payload, "t")
    assert isinstance(result, Event | Rejection)
    if isinstance(result, Rejection):
        assert result.reason and result.detail and result.payload == payload[:65536]


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(payloads, min_size=5, max_size=25))
def test_malformed_messages_through_a_real_broker_land_in_the_rejected_table(
        batch: list[bytes], creds: dict[str, str], tmp_path: Path) -> None:
    from kit.hub.embedded import EmbeddedBroker
    from kit.hub.service import free_port

    async def scenario() -> tuple[int, list[Rejection], int]:
        port = free_port()
        address = BrokerAddress("127.0.0.1", port)
        seen = asyncio.Event()
        url = f"sqlite:///{tmp_path / f'kit-{port}.db'}"
        async with EmbeddedBroker(port, creds), AsyncStore(url) as store:
            ready = asyncio.Event()
            recorder = Recorder(address.as_role("hub", creds), store, on_ready=ready.set,
                                on_commit=lambda s: seen.set() if s.received >= len(batch)
                                else None)
            task = asyncio.create_task(recorder.run())
            await ready.wait()
            async with mqtt.client(address.as_role("station", creds), "st-1") as st1:
                for p in batch:
                    await st1.publish(topics.events("room-1", "st-1"), p, qos=1)
            await asyncio.wait_for(seen.wait(), 30)
            task.cancel()
            rejected = await store.call(lambda s: s.rejected())
            stored = await store.call(lambda s: s.count_events())
        return recorder.stats.received, rejected, stored

    received, rejected, stored = asyncio.run(scenario())
    expected = {classify("kit/v1/room-1/events/st-1", p, "t") for p in batch}
    bad = {r.payload for r in expected if isinstance(r, Rejection)}
    assert received == len(batch)
    assert {r.payload for r in rejected} == bad
    assert stored == len({e.id for e in expected if isinstance(e, Event)})
