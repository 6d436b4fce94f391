"""What a verifier fetches from the hub, at the addresses written into every credential:

- ``GET /badges/status/{kid}``: the signed status list of one key (VC-JWT,
  ``application/vc+jwt``), built from the store at each request, so a revocation counts at
  once;
- ``GET /badges/issuer``: the school's issuer profile; ``GET /badges/jwks.json``: its public
  keys (revoked keys are left out);
- ``GET /badges/achievements/{badge}``: a badge's achievement (name, description, criteria).

The dashboard mounts :func:`routes`; the store is reached through
:class:`kit.hub.store.AsyncStore` only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from kit.badges import credentials as cred
from kit.badges.definitions import BadgesFile, load_definitions
from kit.badges.issuer import Issuer
from kit.badges.issuing import status_list_jwt
from kit.clock import Clock, SystemClock
from kit.hub.store import AsyncStore


def routes(store: AsyncStore, issuer: Issuer, *, clock: Clock | None = None,
           definitions: BadgesFile | None = None) -> list[BaseRoute]:
    clock = clock or SystemClock()
    defs = (definitions or load_definitions()).by_id()

    async def status(request: Request) -> Response:
        kid = str(request.path_params["kid"])
        info = issuer.key_info(kid)
        if info is None or info.state == "revoked":
            return PlainTextResponse("no such status list", status_code=404)
        now = clock.now()
        token = await store.call(lambda s: status_list_jwt(s, issuer, kid, now))
        return PlainTextResponse(token, media_type="application/vc+jwt",
                                 headers={"Cache-Control": "no-cache"})

    async def profile(request: Request) -> Response:
        return JSONResponse(issuer.profile())

    async def jwks(request: Request) -> Response:
        return JSONResponse(issuer.jwks())

    async def achievement(request: Request) -> Response:
        badge = defs.get(str(request.path_params["badge"]))
        if badge is None:
            return PlainTextResponse("no such badge", status_code=404)
        return JSONResponse(cred.achievement(issuer, badge))

    return [
        Route("/badges/status/{kid}", status, methods=["GET"]),
        Route("/badges/issuer", profile, methods=["GET"]),
        Route("/badges/jwks.json", jwks, methods=["GET"]),
        Route("/badges/achievements/{badge}", achievement, methods=["GET"]),
    ]
