"""The recognition tables on both stores: the outbox, the export mark and the page links work
the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kit.badges import Issuer
from kit.hub.store import open_store
from kit.pupilpage import issue, resolve
from kit.pupilpage import revoke as revoke_link
from kit.recognition import export_xapi, forget
from kit.xapi import outbox
from kit.xapi.sender import export_new
from tests.badges.classroom import make_class

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def test_outbox_export_mark_and_links_on_both_stores(store_url: str, kit_home: Path) -> None:
    store = open_store(store_url)
    try:
        make_class(store)
        issuer = Issuer()
        n = export_xapi(store, None, NOW, issuer)["statements"]
        assert outbox.counts(store) == {"sent": 0, "pending": n}
        assert export_new(store, NOW, issuer) == 0  # all queued already
        assert n > 210  # more than one chunk of 200
        ids = [s["id"] for s in outbox.pending(store, n - 10)]
        assert outbox.mark_sent(store, ids, "2026-03-20T12:00:01.000Z") == n - 10
        assert outbox.counts(store) == {"sent": n - 10, "pending": 10}
        link = issue(store, "p-ada001", "bg", "2026-03-20T12:00:00.000Z")
        assert resolve(store, link.token) is not None
        assert revoke_link(store, "2026-03-20T12:00:01.000Z", pupil="p-ada001") == 1
        assert resolve(store, link.token) is None
        gone = forget(store, "p-ada001")
        assert gone["xapi_outbox"] > 0 and gone["pupil_page_tokens"] == 1
    finally:
        store.close()
