"""``kit hub --dashboard PORT``: the hub serves the dashboard beside the broker and recorder,
and the dashboard follows the room with the hub's own credentials."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from kit.config import BrokerAddress
from kit.hub.service import HubSettings, free_port, run_hub


async def test_the_hub_serves_the_dashboard(kit_home: Path) -> None:
    web = free_port()
    settings = HubSettings(broker="embedded", port=free_port(),
                           store=f"sqlite:///{kit_home / 'kit.db'}", retention_days=None,
                           dashboard_port=web)
    ready: asyncio.Future[BrokerAddress] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    hub = asyncio.create_task(run_hub(settings, on_ready=ready.set_result, stop=stop))
    try:
        await asyncio.wait_for(ready, 60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{web}", timeout=30) as c:
            page = await c.get("/login")
            assert page.status_code == 200 and "Log in" in page.text
            assert (await c.get("/live/room-1/state")).status_code == 401
    finally:
        stop.set()
        await asyncio.wait_for(hub, 60)
