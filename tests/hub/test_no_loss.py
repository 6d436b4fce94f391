"""Nothing recorded is ever lost, nothing is stored twice: recorder killed mid-stream, hub and
broker killed with SIGKILL during a burst, broker restarted, the database connection cut, two
recorders sharing one subscription. Real brokers, real stores, real processes; the stations
keep every event until the hub's commit mark names it."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import have_mosquitto, login
from hubproc import HubProcess

from kit.config import BrokerAddress
from kit.hub.mosquitto import MosquittoBroker
from kit.hub.recorder import Recorder
from kit.hub.service import free_port
from kit.hub.store import AsyncStore, open_store
from kit.link.station import Station

# Enough for both kills to land while events are still in flight (stations sending, the
# broker queueing for the dead recorder); the rates themselves are bench/hub_ingest.py's.
TOTAL = 6_000
STATIONS = 30


async def _stations_send(address: BrokerAddress, total: int, n: int, outboxes: Path,
                         *, stored: bool = False) -> None:
    """``n`` stations record ``total`` events between them; returns once the broker has
    acknowledged them all (or, with ``stored``, once the hub has confirmed them all)."""
    async def one(i: int, count: int) -> None:
        at = await login(address, role="station", station=f"st-{i:02d}")
        async with Station(at, room="room-1", station=f"st-{i:02d}", run="run-1",
                           outbox=outboxes / f"st-{i}.db", confirm_after=1.0) as st:
            for k in range(count):
                await st.record("contribution", pupil=f"p-pupil{i:02d}{k % 3}", team=f"t{i}")
                if k % 50 == 0:
                    await asyncio.sleep(0)  # let the other stations interleave
            await (st.stored() if stored else st.flushed())

    counts = [total // n + (1 if i < total % n else 0) for i in range(n)]
    await asyncio.gather(*(one(i, c) for i, c in enumerate(counts)))


def _check_store(url: str, total: int, stations: int) -> None:
    store = open_store(url)
    try:
        assert store.count_events() == total
        rows = store.query("SELECT station, count(*), count(DISTINCT seq), min(seq), max(seq) "
                           "FROM events GROUP BY station")
        assert len(rows) == stations
        for _station, n, distinct, lo, hi in rows:  # no gap and no double in any origin
            assert n == distinct == hi - lo + 1 and lo == 0
        assert store.rejected() == []
    finally:
        store.close()


@pytest.fixture
async def embedded_process(kit_home: Path) -> AsyncIterator[BrokerAddress]:
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
                                                   store_url: str, tmp_path: Path) -> None:
    recorder_args = ("--broker", broker_process.url, "--store", store_url,
                     "--recorder-name", "main", "--retention-days", "0")
    await login(broker_process, role="hub", station="kit-recorder-main")
    recorder = await HubProcess(*recorder_args).start()
    sending = asyncio.create_task(_stations_send(broker_process, TOTAL, STATIONS, tmp_path))

    for kill_at in (TOTAL // 4, TOTAL * 3 // 5):
        await recorder.until(lambda line, k=kill_at: (line.get("total") or 0) >= k)
        await recorder.kill()
        recorder = await HubProcess(*recorder_args).start()

    await asyncio.wait_for(sending, 300)
    await recorder.until(lambda line: line.get("total") == TOTAL)
    await recorder.stop()
    _check_store(store_url, TOTAL, STATIONS)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["embedded", "mosquitto"])
async def test_hub_and_broker_killed_during_a_burst_lose_nothing_and_double_nothing(
        kind: str, store_url: str, kit_home: Path, tmp_path: Path) -> None:
    """``kit hub`` with its broker (in its process, or its Mosquitto) is killed with SIGKILL
    in the middle of a burst, broker included; a new hub starts on the same port. Events the
    dead broker had acknowledged are sent again by the stations (no commit mark named them),
    and the store keeps each once."""
    if kind == "mosquitto":
        have_mosquitto()
    total, stations = 3000, 10
    port = free_port()
    args = ("--broker", kind, "--port", str(port), "--store", store_url,
            "--retention-days", "0")
    hub = await HubProcess(*args).start()
    address = BrokerAddress("127.0.0.1", port, protocol="5" if kind == "mosquitto" else "3.1.1")
    sending = asyncio.create_task(_stations_send(address, total, stations, tmp_path,
                                                 stored=True))
    await hub.until(lambda line: (line.get("total") or 0) >= total // 3)
    if kind == "mosquitto":
        pid = int((kit_home / f"mosquitto-{port}" / "mosquitto.pid").read_text())
        os.kill(pid, signal.SIGKILL)
    await hub.kill()
    hub = await HubProcess(*args).start()
    await asyncio.wait_for(sending, 300)
    await hub.until(lambda line: line.get("total") == total)
    await hub.stop()
    _check_store(store_url, total, stations)


@pytest.mark.slow
async def test_mosquitto_restarted_mid_stream_loses_nothing(
        kit_home: Path, tmp_path: Path) -> None:
    have_mosquitto()
    total = 3000
    port = free_port()
    broker = MosquittoBroker(kit_home / "mosquitto", port)
    await broker.start()
    address = BrokerAddress("127.0.0.1", port, protocol="5")
    url = f"sqlite:///{tmp_path / 'kit.db'}"
    await login(address, role="hub", station="kit-recorder-main")
    for i in range(10):
        await login(address, role="station", station=f"st-{i:02d}")
    await broker.reload()
    recorder = await HubProcess("--broker", address.url, "--store", url,
                                "--retention-days", "0").start()
    sending = asyncio.create_task(_stations_send(address, total, 10, tmp_path, stored=True))
    await recorder.until(lambda line: (line.get("total") or 0) >= total // 3)
    await broker.kill()  # no time to save its queues
    await broker.start()
    await asyncio.wait_for(sending, 120)
    await recorder.until(lambda line: line.get("total") == total)
    await recorder.stop()
    await broker.stop()
    _check_store(url, total, 10)


async def test_the_recorder_survives_the_database_connection_being_cut(
        embedded: BrokerAddress, pg_url: str, pg_server_url: str, tmp_path: Path) -> None:
    """``pg_terminate_backend`` on the recorder's connection mid-stream: the recorder
    reopens the store and goes on; every event is stored once."""
    import psycopg

    total = 1500
    async with AsyncStore(pg_url) as store:
        ready = asyncio.Event()
        cut = asyncio.Event()
        recorder = Recorder(await login(embedded, role="hub", station="kit-recorder-main"),
                            store, on_ready=ready.set,
                            on_commit=lambda s: cut.set() if s.stored >= total // 3 else None)
        task = asyncio.create_task(recorder.run())
        await ready.wait()
        sending = asyncio.create_task(_stations_send(embedded, total, 5, tmp_path,
                                                     stored=True))
        await asyncio.wait_for(cut.wait(), 120)
        db = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_server_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (db,))
        await asyncio.wait_for(sending, 120)
        assert not task.done()
        task.cancel()
    assert recorder.stats.store_errors >= 1
    _check_store(pg_url, total, 5)


async def test_two_recorders_share_one_subscription(mosquitto: BrokerAddress, pg_url: str,
                                                    tmp_path: Path) -> None:
    total = 2000
    done = asyncio.Event()
    recorders: list[Recorder] = []

    def check(_: object) -> None:
        if sum(r.stats.stored for r in recorders) >= total:
            done.set()

    async with AsyncStore(pg_url) as a, AsyncStore(pg_url) as b:
        ready = [asyncio.Event(), asyncio.Event()]
        for store, name, ev in ((a, "a", ready[0]), (b, "b", ready[1])):
            at = await login(mosquitto, role="hub", station=f"kit-recorder-{name}")
            recorders.append(Recorder(at, store, name=name, shared=True, on_commit=check,
                                      on_ready=ev.set))
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(r.run()) for r in recorders]
            await asyncio.gather(*(ev.wait() for ev in ready))
            await _stations_send(mosquitto, total, 10, tmp_path, stored=True)
            await asyncio.wait_for(done.wait(), 60)
            for t in tasks:
                t.cancel()
        count = await a.call(lambda s: s.count_events())
    assert count == total
    split = sorted(r.stats.stored for r in recorders)
    assert sum(split) == total and split[0] > total // 10, split
