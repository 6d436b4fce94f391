"""School statistics across rooms: support plans, their measures and their results over terms,
counted in pupils, with every cell under :data:`MIN_CELL` pupils hidden so no pupil can be
picked out (and, where a row shows its total, one more cell hidden when only one was, so the
hidden one cannot be worked out by subtraction).

Meant for the school's PostgreSQL store where several rooms record into one database; works
on any store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kit.plans import plans as plan_store
from kit.plans.plans import DOMAINS, MEASURE_KINDS, OUTCOMES, STATUSES

if TYPE_CHECKING:
    from kit.hub.store import Store

MIN_CELL = 5


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]
    #: (row label, cells); a cell is a count of pupils, or None where it is hidden
    rows: tuple[tuple[str, tuple[int | None, ...]], ...]
    total: bool  # whether the last column is the row's total


def suppress(cells: list[int], *, total: bool, minimum: int = MIN_CELL) -> tuple[int | None, ...]:
    """Hide counts from 1 to ``minimum`` − 1. With a total in the last column, a row with
    exactly one hidden part also hides its next smallest part, and a small total is hidden."""
    out: list[int | None] = [None if 0 < c < minimum else c for c in cells]
    if total:
        parts = out[:-1]
        hidden = [i for i, c in enumerate(parts) if c is None]
        if len(hidden) == 1:
            visible = [(c, i) for i, c in enumerate(parts) if c is not None and c > 0]
            if visible:
                out[min(visible)[1]] = None
            else:
                out[-1] = None
    return tuple(out)


def _table(title: str, columns: tuple[str, ...], counts: dict[str, dict[str, set[str]]],
           keys: tuple[str, ...], *, total: bool) -> Table:
    rows = []
    for label in sorted(counts):
        cells = [len(counts[label].get(k, set())) for k in keys]
        if total:
            cells.append(len(set().union(*counts[label].values())))
        rows.append((label, suppress(cells, total=total)))
    return Table(title, columns + (("all",) if total else ()), tuple(rows), total)


def school_statistics(store: Store) -> list[Table]:
    """The tables a school reports: plans by status, risks by domain, measures by kind and
    the outcome of closed plans by measure kind, each per term; and plans per room."""
    status: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    domains: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    kinds: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    outcomes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rooms: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for plan in plan_store.plans(store):
        p = plan.pupil
        status[plan.term][plan.status].add(p)
        rooms[plan.room or "-"][plan.term].add(p)
        for r in plan.risks:
            domains[plan.term][r.domain].add(p)
        for m in plan.measures:
            kinds[plan.term][m.kind].add(p)
            if plan.status == "closed":
                outcomes[f"{plan.term}, {MEASURE_KINDS[m.kind]}"][plan.outcome or "unknown"].add(p)
    terms = tuple(sorted({t for by_term in rooms.values() for t in by_term}))
    return [
        _table("Support plans by status (pupils)", tuple(STATUSES.values()), status,
               tuple(STATUSES), total=True),
        _table("Risks by domain (pupils)", tuple(DOMAINS.values()), domains, tuple(DOMAINS),
               total=True),
        _table("Measures by kind (pupils)", tuple(MEASURE_KINDS.values()), kinds,
               tuple(MEASURE_KINDS), total=True),
        _table("Results of closed plans, by measure (pupils)", OUTCOMES, outcomes, OUTCOMES,
               total=True),
        _table("Pupils with a plan, by room and term", terms, rooms, terms, total=False),
    ]
