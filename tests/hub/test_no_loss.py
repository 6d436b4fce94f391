"""Nothing recorded is ever lost: recorder killed twice mid-stream, broker restarted, two
recorders sharing one subscription. Real brokers, real stores, real processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hubproc import HubProcess

from kit.config import BrokerAddress
from kit.hub.mosquitto import MosquittoBroker
from kit.hub.recorder import Recorder
from kit.hub.service import free_port
from kit.hub.store import AsyncStore, open_store
from kit.link.station import Station

TOTAL = 20_000
STATIONS = 30


async def _stations_send(address: BrokerAddress, creds: dict[str, str], total: int,
                         n: int, outboxes: Path) -> None:
    async def one(i: int, count: int) -> None:
        async with Station(address.as_role("station", creds), room="room-1",
                           station=f"st-{i:02d}", run="run-1",
                           outbox=outboxes / f"st-{i}.db") as st:
            for k in range(count):
                await st.record("contribution", pupil=f"p-pupil{i:02d}{k % 3}", team=f"t{i}")
                if k % 50 == 0:
                    await asyncio.sleep(0)  # let the other stations interleave
            await st.flushed()

    counts = [total // n + (1 if i < total % n else 0) for i in range(n)]
    await asyncio.gather(*(one(i, c) for i, c in enumerate(counts)))


@pytest.fixture
async def embedded_process(creds: dict[str, str]) -> AsyncIterator[BrokerAddress]:
    """The embedded broker in a process of its own (so killing the recorder leaves it up)."""
    port = free_port()
    broker = await HubProcess("--broker", "embedded", "--port", str(port),
                              "--no-recorder", "--retention-days", "0").start()
    yield BrokerAddress("127.0.0.1", port, protocol="3.1.1")
    await broker.stop()


@pytest.fixture(params=["embedded", "mosquitto"])
def broker_process(request: pytest.FixtureRequest) -> BrokerAddress:
    name = "embedded_process" if request.param == "embedded" else "mosquitto"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.mark.slow
async def test_recorder_killed_twice_loses_nothing(broker_process: BrokerAddress,
                                                   creds: dict[str, str], store_url: str,
                                                   tmp_path: Path) -> None:
    recorder_args = ("--broker", broker_process.url, "--store", store_url,
                     "--recorder-name", "main", "--retention-days", "0")
    recorder = await HubProcess(*recorder_args).start()
    sending = asyncio.create_task(
        _stations_send(broker_process, creds, TOTAL, STATIONS, tmp_path))

    for kill_at in (TOTAL // 4, TOTAL * 3 // 5):
        await recorder.until(lambda line, k=kill_at: (line.get("total") or 0) >= k)
        await recorder.kill()
        recorder = await HubProcess(*recorder_args).start()

    await asyncio.wait_for(sending, 300)
    await recorder.until(lambda line: line.get("total") == TOTAL)
    await recorder.stop()

    store = open_store(store_url)
    try:
        assert store.count_events() == TOTAL
        rows = store.query("SELECT station, count(*), count(DISTINCT seq), min(seq), max(seq) "
                           "FROM events GROUP BY station")
        assert len(rows) == STATIONS
        for _station, n, distinct, lo, hi in rows:  # no gap and no double in any origin
            assert n == distinct == hi - lo + 1 and lo == 0
        assert store.rejected() == []
    finally:
        store.close()


@pytest.mark.slow
async def test_mosquitto_restarted_mid_stream_loses_nothing(
        creds: dict[str, str], kit_home: Path, tmp_path: Path) -> None:
    total = 3000
    port = free_port()
    broker = MosquittoBroker(kit_home / "mosquitto", port, creds)
    await broker.start()
    address = BrokerAddress("127.0.0.1", port, protocol="5")
    url = f"sqlite:///{tmp_path / 'kit.db'}"
    recorder = await HubProcess("--broker", address.url, "--store", url,
                                "--retention-days", "0").start()
    sending = asyncio.create_task(_stations_send(address, creds, total, 10, tmp_path))
    await recorder.until(lambda line: (line.get("total") or 0) >= total // 3)
    await broker.stop()
    await broker.start()
    await asyncio.wait_for(sending, 120)
    await recorder.until(lambda line: line.get("total") == total)
    await recorder.stop()
    await broker.stop()
    store = open_store(url)
    try:
        assert store.count_events() == total
    finally:
        store.close()


async def test_two_recorders_share_one_subscription(mosquitto: BrokerAddress,
                                                    creds: dict[str, str], pg_url: str,
                                                    tmp_path: Path) -> None:
    total = 2000
    done = asyncio.Event()
    recorders: list[Recorder] = []

    def check(_: object) -> None:
        if sum(r.stats.stored for r in recorders) >= total:
            done.set()

    async with AsyncStore(pg_url) as a, AsyncStore(pg_url) as b:
        ready = [asyncio.Event(), asyncio.Event()]
        recorders += [Recorder(mosquitto.as_role("hub", creds), store, name=name, shared=True,
                               on_commit=check, on_ready=ev.set)
                      for store, name, ev in ((a, "a", ready[0]), (b, "b", ready[1]))]
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(r.run()) for r in recorders]
            await asyncio.gather(*(ev.wait() for ev in ready))
            await _stations_send(mosquitto, creds, total, 10, tmp_path)
            await asyncio.wait_for(done.wait(), 60)
            for t in tasks:
                t.cancel()
        count = await a.call(lambda s: s.count_events())
    assert count == total
    split = sorted(r.stats.stored for r in recorders)
    assert sum(split) == total and split[0] > total // 10, split
