"""A station's outbox: every event is on disk before it is sent, and leaves only once the
broker has acknowledged it. A broker outage or a killed station process loses nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kit.protocol import topics
from kit.protocol.envelope import Event, encode_event


class Outbox:
    """Pending events, in order, with the next sequence number of each origin."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = str(path) if path else ":memory:"
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(
            "CREATE TABLE IF NOT EXISTS outbox (n INTEGER PRIMARY KEY AUTOINCREMENT, "
            "topic TEXT NOT NULL, payload BLOB NOT NULL);"
            "CREATE TABLE IF NOT EXISTS seqs (origin TEXT PRIMARY KEY, next INTEGER NOT NULL);")

    def next_seq(self, origin: str) -> int:
        """Claim the next sequence number of ``origin`` (kept across restarts)."""
        row = self._db.execute("SELECT next FROM seqs WHERE origin = ?", (origin,)).fetchone()
        seq = row[0] if row else 0
        self._db.execute("INSERT OR REPLACE INTO seqs VALUES (?, ?)", (origin, seq + 1))
        return int(seq)

    def put(self, event: Event) -> None:
        self._db.execute("INSERT INTO outbox (topic, payload) VALUES (?, ?)",
                         (topics.events(event.room, event.station), encode_event(event)))

    def peek(self, after: int = 0, limit: int = 200) -> list[tuple[int, str, bytes]]:
        rows = self._db.execute("SELECT n, topic, payload FROM outbox WHERE n > ? ORDER BY n "
                                "LIMIT ?", (after, limit)).fetchall()
        return [(int(n), str(t), bytes(p)) for n, t, p in rows]

    def remove(self, ns: list[int]) -> None:
        if ns:
            self._db.executemany("DELETE FROM outbox WHERE n = ?", [(n,) for n in ns])

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __repr__(self) -> str:
        return f"<Outbox {self.path} pending={len(self)}>"
