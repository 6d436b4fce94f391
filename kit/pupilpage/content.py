"""What goes on one pupil's page, read from the store: only that pupil's own events (plus the
lesson start/end markers of the runs they were in) and their own badges. Nothing about any
other pupil is ever read into it."""

from __future__ import annotations

from dataclasses import dataclass

from kit.badges.criteria import Record
from kit.badges.definitions import BadgesFile, load_definitions
from kit.badges.issuing import awards, pupil_record
from kit.hub.store.base import Store


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
    record = pupil_record(store, pupil)
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
