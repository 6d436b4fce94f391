"""Awards in the hub's store: issue, list, revoke, verify, export, and forget a pupil.

Tables (created on first use, on SQLite and PostgreSQL alike):

- ``badge_awards``: one row per badge a pupil holds, with the signed credential;
- ``badge_status``: which index of which key's status list each credential uses, and
  whether it is revoked. It holds no pupil data, so it survives erasure: a credential already
  given to a family keeps its status (valid or revoked) after the hub forgets the pupil.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kit.badges import credentials as cred
from kit.badges import jws
from kit.badges.criteria import Record, earns, records
from kit.badges.definitions import BadgeDef, BadgesFile
from kit.badges.issuer import Issuer
from kit.badges.privacy import scrub
from kit.errors import KitError
from kit.hub.store.base import EVENT_COLUMNS, Store, row_to_event
from kit.protocol.envelope import format_ts

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS badge_awards (
        id TEXT PRIMARY KEY,
        pupil TEXT NOT NULL,
        badge TEXT NOT NULL,
        awarded_at TEXT NOT NULL,
        by_hand INTEGER NOT NULL,
        reason TEXT,
        evidence TEXT NOT NULL,
        activity_start TEXT,
        activity_end TEXT,
        salt TEXT NOT NULL,
        key_id TEXT NOT NULL,
        status_index INTEGER NOT NULL,
        credential TEXT NOT NULL,
        ob2 TEXT NOT NULL,
        revoked_at TEXT,
        revoked_reason TEXT
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS badge_awards_once ON badge_awards (pupil, badge)",
    """CREATE TABLE IF NOT EXISTS badge_status (
        key_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        revoked INTEGER NOT NULL,
        PRIMARY KEY (key_id, idx)
    )""",
)
_COLS = ("id", "pupil", "badge", "awarded_at", "by_hand", "reason", "evidence",
         "activity_start", "activity_end", "salt", "key_id", "status_index", "credential", "ob2",
         "revoked_at", "revoked_reason")


class BadgeError(KitError, ValueError):
    """A badge action that cannot be done (unknown badge, no such award...)."""


def ensure_tables(store: Store) -> None:
    for sql in SCHEMA:
        store.execute(sql)


@dataclass(frozen=True, slots=True)
class Award:
    id: str
    pupil: str
    badge: str
    awarded_at: str
    by_hand: bool
    reason: str | None
    evidence: str
    activity_start: str | None
    activity_end: str | None
    salt: str
    key_id: str
    status_index: int
    credential: str
    ob2: str
    revoked_at: str | None
    revoked_reason: str | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def _award(row: tuple[Any, ...]) -> Award:
    d = dict(zip(_COLS, row, strict=True))
    d["by_hand"] = bool(d["by_hand"])
    d["status_index"] = int(d["status_index"])
    return Award(**d)


def awards(store: Store, *, pupil: str | None = None, badge: str | None = None) -> list[Award]:
    ensure_tables(store)
    where, params = [], []
    for col, val in (("pupil", pupil), ("badge", badge)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = store.query(f"SELECT {', '.join(_COLS)} FROM badge_awards{clause} "
                       "ORDER BY awarded_at, pupil, badge", params)
    return [_award(r) for r in rows]


def pupil_record(store: Store, pupil: str) -> Record:
    """One pupil's record, read from their own events and the start/end markers of the lessons
    they were in (so "lessons taken part in to the end" counts as for everyone), and nothing
    of any other pupil."""
    cols = ", ".join(EVENT_COLUMNS)
    mine = [row_to_event(r) for r in store.query(
        f"SELECT {cols} FROM events WHERE pupil = ? OR (pupil IS NULL AND kind = 'lesson' AND "
        "run IN (SELECT DISTINCT run FROM events WHERE pupil = ?)) ORDER BY ts, station, seq",
        (pupil, pupil))]
    return records(mine).get(pupil, Record(pupil))


def _new_index(store: Store, kid: str) -> int:
    """A free entry of ``kid``'s status list, chosen at random (as the Bitstring Status List
    spec advises): neighbouring entries then say nothing about who was awarded together."""
    used = {int(i) for (i,) in store.query("SELECT idx FROM badge_status WHERE key_id = ?",
                                          (kid,))}
    if len(used) >= cred.STATUS_LIST_BITS // 2:
        raise BadgeError(f"the status list of key {kid} is half full; make a new key with "
                         "'kit badge key rotate'")
    while True:
        index = secrets.randbelow(cred.STATUS_LIST_BITS)
        if index not in used:
            return index


def award(store: Store, issuer: Issuer, badge: BadgeDef, pupil: str, now: datetime, *,
          record: Record | None = None, reason: str | None = None) -> Award | None:
    """Issue ``badge`` to ``pupil``: sign its OB 3.0 credential and OB 2.0 assertion and keep
    them. ``None`` if the pupil already holds it. A teacher's award needs a ``reason``."""
    ensure_tables(store)
    by_hand = reason is not None
    reason = scrub(reason.strip(), store, pupil) if reason is not None else None
    if by_hand and not reason:
        raise BadgeError("say why you award this badge (--reason); the family reads it")
    if store.query("SELECT 1 FROM badge_awards WHERE pupil = ? AND badge = ?", (pupil, badge.id)):
        return None
    if record is None:
        record = pupil_record(store, pupil)
    evidence = record.evidence() if record.first_at else ""
    if reason:
        evidence = f"The teacher wrote: {reason}" + (f" {evidence}" if evidence else "")
    elif not evidence:
        raise BadgeError(f"{pupil} has no recorded participation to show as evidence")
    kid = issuer.active_key(now).kid
    index = _new_index(store, kid)
    store.execute("INSERT INTO badge_status (key_id, idx, revoked) VALUES (?, ?, 0)",
                  (kid, index))
    name = store.names().get(pupil) if issuer.names_in_credentials else None
    facts = cred.AwardFacts(
        id=f"urn:uuid:{uuid.uuid4()}", badge=badge, learner=issuer.learner_id(pupil),
        salt=secrets.token_hex(8), awarded_at=format_ts(now), evidence=evidence,
        activity_start=record.first_at, activity_end=record.last_at, kid=kid,
        status_index=index, name=name)
    token = cred.sign_vc(issuer, kid, cred.ob3_credential(issuer, facts))
    ob2 = cred.sign_ob2(issuer, kid, cred.ob2_assertion(issuer, facts))
    store.execute(
        f"INSERT INTO badge_awards ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})",
        (facts.id, pupil, badge.id, facts.awarded_at, int(by_hand), reason, evidence,
         facts.activity_start, facts.activity_end, facts.salt, kid, index, token, ob2, None,
         None))
    return awards(store, pupil=pupil, badge=badge.id)[0]


def award_all(store: Store, definitions: BadgesFile, now: datetime,
              issuer: Issuer | None = None) -> dict[str, int]:
    """Issue every badge each pupil's record now earns. Returns counts: ``issued`` (new),
    ``held`` (already held), ``pupils`` (with any participation)."""
    issuer = issuer or Issuer()
    ensure_tables(store)
    recs = records(store.events())
    held = {(p, b) for p, b in store.query("SELECT pupil, badge FROM badge_awards")}
    issued = already = 0
    for pupil, record in sorted(recs.items()):
        for badge in definitions.badges:
            if not earns(badge, record):
                continue
            if (pupil, badge.id) in held:
                already += 1
                continue
            if award(store, issuer, badge, pupil, now, record=record) is not None:
                issued += 1
    return {"issued": issued, "held": already, "pupils": len(recs)}


def revoke(store: Store, award_id: str, reason: str, now: datetime) -> Award:
    """Revoke one credential: its bit in the status list is set; verification then fails."""
    found = [a for a in awards(store) if a.id == award_id or a.id == f"urn:uuid:{award_id}"]
    if not found:
        raise BadgeError(f"no award {award_id!r}; 'kit badge list' shows the ids")
    a = found[0]
    store.execute("UPDATE badge_awards SET revoked_at = ?, revoked_reason = ? WHERE id = ?",
                  (format_ts(now), reason, a.id))
    store.execute("UPDATE badge_status SET revoked = 1 WHERE key_id = ? AND idx = ?",
                  (a.key_id, a.status_index))
    return awards(store, pupil=a.pupil, badge=a.badge)[0]


def revoked_indices(store: Store, kid: str) -> set[int]:
    ensure_tables(store)
    return {int(i) for (i,) in store.query(
        "SELECT idx FROM badge_status WHERE key_id = ? AND revoked = 1", (kid,))}


def status_list_jwt(store: Store, issuer: Issuer, kid: str, now: datetime) -> str:
    """The signed status list of ``kid``'s credentials, as served at its URL."""
    body = cred.status_list_credential(issuer, kid, revoked_indices(store, kid), now)
    return cred.sign_vc(issuer, kid, body)


def publish(store: Store, issuer: Issuer, out: Path, now: datetime) -> dict[str, str]:
    """Write what a verifier fetches (status lists, JWKS) into ``out``; returns URL → file."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    for k in issuer.signing_keys():
        if k.state == "revoked":
            continue
        path = out / f"status-{k.kid}.jwt"
        path.write_text(status_list_jwt(store, issuer, k.kid, now))
        written[issuer.status_list_url(k.kid)] = str(path)
    jwks = out / "jwks.json"
    jwks.write_text(json.dumps(issuer.jwks(), indent=2))
    written[f"{issuer.base_url}/badges/jwks.json"] = str(jwks)
    return written


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str
    credential: dict[str, Any] | None = None


def verify(store: Store, issuer: Issuer, token: str) -> Verdict:
    """Check a credential this hub issued: signature, issuer, key state and revocation."""
    try:
        header, _ = jws.split(token)
    except jws.BadSignature as e:
        return Verdict(False, str(e))
    kid_url = str(header.get("kid", ""))
    kid = kid_url.rsplit("#", 1)[-1]
    info = issuer.key_info(kid) if kid_url.startswith(issuer.id + "#") else None
    if info is None:
        return Verdict(False, "not signed by this school's issuer key")
    if info.state == "revoked":
        return Verdict(False, f"signed with key {kid}, which the school revoked on "
                              f"{info.revoked_at}")
    try:
        payload = jws.verify(token, issuer.public_key(kid))
    except jws.BadSignature as e:
        return Verdict(False, str(e))
    types = payload.get("type", [])
    if "OpenBadgeCredential" not in types or payload.get("iss") != issuer.id:
        return Verdict(False, "not an Open Badges credential of this issuer", payload)
    status = payload.get("credentialStatus") or {}
    try:
        index = int(status.get("statusListIndex", -1))
    except (TypeError, ValueError):
        index = -1
    if status.get("statusListCredential") != issuer.status_list_url(kid) or index < 0:
        return Verdict(False, "the credential has no status entry of this issuer", payload)
    if index in revoked_indices(store, kid):
        return Verdict(False, "revoked by the school", payload)
    return Verdict(True, "valid: signed by the school and not revoked", payload)


def export_ob2(store: Store, issuer: Issuer, out: Path,
               definitions: BadgesFile | None = None) -> dict[str, int]:
    """Write the awards as Open Badges 2.0: signed assertions (``assertions/<id>.jws`` and
    the decoded ``.json``), badge classes, issuer profile, keys and the revocation list, laid
    out as their URLs (``<base_url>/badges/ob2/...``) so a static web server can host them."""
    from kit.badges.definitions import load_definitions

    definitions = definitions or load_definitions()
    defs = definitions.by_id()
    urls = cred.ob2_urls(issuer)
    all_awards = awards(store)
    for sub in ("assertions", "badges", "keys"):
        (out / sub).mkdir(parents=True, exist_ok=True)

    def put(url: str, doc: dict[str, Any]) -> None:
        rel = url.removeprefix(f"{issuer.base_url}/badges/ob2/")
        (out / f"{rel}.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False))

    kids = [k.kid for k in issuer.signing_keys() if k.state != "revoked"]
    put(urls["issuer"], cred.ob2_issuer(issuer, kids))
    for kid in kids:
        put(f"{urls['keys']}/{kid}", cred.ob2_key(issuer, kid))
    for b in {a.badge for a in all_awards}:
        if b in defs:
            put(f"{urls['badges']}/{b}", cred.ob2_badge_class(issuer, defs[b]))
    revoked = []
    for a in all_awards:
        _, body = jws.split(a.ob2)
        put(body["id"], body)
        (out / "assertions" / f"{body['id'].rsplit('/', 1)[-1]}.jws").write_text(a.ob2)
        if a.revoked:
            revoked.append({"id": body["id"], "revocationReason": a.revoked_reason or ""})
    put(urls["revocations"], {"@context": cred.OB2_CONTEXT, "type": "RevocationList",
                              "id": urls["revocations"], "issuer": urls["issuer"],
                              "revokedAssertions": revoked})
    return {"assertions": len(all_awards), "revoked": len(revoked)}


def forget(store: Store, pupil: str) -> dict[str, int]:
    """Erase the pupil's awards (credentials given to the family keep their status)."""
    ensure_tables(store)
    return {"badge_awards": store.execute("DELETE FROM badge_awards WHERE pupil = ?", (pupil,))}
