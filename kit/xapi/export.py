"""From the store to xAPI: every pupil event and badge award becomes a statement, written to a
file (JSON Lines) and queued in the outbox for the LRS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from kit.badges.issuer import Issuer
from kit.hub.report import participation
from kit.hub.store.base import Store
from kit.protocol.envelope import format_ts
from kit.xapi import outbox
from kit.xapi.statements import Context, completed, earned, from_event


def context(issuer: Issuer) -> Context:
    return Context(home_page=issuer.base_url, learner=issuer.learner_id)


def statements(store: Store, issuer: Issuer) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """``(pupil, statement)`` for every event that is a pupil's act, each lesson run a pupil
    took part in to its end (``completed``, with their active time), then every award."""
    ctx = context(issuer)
    events = store.events()
    ended: dict[tuple[str, str], str] = {}
    for ev in events:
        st = from_event(ev, ctx)
        if st is not None:
            yield ev.pupil, st
        if ev.kind == "lesson" and ev.data.get("action") == "end":
            ended[(ev.room, ev.run or "-")] = ev.ts
    rooms = {ev.run or "-": ev.room for ev in events}
    for line in participation(events):
        at = ended.get((rooms.get(line.run, ""), line.run))
        if at is not None:
            yield line.pupil, completed(rooms[line.run], line.run, line.pupil,
                                        None if line.team == "-" else line.team, line.active_s,
                                        at, ctx)
    from kit.badges.definitions import load_definitions
    from kit.badges.issuing import awards

    names = {b.id: b.text("name", "en") for b in load_definitions().badges}
    for a in awards(store):
        yield a.pupil, earned(a.id, a.pupil, issuer.achievement_url(a.badge),
                              names.get(a.badge, a.badge), a.awarded_at, ctx)


def export_xapi(store: Store, path: Path | str | None, now: datetime,
                issuer: Issuer | None = None) -> dict[str, int]:
    """Write the statements to ``path`` (one JSON statement per line; skipped if ``None``) and
    queue them for the LRS. Returns ``statements`` (written) and ``queued`` (new in the
    outbox)."""
    issuer = issuer or Issuer()
    items = list(statements(store, issuer))
    if path is not None:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        with p.open("w", encoding="utf-8") as f:
            for _, st in items:
                f.write(json.dumps(st, ensure_ascii=False, separators=(",", ":")) + "\n")
    queued = outbox.enqueue(store, items, format_ts(now))
    return {"statements": len(items), "queued": queued}
