"""Notes, support plans and erasure, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from kit.hub.store import Store, open_store
from kit.insight import erase, flags
from kit.plans import notes, plans
from kit.plans.plans import PlanError
from kit.sim.classlist import SimPupil
from tests.insight.conftest import drifting

NOW = "2026-03-09T12:00:00.000Z"


def test_notes_are_dated_signed_and_listed_by_pupil(store_url: str) -> None:
    store = open_store(store_url)
    try:
        notes.add(store, "p-aaaa11", "sat apart, refused the driver role", author="Ms Ozola",
                  at=NOW, room="room-1")
        notes.add(store, "p-bbbb22", "helped everyone", author="Mr Rossi", at=NOW)
        mine = notes.notes(store, pupil="p-aaaa11")
        assert [(n.text, n.author, n.at) for n in mine] == [
            ("sat apart, refused the driver role", "Ms Ozola", NOW)]
        with pytest.raises(notes.NoteError, match="empty"):
            notes.add(store, "p-aaaa11", "  ", author="Ms Ozola", at=NOW)
    finally:
        store.close()


def _plan_with_parts(store: Store, pupil: str) -> plans.Plan:
    plan = plans.create(store, pupil, "2026-spring", by="Ms Ozola", now=NOW, room="room-1")
    risk = plans.add_risk(store, plan.id, "learning", "struggles to read the task cards",
                          by="Ms Ozola", now=NOW)
    plans.add_measure(store, plan.id, "reading buddy in the team", [risk.id], by="Ms Ozola",
                      now=NOW, kind="mentoring")
    return plans.get(store, plan.id)


def test_a_plan_moves_through_its_states(store_url: str) -> None:
    store = open_store(store_url)
    try:
        empty = plans.create(store, "p-cccc33", "2026-spring", by="Ms Ozola", now=NOW)
        with pytest.raises(PlanError, match="at least one risk and one measure"):
            plans.move(store, empty.id, "approved", by="Ms Ozola", now=NOW)
        plan = _plan_with_parts(store, "p-aaaa11")
        assert plan.status == "draft"
        with pytest.raises(PlanError, match="already has a plan for 2026-spring"):
            plans.create(store, "p-aaaa11", "2026-spring", by="Ms Ozola", now=NOW)
        with pytest.raises(PlanError, match="can move to: approved, closed"):
            plans.move(store, plan.id, "in-progress", by="Ms Ozola", now=NOW)
        for status in ("approved", "in-progress", "under-review"):
            plan = plans.move(store, plan.id, status, by="Ms Ozola", now=NOW)
        with pytest.raises(PlanError, match="say why"):
            plans.move(store, plan.id, "suspended", by="Ms Ozola", now=NOW)
        plan = plans.move(store, plan.id, "suspended", by="Ms Ozola", now=NOW,
                          reason="family moved for a month")
        plans.set_result(store, plan.id, "reads the cards aloud to the team now",
                         by="Ms Ozola", now=NOW, measure=plan.measures[0].id)
        plan = plans.move(store, plan.id, "closed", by="Ms Ozola", now=NOW, outcome="improved")
        assert [(c.from_status, c.to_status) for c in plan.history] == [
            ("draft", "approved"), ("approved", "in-progress"), ("in-progress", "under-review"),
            ("under-review", "suspended"), ("suspended", "closed")]
        assert plan.history[3].reason == "family moved for a month"
        assert plan.measures[0].result == "reads the cards aloud to the team now"
        assert plan.outcome == "improved"
        with pytest.raises(PlanError, match="closed"):
            plans.add_risk(store, plan.id, "family", "x", by="Ms Ozola", now=NOW)
    finally:
        store.close()


def test_a_measure_must_answer_a_risk_of_its_plan(store_url: str) -> None:
    store = open_store(store_url)
    try:
        plan = plans.create(store, "p-aaaa11", "2026-spring", by="Ms Ozola", now=NOW)
        with pytest.raises(PlanError, match="at least one of the plan's risks"):
            plans.add_measure(store, plan.id, "a buddy", [], by="Ms Ozola", now=NOW)
        with pytest.raises(PlanError, match="not in plan"):
            plans.add_measure(store, plan.id, "a buddy", ["risk-nothere"], by="Ms Ozola",
                              now=NOW)
        with pytest.raises(PlanError, match="not one of"):
            plans.add_risk(store, plan.id, "mood", "seems sad", by="Ms Ozola", now=NOW)
    finally:
        store.close()


def test_only_a_confirmed_flag_enters_a_plan(term: Store, pupils: list[SimPupil]) -> None:
    who = drifting(pupils).pseudonym
    flag = next(f for f in flags.refresh(term, NOW) if f.rule == "isolation")
    plan = plans.create(term, who, "2026-spring", by="Ms Ozola", now=NOW)
    with pytest.raises(PlanError, match="only a flag a facilitator has confirmed"):
        plans.add_risk(term, plan.id, "withdrawal", "helps nobody since week 5", by="Ms Ozola",
                       now=NOW, flag=flag.id)
    flags.decide(term, flag.id, "confirmed", by="Ms Ozola", now=NOW)
    risk = plans.add_risk(term, plan.id, "withdrawal", "helps nobody since week 5",
                          by="Ms Ozola", now=NOW, flag=flag.id)
    assert plans.get(term, plan.id).risks == (risk,)
    other = plans.create(term, "p-zzzz99", "2026-spring", by="Ms Ozola", now=NOW)
    with pytest.raises(PlanError, match="another pupil"):
        plans.add_risk(term, other.id, "withdrawal", "x", by="Ms Ozola", now=NOW, flag=flag.id)


def test_forget_erases_the_pupil_from_every_facilitator_table(store_url: str) -> None:
    from kit.sim.classlist import class_list
    from kit.sim.history import record_history

    store = open_store(store_url)
    try:
        pupils = class_list(teams=2)
        record_history(store, pupils, weeks=8)
        new = flags.refresh(store, NOW)
        who = drifting(pupils).pseudonym
        assert {f.pupil for f in new} == {who}
        notes.add(store, who, "sat apart", author="Ms Ozola", at=NOW)
        plan = _plan_with_parts(store, who)
        plans.move(store, plan.id, "approved", by="Ms Ozola", now=NOW)
        kept = _plan_with_parts(store, pupils[0].pseudonym)
        assert any(erase.tables_mentioning(store, who).values())

        counts = erase.forget(store, who)
        assert counts["plans"] == 1 and counts["teacher_notes"] == 1
        assert counts["insight_flags"] == 4
        assert counts["insight_pupil_runs"] == 7
        assert not any(erase.tables_mentioning(store, who).values())
        assert plans.get(store, kept.id).measures  # other pupils' plans stay whole
    finally:
        store.close()
