"""Erasing a pupil from everything the facilitator's view keeps: roll-ups, flags, notes and
support plans. ``kit pupil forget`` calls :func:`forget` beside the store's own erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kit.hub.store import Store


def forget(store: Store, pupil: str) -> dict[str, int]:
    """Delete every row about ``pupil`` in the facilitator's tables; returns counts by table."""
    from kit.insight import flags, rollup
    from kit.plans import notes, plans

    counts: dict[str, int] = {}
    for part in (rollup.forget, flags.forget, notes.forget, plans.forget):
        counts.update(part(store, pupil))
    return counts


def tables_mentioning(store: Store, pupil: str) -> dict[str, int]:
    """How many rows of each facilitator table still name ``pupil`` (to prove erasure)."""
    from kit.insight import flags, rollup
    from kit.plans import notes, plans

    for part in (rollup.ensure_tables, flags.ensure_tables):
        part(store)
    notes.notes(store)
    plans.plans(store)
    found = {}
    for table in ("insight_pupil_runs", "insight_edges", "insight_flags", "teacher_notes",
                  "plans"):
        rows = store.query(f"SELECT * FROM {table}")
        found[table] = sum(any(pupil in str(v) for v in row) for row in rows)
    # A plan's parts name the plan, not the pupil: any part left without its plan counts.
    for table in ("plan_risks", "plan_measures", "plan_history"):
        found[table] = int(store.query(
            f"SELECT count(*) FROM {table} WHERE plan NOT IN (SELECT id FROM plans)")[0][0])
    return found
