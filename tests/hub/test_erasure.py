"""``kit pupil forget`` leaves no byte behind in what kit controls, atomically."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import login
from hubproc import ROOT, HubProcess

from kit.config import BrokerAddress
from kit.hub.service import free_port
from kit.hub.store import Store, open_store, register_eraser
from kit.hub.store import base as store_base
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics
from kit.protocol.envelope import encode_event, new_event

GONE, NAME, KEPT = "p-gone12", "Gretaname", "p-kept34"


async def _kit(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "kit", *args, env=env,
                                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


def _files_mentioning(home: Path, *needles: str) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {n}" for n in needles if n.encode() in data]
    return found


async def test_forget_with_the_hub_running_leaves_no_byte_in_the_data_directory(
        kit_home: Path, tmp_path: Path) -> None:
    port = free_port()
    hub = await HubProcess("--broker", "embedded", "--port", str(port),
                           "--retention-days", "0").start()
    broker = BrokerAddress("127.0.0.1", port)
    station = await login(broker, role="station", station="mural-1")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await _kit(env, "pupil", "add", GONE, NAME)
    async with Station(station, room="room-1", station="mural-1",
                       outbox=kit_home / "outbox-mural-1.db") as st:
        for i in range(30):
            await st.record("contribution", pupil=GONE if i % 2 else KEPT, team="red")
        await st.record("help", pupil=KEPT, data={"target": GONE})
        await asyncio.wait_for(st.stored(), 60)
    async with mqtt.client(station) as c:  # what a station could plant
        ev = json.loads(encode_event(new_event(room="room-1", station="mural-1", seq=99,
                                               kind="help", at=datetime.now(UTC))))
        escaped = "\\u0070-gone12"
        await c.publish(topics.events("room-1", "mural-1"),
                        json.dumps(ev)[:-1].encode() + f',"x":"{escaped}"}}'.encode(), qos=1)
        deep = '{"a":' * 700 + f'"{GONE}"' + "}" * 700
        await c.publish(topics.events("room-1", "mural-1"),
                        json.dumps({**ev, "seq": 100})[:-2].encode() + deep.encode() + b"}",
                        qos=1)
        await c.publish(topics.events("room-1", "mural-1"), b"marker", qos=1)
    await hub.until(lambda line: (line.get("rejected") or 0) >= 3)
    assert _files_mentioning(kit_home, GONE, NAME)  # the test would prove nothing otherwise
    code, out = await _kit(env, "pupil", "forget", GONE)
    assert code == 0 and "deleted" in out, out
    assert _files_mentioning(kit_home, GONE, NAME) == []
    assert stat.S_IMODE(kit_home.stat().st_mode) == 0o700
    for path in kit_home.rglob("*"):
        if path.is_file() and path.suffix in (".db", ".json", ".db-wal", ".db-shm"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    store = open_store(f"sqlite:///{kit_home / 'kit.db'}")
    try:
        assert store.count_events() == 16  # the other pupil's 15 and their help, kept
        assert store.tables_mentioning(GONE) == {"events": 0, "roster": 0, "rejected": 0}
    finally:
        store.close()
    await hub.stop()


def _deep(depth: int, leaf: object) -> object:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def test_forget_handles_any_nesting_and_escapes(store_url: str) -> None:
    store = open_store(store_url)
    try:
        store.insert_events([new_event(room="room-1", station="st-1", seq=0, kind="help",
                                       at=datetime(2026, 1, 12, tzinfo=UTC), pupil=KEPT)], "t")
        store.execute("UPDATE events SET data = ?", (json.dumps(_deep(700, GONE)),))
        counts = store.forget(GONE)
        assert counts["events_redacted"] == 1
        assert store.tables_mentioning(GONE)["events"] == 0
    finally:
        store.close()


def test_erasure_is_one_transaction_with_registered_erasers(
        store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_base, "_ERASERS", {})
    store = open_store(store_url)
    try:
        store.execute("CREATE TABLE notes (pupil TEXT, body TEXT)")
        store.execute("INSERT INTO notes VALUES (?, ?)", (GONE, "kind to others"))
        store.set_name(GONE, NAME, "room-1", "t")

        def broken(s: Store, pupil: str) -> dict[str, int]:
            s.execute("DELETE FROM notes WHERE pupil = ?", (pupil,))
            raise RuntimeError("disk on fire")

        register_eraser("notes", broken, tables=("notes",))
        with pytest.raises(RuntimeError):
            store.forget(GONE)
        assert store.names() == {GONE: NAME}  # nothing half-erased
        assert store.query("SELECT count(*) FROM notes")[0][0] == 1

        def notes(s: Store, pupil: str) -> dict[str, int]:
            return {"notes": s.execute("DELETE FROM notes WHERE pupil = ?", (pupil,))}

        register_eraser("notes", notes, tables=("notes",))
        counts = store.forget(GONE)
        assert counts["notes"] == 1 and counts["roster"] == 1
        assert store.query("SELECT count(*) FROM notes")[0][0] == 0
    finally:
        store.close()
