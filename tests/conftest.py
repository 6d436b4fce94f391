"""Shared fixtures: a private data directory, credentials, and real brokers on free ports.

Credentials are made on first use by :func:`kit.config.station_address`, as in a classroom.
The embedded broker reads them on every connection; Mosquitto reloads them, so a test that
makes a credential while a ``mosquitto`` fixture runs logs in through :func:`login`, which
returns once the broker knows it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from kit import config
from kit.config import BrokerAddress
from kit.hub.service import free_port

ON_CI = bool(os.environ.get("CI"))
_MOSQUITTOS: list[object] = []  # Mosquitto brokers the current test runs


def need(condition: bool, what: str) -> None:
    """Skip (locally) or fail (on CI) when a service the test needs is missing."""
    if condition:
        return
    if ON_CI:
        pytest.fail(f"{what} is required on CI")
    pytest.skip(f"needs {what}")


async def login(broker: BrokerAddress, *, role: str, station: str, room: str = "room-1"
                ) -> BrokerAddress:
    """``station_address``, and wait until every Mosquitto of this test has loaded it."""
    from kit.hub.mosquitto import MosquittoBroker

    address = config.station_address(broker, role=role, station=station, room=room)
    for m in _MOSQUITTOS:
        assert isinstance(m, MosquittoBroker)
        await m.reload()
    return address


@pytest.fixture(autouse=True)
async def _no_hub_left_running() -> AsyncIterator[None]:
    """Hub processes a test started are stopped when it ends, pass or fail."""
    yield
    hubproc = __import__("sys").modules.get("hubproc")
    if hubproc is not None:
        while hubproc.RUNNING:
            proc = hubproc.RUNNING.pop()
            if proc.proc is not None and proc.proc.returncode is None:
                proc.proc.kill()
                await proc.proc.wait()


class _Killable(Protocol):
    async def kill(self) -> None: ...


@pytest.fixture
async def procs() -> AsyncIterator[list[_Killable]]:
    """The kit processes a classroom test started, killed at its end whatever happened.

    It lives here, not in a ``tests/classroom/conftest.py``: test modules import helpers with
    ``from conftest import ...``, and a second module named ``conftest`` would shadow this one.
    """
    started: list[_Killable] = []
    yield started
    for p in reversed(started):
        await p.kill()


@pytest.fixture
def kit_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "kit-home"
    home.mkdir()
    monkeypatch.setenv("KIT_HOME", str(home))
    return home


@pytest.fixture
def creds(kit_home: Path) -> dict[str, config.Identity]:
    """The credentials made so far (tests make theirs with :func:`login`)."""
    return config.identities()


@pytest.fixture
async def embedded(kit_home: Path) -> AsyncIterator[BrokerAddress]:
    """The embedded broker in this event loop; yields its address (log in with login())."""
    from kit.hub.embedded import EmbeddedBroker

    port = free_port()
    async with EmbeddedBroker(port):
        yield BrokerAddress("127.0.0.1", port, protocol="3.1.1")


def have_mosquitto() -> None:
    from kit.hub.mosquitto import binary

    need(binary() is not None, "Mosquitto (apt-get install mosquitto)")


@pytest.fixture
async def mosquitto(kit_home: Path) -> AsyncIterator[BrokerAddress]:
    """A private Mosquitto process with kit's generated config (MQTT 5)."""
    from kit.hub.mosquitto import MosquittoBroker

    have_mosquitto()
    port = free_port()
    async with MosquittoBroker(kit_home / "mosquitto", port) as m:
        _MOSQUITTOS.append(m)
        try:
            yield BrokerAddress("127.0.0.1", port, protocol="5")
        finally:
            _MOSQUITTOS.remove(m)


@pytest.fixture(params=["embedded", "mosquitto"])
def broker(request: pytest.FixtureRequest) -> BrokerAddress:
    """Each test that takes ``broker`` runs on both brokers."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.fixture
def pg_server_url() -> str:
    return os.environ.get("KIT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database of this test's own, dropped afterwards."""
    import uuid

    import psycopg

    try:
        admin = psycopg.connect(pg_server_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as e:
        need(False, f"PostgreSQL at {pg_server_url} ({e}); set KIT_TEST_PG")
        raise
    name = f"kit_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = pg_server_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes ``store_url`` runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kit.db'}"
    return request.getfixturevalue("pg_url")  # type: ignore[no-any-return]
