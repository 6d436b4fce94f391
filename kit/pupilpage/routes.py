"""The pupil page over HTTP: ``GET /pupil/{token}`` serves the page of a live link; a revoked
or unknown token gets a friendly 404. The dashboard mounts :func:`routes`; :func:`app` is a
tiny standalone application for a hub without the dashboard (and for the tests).

The store is reached through :class:`kit.hub.store.AsyncStore` (its one thread), never from
the web server's threads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from kit.clock import Clock, SystemClock
from kit.hub.store import AsyncStore
from kit.hub.store.base import Store
from kit.pupilpage import tokens
from kit.pupilpage.content import gather
from kit.pupilpage.render import render
from kit.pupilpage.words import LANGUAGES, Words

#: What every page answer carries: not cached, not indexed, no referrer leaks, nothing loaded
#: from elsewhere.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


def _page_for(token: str, now: datetime) -> Callable[[Store], str | None]:
    def run(store: Store) -> str | None:
        link = tokens.resolve(store, token)
        if link is None:
            return None
        return render(gather(store, link.pupil, link.lang), now)
    return run


def routes(store: AsyncStore, *, clock: Clock | None = None,
           prefix: str = "/pupil") -> list[BaseRoute]:
    clock = clock or SystemClock()

    async def page(request: Request) -> HTMLResponse:
        token = str(request.path_params["token"])
        html = await store.call(_page_for(token, clock.now()))
        if html is None:
            lang = request.query_params.get("lang", "en")
            w = Words(lang if lang in LANGUAGES else "en")
            msg = escape(w.t("This link no longer works. Ask your teacher for a new one."))
            return HTMLResponse(f'<!doctype html><html lang="{w.lang}"><meta charset="utf-8">'
                                f"<title>kit</title><p>{msg}</p></html>", status_code=404,
                                headers=HEADERS)
        return HTMLResponse(html, headers=HEADERS)

    return [Route(prefix + "/{token}", page, methods=["GET"])]


def app(store: AsyncStore, *, clock: Clock | None = None) -> Starlette:
    return Starlette(routes=routes(store, clock=clock))
