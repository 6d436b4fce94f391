"""The hub's web pages beyond the teachers' dashboard, joined here so the dashboard knows
nothing of badges or pupils' own pages: each pupil's page behind its revocable link, and the
badge issuer's public documents (status lists, keys, badge descriptions) that verifiers fetch."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from kit.hub.store import AsyncStore


def extra_routes(store: AsyncStore) -> list[BaseRoute]:
    from kit.badges.issuer import Issuer
    from kit.badges.routes import routes as badge_routes
    from kit.pupilpage.routes import routes as page_routes

    return [*page_routes(store), *badge_routes(store, Issuer())]
