"""A station's events reach the hub, and leave its outbox only once the hub has stored them."""

from __future__ import annotations

from pathlib import Path

from conftest import login

from kit.config import BrokerAddress
from kit.hub.recorder import Recorder
from kit.hub.store import AsyncStore
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import decode_event, topics


async def test_station_events_reach_a_subscriber(broker: BrokerAddress) -> None:
    watcher_at = await login(broker, role="hub", station="watcher")
    station_at = await login(broker, role="station", station="st-1")
    async with mqtt.client(watcher_at) as watcher:
        await watcher.subscribe(topics.all_events(), qos=1)
        async with Station(station_at, room="room-1", station="st-1") as st:
            sent = [await st.record("contribution", pupil="p-aaaa11", team="red")
                    for _ in range(3)]
            got = []
            async for message in watcher.messages:
                got.append(decode_event(message.payload))  # type: ignore[arg-type]
                if len(got) == 3:
                    break
    assert [e.id for e in got] == [e.id for e in sent]
    assert [e.seq for e in got] == [0, 1, 2]


async def test_events_stay_in_the_outbox_until_the_hub_has_stored_them(
        broker: BrokerAddress, tmp_path: Path) -> None:
    """Acknowledged by the broker is not enough: with no recorder running, every event stays
    on disk (and survives a restart of the station); once a recorder runs, the commit marks
    empty the outbox and the store holds each event once."""
    import asyncio

    station_at = await login(broker, role="station", station="st-1")
    outbox = tmp_path / "st-1.db"
    async with Station(station_at, room="room-1", station="st-1", outbox=outbox,
                       confirm_after=0.5) as st:
        for _ in range(20):
            await st.record("contribution", pupil="p-aaaa11", team="red")
        await st.flushed()
        assert st.pending == 20
    hub_at = await login(broker, role="hub", station="kit-recorder-t")
    async with AsyncStore(f"sqlite:///{tmp_path / 'kit.db'}") as store:
        ready = asyncio.Event()
        recorder = Recorder(hub_at, store, name="t", on_ready=ready.set)
        task = asyncio.create_task(recorder.run())
        await asyncio.wait_for(ready.wait(), 60)
        async with Station(station_at, room="room-1", station="st-1", outbox=outbox,
                           confirm_after=0.5) as st:
            assert st.pending == 20
            await asyncio.wait_for(st.stored(), 60)
            assert st.pending == 0
        task.cancel()
        assert await store.call(lambda s: s.count_events()) == 20
