"""Recognition and learning records in one place, for the composition root and the erasure
command: issue every earned badge, export learning records, and forget a pupil in every table
these keep.

- :func:`award_all` (``kit.badges``): badges each pupil's own record earns;
- :func:`export_xapi` (``kit.xapi``): statements to a file and into the LRS outbox;
- :func:`verify_all`: check every credential issued (signature, key, revocation);
- :func:`recognise`: all of it at the end of a run of lessons, with the files a school keeps
  (the demo's closing counts come from here);
- :func:`forget`: awards, queued statements and page links of one pupil.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kit.badges.definitions import BadgesFile
from kit.badges.issuer import Issuer
from kit.badges.issuing import award_all, awards, verify
from kit.hub.store.base import Store
from kit.xapi.export import export_xapi

__all__ = ["award_all", "export_xapi", "forget", "recognise", "verify_all"]


def verify_all(store: Store, issuer: Issuer | None = None) -> dict[str, int]:
    """``verified`` (valid now), ``revoked`` and ``failed`` (anything else) over every award."""
    issuer = issuer or Issuer()
    out = {"verified": 0, "revoked": 0, "failed": 0}
    for a in awards(store):
        verdict = verify(store, issuer, a.credential)
        key = "verified" if verdict.ok else "revoked" if a.revoked else "failed"
        out[key] += 1
    return out


def forget(store: Store, pupil: str) -> dict[str, int]:
    """Erase ``pupil`` from the badge, xAPI and pupil-page tables; returns rows per table.
    Credentials already given to the family keep their status (see ``kit.badges.issuing``);
    statements already in an LRS must be erased there (xAPI cannot delete)."""
    from kit.badges.issuing import forget as forget_awards
    from kit.pupilpage.tokens import forget as forget_links
    from kit.xapi.outbox import forget as forget_statements

    return {**forget_awards(store, pupil), **forget_statements(store, pupil),
            **forget_links(store, pupil)}


def recognise(store: Store, out: Path, now: datetime, *, issuer: Issuer | None = None,
              definitions: BadgesFile | None = None) -> dict[str, int]:
    """Issue every earned badge, verify every credential, and write into ``out``: the OB 3.0
    credentials (``ob3/*.jwt`` and baked ``ob3/*.svg``), signed status lists (``status/``),
    the OB 2.0 export (``ob2/``) and the xAPI statements (``statements.jsonl``, also queued
    for the LRS). Returns the counts: ``issued``, ``held``, ``verified``, ``revoked``,
    ``failed``, ``ob2_assertions``, ``xapi_statements``, ``xapi_queued``."""
    from kit.badges.baking import badge_svg
    from kit.badges.definitions import load_definitions
    from kit.badges.issuing import export_ob2, publish

    issuer = issuer or Issuer()
    definitions = definitions or load_definitions()
    issued = award_all(store, definitions, now, issuer)
    checked = verify_all(store, issuer)
    (out / "ob3").mkdir(parents=True, exist_ok=True)
    defs = definitions.by_id()
    for a in awards(store):
        stem = out / "ob3" / a.id.removeprefix("urn:uuid:")
        stem.with_suffix(".jwt").write_text(a.credential)
        name = defs[a.badge].text("name", "en") if a.badge in defs else a.badge
        stem.with_suffix(".svg").write_text(badge_svg(a.badge, name, a.credential))
    publish(store, issuer, out / "status", now)
    ob2 = export_ob2(store, issuer, out / "ob2", definitions)
    xapi = export_xapi(store, out / "statements.jsonl", now, issuer)
    return {"issued": issued["issued"], "held": issued["held"], **checked,
            "ob2_assertions": ob2["assertions"], "xapi_statements": xapi["statements"],
            "xapi_queued": xapi["queued"]}
