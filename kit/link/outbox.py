"""A station's outbox: every event is on disk before it is sent, and leaves only once the hub
has said it is stored (its commit mark, see :mod:`kit.link.station`). A broker outage, a
broker that loses messages or a killed station process loses nothing.

The file is private (0600) and holds pupils' pseudonyms: deleted rows are overwritten
(``secure_delete``) and the write-ahead log is truncated whenever the outbox empties, so
confirmed events leave no copy behind; :func:`forget_in` erases a pupil's pending events.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from kit.protocol import topics
from kit.protocol.envelope import Event, encode_event


class Outbox:
    """Pending events, in order, with the next sequence number of each origin."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = str(path) if path else ":memory:"
        if path:
            from kit.config import private_dir, private_file

            if not Path(path).parent.exists():
                private_dir(Path(path).parent)
            private_file(Path(path))
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA secure_delete=ON")
        # WAL without an fsync per event; the log keeps page images of deleted rows until a
        # checkpoint, so it is truncated whenever the outbox empties (see confirm).
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(
            "CREATE TABLE IF NOT EXISTS outbox (n INTEGER PRIMARY KEY AUTOINCREMENT, "
            "topic TEXT NOT NULL, payload BLOB NOT NULL);"
            "CREATE TABLE IF NOT EXISTS seqs (origin TEXT PRIMARY KEY, next INTEGER NOT NULL);")
        cols = {r[1] for r in self._db.execute("PRAGMA table_info(outbox)")}
        if "eid" not in cols:  # an outbox written by an older kit
            self._db.execute("ALTER TABLE outbox ADD COLUMN eid TEXT")
            for n, payload in self._db.execute("SELECT n, payload FROM outbox").fetchall():
                try:
                    eid = json.loads(bytes(payload))["id"]
                except (ValueError, KeyError, TypeError):
                    eid = None
                self._db.execute("UPDATE outbox SET eid = ? WHERE n = ?", (eid, n))
        self._db.execute("CREATE INDEX IF NOT EXISTS outbox_eid ON outbox (eid)")

    def next_seq(self, origin: str) -> int:
        """Claim the next sequence number of ``origin`` (kept across restarts)."""
        row = self._db.execute("SELECT next FROM seqs WHERE origin = ?", (origin,)).fetchone()
        seq = row[0] if row else 0
        self._db.execute("INSERT OR REPLACE INTO seqs VALUES (?, ?)", (origin, seq + 1))
        return int(seq)

    def put(self, event: Event) -> int:
        cur = self._db.execute("INSERT INTO outbox (topic, payload, eid) VALUES (?, ?, ?)",
                               (topics.events(event.room, event.station), encode_event(event),
                                event.id))
        return int(cur.lastrowid or 0)

    def peek(self, after: int = 0, limit: int = 200) -> list[tuple[int, str, bytes]]:
        rows = self._db.execute("SELECT n, topic, payload FROM outbox WHERE n > ? ORDER BY n "
                                "LIMIT ?", (after, limit)).fetchall()
        return [(int(n), str(t), bytes(p)) for n, t, p in rows]

    def get(self, ns: list[int]) -> list[tuple[int, str, bytes]]:
        out = []
        for n in ns:
            row = self._db.execute("SELECT n, topic, payload FROM outbox WHERE n = ?",
                                   (n,)).fetchone()
            if row:
                out.append((int(row[0]), str(row[1]), bytes(row[2])))
        return out

    def remove(self, ns: list[int]) -> None:
        if ns:
            self._db.executemany("DELETE FROM outbox WHERE n = ?", [(n,) for n in ns])

    def confirm(self, ids: list[str]) -> list[int]:
        """The hub has stored these event ids: drop them. Returns the rows dropped."""
        gone: list[int] = []
        if not ids:
            return gone
        self._db.execute("BEGIN")
        try:
            for eid in ids:
                for (n,) in self._db.execute("SELECT n FROM outbox WHERE eid = ?",
                                             (eid,)).fetchall():
                    gone.append(int(n))
                self._db.execute("DELETE FROM outbox WHERE eid = ?", (eid,))
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        if gone and not len(self):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return gone

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __repr__(self) -> str:
        return f"<Outbox {self.path} pending={len(self)}>"


def forget_in(path: Path, pupil: str) -> int:
    """Erase ``pupil``'s pending events from the outbox file at ``path`` (they must not
    reach the hub after the pupil is forgotten); returns how many."""
    token = re.compile(rf"(?<![a-z0-9-]){re.escape(pupil)}(?![a-z0-9-])")
    db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").fetchone():
            return 0
        db.execute("PRAGMA secure_delete=ON")
        rows = db.execute("SELECT n, payload FROM outbox").fetchall()
        gone = [n for n, p in rows if token.search(bytes(p).decode("utf-8", "replace"))]
        db.execute("BEGIN IMMEDIATE")
        db.executemany("DELETE FROM outbox WHERE n = ?", [(n,) for n in gone])
        db.execute("COMMIT")
        if db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(gone)
    finally:
        db.close()
