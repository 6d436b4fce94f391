"""The hub serves what a verifier fetches: openbadgeslib checks a credential's revocation by
fetching its status list from a real HTTP server, and sees a revocation at once."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier
from starlette.applications import Starlette

from kit.badges import Issuer, award_all, awards, load_definitions, revoke
from kit.badges.routes import routes
from kit.hub.store import AsyncStore, open_store
from tests.badges.classroom import make_class
from tests.badges.conftest import NOW


@pytest.fixture
async def hub(tmp_path: Path, issuer: Issuer) -> AsyncIterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path / 'kit.db'}"
    s = open_store(url)
    make_class(s)
    award_all(s, load_definitions(), NOW, issuer)
    s.close()
    sock = socket.create_server(("127.0.0.1", 0))  # listening before the server task runs
    async with AsyncStore(url) as store:
        server = uvicorn.Server(uvicorn.Config(Starlette(routes=routes(store, issuer)),
                                               log_level="warning", lifespan="off"))
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}", url
        finally:
            server.should_exit = True
            await asyncio.wait_for(serving, 60)
            sock.close()


async def test_status_lists_served_by_the_hub_revoke_at_once(
        hub: tuple[str, str], issuer: Issuer) -> None:
    address, url = hub
    async with httpx.AsyncClient() as http:
        async def verify(token: str) -> None:
            # openbadgeslib fetches over HTTPS only; the hub here is plain HTTP on loopback,
            # so the list is fetched from the hub first and handed to it by URL.
            kid = issuer.signing_keys()[0].kid
            served = {issuer.status_list_url(kid):
                      (await http.get(f"{address}/badges/status/{kid}")).content}
            OB3Verifier(issuer.public_pem(kid)).verify(
                token, check_status=True, verify_status_list=True, download=served.__getitem__)

        s = open_store(url)
        try:
            all_awards = awards(s)
            for a in all_awards:
                await verify(a.credential)
            gone = all_awards[0]
            revoke(s, gone.id, "mistake", NOW)
        finally:
            s.close()
        with pytest.raises(OB3VerificationError, match="revocation"):
            await verify(gone.credential)
        await verify(all_awards[1].credential)

        profile = (await http.get(f"{address}/badges/issuer")).json()
        assert profile == issuer.profile()
        keys = (await http.get(f"{address}/badges/jwks.json")).json()["keys"]
        assert [k["kid"] for k in keys] == [issuer.kid_url(issuer.signing_keys()[0].kid)]
        ach = (await http.get(f"{address}/badges/achievements/helping-hand")).json()
        assert ach["criteria"]["narrative"].startswith("The pupil helped teammates")
        assert (await http.get(f"{address}/badges/status/key-nope")).status_code == 404
