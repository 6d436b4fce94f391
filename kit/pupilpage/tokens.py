"""Revocable links to a pupil's page. The link carries a random token; the hub keeps only its
SHA-256, the pupil and the language, so a copy of the store cannot be turned into links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from kit.hub.store.base import Store

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pupil_page_tokens (
        token_hash TEXT PRIMARY KEY,
        pupil TEXT NOT NULL,
        lang TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS pupil_page_tokens_pupil ON pupil_page_tokens (pupil)",
)


@dataclass(frozen=True, slots=True)
class Link:
    token: str
    pupil: str
    lang: str


def ensure_tables(store: Store) -> None:
    for sql in SCHEMA:
        store.execute(sql)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(store: Store, pupil: str, lang: str, now: str) -> Link:
    from kit.pupilpage.words import LANGUAGES, UnknownLanguage

    if lang not in LANGUAGES:
        raise UnknownLanguage(lang)
    ensure_tables(store)
    token = secrets.token_urlsafe(24)
    while token.startswith("-"):  # a teacher passes it to `kit page unlink`: not an option
        token = secrets.token_urlsafe(24)
    store.execute("INSERT INTO pupil_page_tokens (token_hash, pupil, lang, created_at, "
                  "revoked_at) VALUES (?, ?, ?, ?, NULL)", (_hash(token), pupil, lang, now))
    return Link(token, pupil, lang)


def resolve(store: Store, token: str) -> Link | None:
    """The pupil and language of a live link; ``None`` if unknown or revoked."""
    ensure_tables(store)
    rows = store.query("SELECT pupil, lang FROM pupil_page_tokens WHERE token_hash = ? AND "
                       "revoked_at IS NULL", (_hash(token),))
    return Link(token, rows[0][0], rows[0][1]) if rows else None


def revoke(store: Store, now: str, *, token: str | None = None, pupil: str | None = None) -> int:
    """Stop a link (by its token) or every link of a pupil. Returns how many stopped."""
    ensure_tables(store)
    if token is not None:
        return store.execute("UPDATE pupil_page_tokens SET revoked_at = ? WHERE token_hash = ? "
                             "AND revoked_at IS NULL", (now, _hash(token)))
    return store.execute("UPDATE pupil_page_tokens SET revoked_at = ? WHERE pupil = ? AND "
                         "revoked_at IS NULL", (now, pupil))


def forget(store: Store, pupil: str) -> dict[str, int]:
    ensure_tables(store)
    return {"pupil_page_tokens": store.execute(
        "DELETE FROM pupil_page_tokens WHERE pupil = ?", (pupil,))}
