"""What goes on one pupil's page, read from the store: only that pupil's own events (plus the
lesson start/end markers of the runs they were in) and their own badges. Nothing about any
other pupil is ever read into it."""

from __future__ import annotations

from dataclasses import dataclass

from kit.badges.criteria import Record, records
from kit.badges.definitions import BadgesFile, load_definitions
from kit.badges.issuing import awards
from kit.hub.store.base import Store


@dataclass(frozen=True, slots=True)
class BadgeLine:
    name: str
    description: str
    awarded_at: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class PageContent:
    pupil: str
    name: str | None
    lang: str
    record: Record
    badges: list[BadgeLine]


def gather(store: Store, pupil: str, lang: str, *, with_name: bool = True,
           definitions: BadgesFile | None = None) -> PageContent:
    runs = sorted({ev.run for ev in store.events(pupil=pupil) if ev.run})
    mine = [ev for run in runs for ev in store.events(run=run)
            if ev.pupil == pupil or (ev.pupil is None and ev.kind == "lesson")]
    if not runs:
        mine = store.events(pupil=pupil)
    record = records(mine).get(pupil, Record(pupil))
    defs = (definitions or load_definitions()).by_id()
    lines = []
    for a in awards(store, pupil=pupil):
        if a.revoked:
            continue
        d = defs.get(a.badge)
        lines.append(BadgeLine(d.text("name", lang) if d else a.badge,
                               d.text("description", lang) if d else "", a.awarded_at,
                               a.reason))
    name = store.names().get(pupil) if with_name else None
    return PageContent(pupil, name, lang, record, lines)
