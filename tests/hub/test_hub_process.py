"""``kit hub`` as a process: what it says, the Mosquitto it owns, its TLS listener."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest
from conftest import have_mosquitto
from hubproc import ROOT

from kit import config
from kit.config import BrokerAddress
from kit.hub.mosquitto import MosquittoBroker
from kit.hub.service import free_port
from kit.link import mqtt
from kit.protocol import topics


async def _hub(*args: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kit", "hub", *args, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def _line_with(proc: asyncio.subprocess.Process, text: str) -> str:
    assert proc.stderr
    async for raw in proc.stderr:
        line = raw.decode()
        if text in line:
            return line
    raise AssertionError(f"kit hub ended without saying {text!r}")


@pytest.mark.parametrize("kind", ["embedded", "mosquitto"])
async def test_hub_says_it_is_ready_what_it_does_and_that_it_stopped(
        kind: str, kit_home: Path) -> None:
    if kind == "mosquitto":
        have_mosquitto()
    port = free_port()
    proc = await _hub("--broker", kind, "--port", str(port), "--status-every", "0.2",
                      "--retention-days", "0")
    try:
        ready = await asyncio.wait_for(_line_with(proc, "ready on"), 60)
        assert f"127.0.0.1:{port}" in ready and kind in ready
        status = await asyncio.wait_for(_line_with(proc, "events recorded"), 60)
        assert "stations online" in status
        proc.send_signal(signal.SIGINT)
        stopped = await asyncio.wait_for(_line_with(proc, "stopped"), 60)
        assert "events recorded" in stopped
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


@pytest.mark.parametrize("kind", ["mosquitto", "embedded"])
async def test_a_port_someone_else_holds_is_refused_in_words(kit_home: Path, kind: str) -> None:
    if kind == "mosquitto":
        have_mosquitto()
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        proc = await _hub("--broker", kind, "--port", str(port))
        out = await asyncio.wait_for(_line_with(proc, "in use"), 60)
        assert await proc.wait() == 1
    assert f"port {port}" in out


async def test_a_mosquitto_left_by_a_killed_hub_is_stopped_at_start(kit_home: Path) -> None:
    """A hub killed with SIGKILL may leave its Mosquitto behind; the next hub stops it rather
    than talking to it (or failing on the port)."""
    have_mosquitto()
    port = free_port()
    directory = config.home() / f"mosquitto-{port}"
    stale = MosquittoBroker(directory, port)
    await stale.start()
    assert stale._proc is not None
    stale_pid = stale._proc.pid
    stale._proc = None  # forget it, as a killed hub would
    if stale._watch:
        stale._watch.cancel()
    fresh = MosquittoBroker(directory, port)
    await fresh.start()
    try:
        assert fresh._proc is not None and fresh._proc.pid != stale_pid
        assert not Path(f"/proc/{stale_pid}").exists() or \
            Path(f"/proc/{stale_pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    finally:
        await fresh.stop()


@pytest.mark.parametrize("kind", ["embedded", "mosquitto"])
async def test_tls_listener_with_kits_own_certificate(kind: str, kit_home: Path) -> None:
    from kit.hub.service import HubSettings, run_hub

    if kind == "mosquitto":
        have_mosquitto()
    port, tls_port = free_port(), free_port()
    # Credentials made before the hub starts: its Mosquitto reads them at start.
    secure = BrokerAddress("127.0.0.1", tls_port, protocol="5" if kind == "mosquitto"
                           else "3.1.1", tls=True)
    for role, station in (("hub", "watcher"), ("station", "mural-1")):
        config.identity(role=role, station=station, room="room-1")
    ready: asyncio.Future[BrokerAddress] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    hub = asyncio.create_task(run_hub(
        HubSettings(broker=kind, port=port, tls_port=tls_port, retention_days=None,
                    store=f"sqlite:///{kit_home / 'kit.db'}"),
        on_ready=ready.set_result, stop=stop))
    plain = await asyncio.wait_for(ready, 60)
    at = config.station_address(secure, role="station", station="mural-1", room="room-1")
    assert at.ca and Path(at.ca).exists()
    watcher_at = config.station_address(plain, role="hub", station="watcher", room="*")
    async with mqtt.client(watcher_at) as watcher, mqtt.client(at) as c:
        await watcher.subscribe(topics.all_events(), qos=1)
        await c.publish(topics.events("room-1", "mural-1"), b"over tls", qos=1)
        message = await asyncio.wait_for(anext(aiter(watcher.messages)), 30)
        assert message.payload == b"over tls"
    stop.set()
    await hub


async def test_the_retention_sweep_removes_old_roll_ups_with_old_events(kit_home: Path) -> None:
    """Nothing outlives the events it was made from: the facilitator's roll-ups of runs
    older than the retention period go in the same sweep as the events."""
    from kit.hub.store import open_store
    from kit.insight import rollup
    from kit.sim.classlist import class_list
    from kit.sim.history import history

    url = f"sqlite:///{kit_home / 'old.db'}"
    store = open_store(url)
    try:
        for _, events in history(class_list(teams=1), weeks=2):  # January 2026
            store.insert_events(events, events[-1].ts)
        rollup.advance(store)
        assert rollup.runs(store)
    finally:
        store.close()
    proc = await _hub("--broker", "embedded", "--port", str(free_port()), "--store", url,
                      "--retention-days", "30", "--status-every", "0", "-v")
    try:
        line = await asyncio.wait_for(_line_with(proc, "retention: removed"), 60)
        assert "insight_runs" in line
    finally:
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 60)
    store = open_store(url)
    try:
        assert store.events() == []
        assert rollup.runs(store) == [] and rollup.pupil_runs(store) == []
    finally:
        store.close()
