"""School statistics across rooms: counts under five pupils are hidden, and a hidden count
cannot be worked out from its row's total."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kit.hub.store import open_store
from kit.insight.stats import MIN_CELL, school_statistics, suppress
from kit.plans import plans

NOW = "2026-06-01T12:00:00.000Z"


@settings(max_examples=200, derandomize=True)
@given(st.lists(st.integers(0, 12), min_size=2, max_size=7))
def test_no_hidden_count_can_be_worked_out(parts: list[int]) -> None:
    cells = suppress([*parts, sum(parts)], total=True)
    shown = [c for c in cells if c is not None]
    assert all(c == 0 or c >= MIN_CELL for c in shown)
    hidden = [i for i, c in enumerate(cells[:-1]) if c is None]
    if cells[-1] is not None:
        # With the total shown, never exactly one part hidden (subtraction would give it).
        assert len(hidden) != 1


def test_statistics_over_rooms_and_terms(store_url: str) -> None:
    store = open_store(store_url)
    try:
        # 7 pupils in room-a and 2 in room-b with plans in spring; tutoring for 6 of them.
        for i in range(9):
            room = "room-a" if i < 7 else "room-b"
            p = plans.create(store, f"p-pupil{i}", "2026-spring", by="Ms Ozola", now=NOW,
                             room=room)
            r = plans.add_risk(store, p.id, "learning", "reads slowly", by="Ms Ozola", now=NOW)
            kind = "tutoring" if i < 6 else "mentoring"
            plans.add_measure(store, p.id, "reading help", [r.id], by="Ms Ozola", now=NOW,
                              kind=kind)
            plans.move(store, p.id, "approved", by="Ms Ozola", now=NOW)
            if i < 5:
                plans.move(store, p.id, "closed", by="Ms Ozola", now=NOW, outcome="improved")
        tables = {t.title: t for t in school_statistics(store)}
        status = dict(tables["Support plans by status (pupils)"].rows)["2026-spring"]
        cols = tables["Support plans by status (pupils)"].columns
        # approved = 4 is hidden, so closed (5) is hidden too, or 9 − 5 would give it away.
        assert dict(zip(cols, status, strict=True)) == {
            "draft": 0, "approved": None, "in progress": 0, "under review": 0,
            "suspended": 0, "closed": None, "all": 9}
        risks = tables["Risks by domain (pupils)"]
        assert dict(risks.rows)["2026-spring"][risks.columns.index("learning and school")] == 9
        kinds = tables["Measures by kind (pupils)"]
        row = dict(kinds.rows)["2026-spring"]
        assert row[kinds.columns.index("mentoring")] is None  # 3 pupils
        assert row[kinds.columns.index("subject tutoring")] is None  # else 9 − 6 = 3
        outcomes = tables["Results of closed plans, by measure (pupils)"]
        assert dict(outcomes.rows)["2026-spring, subject tutoring"][0] == 5
        rooms = dict(tables["Pupils with a plan, by room and term"].rows)
        assert rooms["room-a"] == (7,) and rooms["room-b"] == (None,)
    finally:
        store.close()
