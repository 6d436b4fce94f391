"""What goes on one pupil's page, read from the store: only that pupil's own events (plus the
lesson start/end markers of the runs they were in) and their own badges. Nothing about any
other pupil is ever read into it."""

from __future__ import annotations

from dataclasses import dataclass

from kit.badges.criteria import Record, records
from kit.badges.definitions import BadgesFile, load_definitions
from kit.badges.issuing import awards
from kit.hub.store.base import EVENT_COLUMNS, Store, row_to_event


@dataclass(frozen=True, slots=True)
class BadgeLine:
    badge: str
    name: str
    description: str
    awarded_at: str
    reason: str | None
    credential: str  # the signed OB 3.0 credential (VC-JWT), baked into the saved image


@dataclass(frozen=True, slots=True)
class PageContent:
    pupil: str
    name: str | None
    lang: str
    record: Record
    badges: list[BadgeLine]


def gather(store: Store, pupil: str, lang: str, *, with_name: bool = True,
           definitions: BadgesFile | None = None) -> PageContent:
    # The pupil's own events, and the start/end markers (no pupil) of the lessons they were
    # in, so that "lessons taken part in to the end" counts as it does for badges.
    cols = ", ".join(EVENT_COLUMNS)
    mine = [row_to_event(r) for r in store.query(
        f"SELECT {cols} FROM events WHERE pupil = ? OR (pupil IS NULL AND kind = 'lesson' AND "
        "run IN (SELECT DISTINCT run FROM events WHERE pupil = ?)) ORDER BY ts, station, seq",
        (pupil, pupil))]
    record = records(mine).get(pupil, Record(pupil))
    defs = (definitions or load_definitions()).by_id()
    lines = []
    for a in awards(store, pupil=pupil):
        if a.revoked:
            continue
        d = defs.get(a.badge)
        lines.append(BadgeLine(a.badge, d.text("name", lang) if d else a.badge,
                               d.text("description", lang) if d else "", a.awarded_at,
                               a.reason, a.credential))
    name = store.names().get(pupil) if with_name else None
    return PageContent(pupil, name, lang, record, lines)
