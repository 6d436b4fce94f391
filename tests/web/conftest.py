"""A running dashboard over a pretend class's eight weeks: real store, real broker (the
embedded one), real HTTP server on a free port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kit.config import BrokerAddress
from kit.hub.store import open_store
from kit.sim.classlist import SimPupil, class_list
from kit.sim.history import record_history
from kit.web import auth
from kit.web.app import DashboardSettings, serve

PASSWORD = "correct horse battery"


@dataclass
class Running:
    url: str
    store_url: str
    broker: BrokerAddress
    creds: dict[str, BrokerAddress]  # a credential of each MQTT role, to try at the login
    pupils: list[SimPupil]

    @property
    def drifting(self) -> SimPupil:
        return next(p for p in self.pupils if p.habit.name == "drifting")


@pytest.fixture(scope="session")
def term_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-term") / "kit.db"
    store = open_store(f"sqlite:///{path}")
    try:
        record_history(store, class_list(), weeks=8)
        auth.add_teacher(store, "ozola", PASSWORD, display="Ms Ozola",
                         now="2026-03-01T08:00:00.000Z")
    finally:
        store.close()
    return path


@pytest.fixture
async def running(term_template: Path, tmp_path: Path, embedded: BrokerAddress
                  ) -> AsyncIterator[Running]:
    import shutil

    from kit import config

    db = tmp_path / "kit.db"
    shutil.copy(term_template, db)
    url = f"sqlite:///{db}"
    creds = {role: config.station_address(embedded, role=role, station=f"{role}-1",
                                          room="room-1") for role in ("station", "hub", "teacher")}
    settings = DashboardSettings(port=0, store=url, broker=embedded, flag_interval_s=3600)
    stop = asyncio.Event()
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(settings, stop=stop, on_ready=port.set_result))
    try:
        p = await asyncio.wait_for(port, 30)
        yield Running(f"http://127.0.0.1:{p}", url, embedded, creds, class_list())
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
