"""Teacher observations, dated and signed, shown next to the signals:
``kit note p-k3v9qa "sat apart, refused the driver role"``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kit.errors import KitError
from kit.insight.tables import ensure

if TYPE_CHECKING:
    from kit.hub.store import Store

DDL = """
CREATE TABLE IF NOT EXISTS teacher_notes (
    id TEXT PRIMARY KEY,
    pupil TEXT NOT NULL,
    room TEXT,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS teacher_notes_pupil ON teacher_notes (pupil, at)
"""

MAX_NOTE = 2000


class NoteError(KitError, ValueError):
    """A note that cannot be kept as given."""


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    pupil: str
    room: str | None
    at: str
    author: str
    text: str


def add(store: Store, pupil: str, text: str, *, author: str, at: str,
        room: str | None = None) -> Note:
    ensure(store, "notes", DDL)
    text = text.strip()
    if not text:
        raise NoteError("the note is empty: write what you saw, e.g. 'sat apart today'")
    if len(text) > MAX_NOTE:
        raise NoteError(f"the note is {len(text)} characters; keep it under {MAX_NOTE}")
    if not author.strip():
        raise NoteError("say who writes the note (--by NAME)")
    note = Note("n-" + uuid.uuid4().hex[:12], pupil, room, at, author.strip(), text)
    store.execute("INSERT INTO teacher_notes VALUES (?,?,?,?,?,?)",
                  (note.id, note.pupil, note.room, note.at, note.author, note.text))
    return note


def notes(store: Store, *, pupil: str | None = None, room: str | None = None) -> list[Note]:
    ensure(store, "notes", DDL)
    where, params = [], []
    for col, val in (("pupil", pupil), ("room", room)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return [Note(*r) for r in store.query(
        f"SELECT id, pupil, room, at, author, text FROM teacher_notes{clause} ORDER BY at, id",
        params)]


def forget(store: Store, pupil: str) -> dict[str, int]:
    ensure(store, "notes", DDL)
    return {"teacher_notes": store.execute("DELETE FROM teacher_notes WHERE pupil = ?",
                                           (pupil,))}
