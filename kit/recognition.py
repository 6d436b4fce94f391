"""Recognition and learning records in one place, for the composition root and the erasure
command: issue every earned badge, export learning records, and forget a pupil in every table
these keep.

- :func:`award_all` (``kit.badges``): badges each pupil's own record earns;
- :func:`export_xapi` (``kit.xapi``): statements to a file and into the LRS outbox;
- :func:`verify_all`: check every credential issued (signature, key, revocation);
- :func:`forget`: awards, queued statements and page links of one pupil.
"""

from __future__ import annotations

from kit.badges.issuer import Issuer
from kit.badges.issuing import award_all, awards, verify
from kit.hub.store.base import Store
from kit.xapi.export import export_xapi

__all__ = ["award_all", "export_xapi", "forget", "verify_all"]


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
