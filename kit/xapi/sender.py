"""Learning records while the hub runs: every few minutes, queue the statements of the events
recorded since the last round and send what waits; while the LRS is away, wait longer between
tries (up to an hour). Meant for the hub's TaskGroup:

    tg.create_task(run_sender(store, client, issuer=issuer, clock=clock), name="xapi-sender")
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from functools import partial
from typing import Any

from kit.badges.issuer import Issuer
from kit.clock import Clock
from kit.hub.report import participation
from kit.hub.store import AsyncStore
from kit.hub.store.base import EVENT_COLUMNS, Store, row_to_event
from kit.protocol.envelope import format_ts
from kit.xapi import outbox
from kit.xapi.export import context
from kit.xapi.lrs import LrsClient, flush_async
from kit.xapi.statements import completed, earned, from_event

log = logging.getLogger(__name__)

STATE = "CREATE TABLE IF NOT EXISTS xapi_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def export_new(store: Store, now: datetime, issuer: Issuer) -> int:
    """Queue the statements of events received since the last call (and of lesson runs that
    ended among them, and of new awards). Returns how many were new in the outbox.

    The mark is the latest ``received_at`` seen; events received at that same instant are
    read again next time, which costs nothing (the outbox keeps each statement id once)."""
    from kit.badges.definitions import load_definitions
    from kit.badges.issuing import awards

    store.execute(STATE)
    got = store.query("SELECT value FROM xapi_state WHERE key = 'events_until'")
    since = got[0][0] if got else ""
    cols = ", ".join(EVENT_COLUMNS)
    new = [row_to_event(r) for r in store.query(
        f"SELECT {cols} FROM events WHERE received_at >= ? ORDER BY ts, station, seq", (since,))]
    ctx = context(issuer)
    items: list[tuple[str | None, dict[str, Any]]] = []
    ended: list[tuple[str, str, str]] = []
    for ev in new:
        st = from_event(ev, ctx)
        if st is not None:
            items.append((ev.pupil, st))
        if ev.kind == "lesson" and ev.data.get("action") == "end" and ev.run:
            ended.append((ev.room, ev.run, ev.ts))
    for room, run, at in ended:
        for line in participation(store.events(room=room, run=run)):
            items.append((line.pupil, completed(room, run, line.pupil,
                                                None if line.team == "-" else line.team,
                                                line.active_s, at, ctx)))
    names = {b.id: b.text("name", "en") for b in load_definitions().badges}
    for a in awards(store):
        items.append((a.pupil, earned(a.id, a.pupil, issuer.achievement_url(a.badge),
                                      names.get(a.badge, a.badge), a.awarded_at, ctx)))
    queued = outbox.enqueue(store, items, format_ts(now))
    if new:
        mark = max(ev.received_at for ev in new)
        store.execute("DELETE FROM xapi_state WHERE key = 'events_until'")
        store.execute("INSERT INTO xapi_state (key, value) VALUES ('events_until', ?)", (mark,))
    return queued


async def run_sender(store: AsyncStore, client: LrsClient, *, issuer: Issuer, clock: Clock,
                     every_s: float = 300.0, max_wait_s: float = 3600.0,
                     rounds: asyncio.Queue[dict[str, int]] | None = None) -> None:
    """Queue and send every ``every_s``; after a failed try wait twice as long (at most
    ``max_wait_s``). Each round's counts go to ``rounds`` if given. Runs until cancelled."""
    wait = every_s
    while True:
        now = clock.now()
        queued = await store.call(partial(export_new, now=now, issuer=issuer))
        result = await flush_async(store, client, now)
        result["queued"] = queued
        if result["failed"]:
            wait = min(wait * 2, max_wait_s)
            log.warning("xAPI: %d statements wait for the LRS; next try in %.0f s",
                        result["pending"], wait)
        else:
            wait = every_s
        if rounds is not None:
            rounds.put_nowait(result)
        await clock.sleep(wait)
