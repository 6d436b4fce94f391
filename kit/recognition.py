"""Recognition and learning records in one place, for the composition root and the erasure
command: issue every earned badge, export learning records, and forget a pupil in every table
these keep.

- :func:`award_all` (``kit.badges``): badges each pupil's own record earns;
- :func:`export_xapi` (``kit.xapi``): statements to a file and into the LRS outbox;
- :func:`forget`: awards, queued statements and page links of one pupil.
"""

from __future__ import annotations

from kit.badges.issuing import award_all
from kit.hub.store.base import Store
from kit.xapi.export import export_xapi

__all__ = ["award_all", "export_xapi", "forget"]


def forget(store: Store, pupil: str) -> dict[str, int]:
    """Erase ``pupil`` from the badge, xAPI and pupil-page tables; returns rows per table.
    Credentials already given to the family keep their status (see ``kit.badges.issuing``);
    statements already in an LRS must be erased there (xAPI cannot delete)."""
    from kit.badges.issuing import forget as forget_awards
    from kit.pupilpage.tokens import forget as forget_links
    from kit.xapi.outbox import forget as forget_statements

    return {**forget_awards(store, pupil), **forget_statements(store, pupil),
            **forget_links(store, pupil)}
