"""Early-warning signals on eight weeks of a pretend class: the drifting pupil is flagged by
every rule that should fire, nobody else is (shy pupils included), and each flag's numbers are
the ones a teacher would count in the events."""

from __future__ import annotations

import statistics
from collections import Counter

from kit.hub.store import Store
from kit.insight import flags, rollup
from kit.insight.metrics import CONTRIBUTION_KINDS
from kit.insight.signals import Rules, evaluate
from kit.sim.classlist import SimPupil
from tests.insight.conftest import drifting

NOW = "2026-03-09T12:00:00.000Z"


def contributions_by_run(store: Store, pupil: str) -> dict[str, int]:
    return dict(Counter(e.run for e in store.events(pupil=pupil) if e.kind in CONTRIBUTION_KINDS))


def class_medians(store: Store) -> dict[str, float]:
    """Each run's median contributions over the pupils who took part in it."""
    per_run: dict[str, Counter[str]] = {}
    for e in store.events():
        if e.pupil and e.run:
            c = per_run.setdefault(e.run, Counter())
            c[e.pupil] += e.kind in CONTRIBUTION_KINDS
    return {run: float(statistics.median(c.values())) for run, c in per_run.items()}


def test_only_the_drifting_pupil_is_flagged_by_each_rule(term: Store,
                                                        pupils: list[SimPupil]) -> None:
    new = flags.refresh(term, NOW)
    who = drifting(pupils).pseudonym
    assert {f.pupil for f in new} == {who}
    assert sorted(f.rule for f in new) == ["attendance", "drop", "isolation", "share"]
    by_rule = {f.rule: f for f in new}
    # The pupil fades from week 5 and misses week 7: the social and effort rules fire by
    # week 6, attendance once week 7 is missed; all still hold in week 8.
    assert by_rule["drop"].first_run == "w06-1"
    assert by_rule["isolation"].first_run == "w06-1"
    assert by_rule["attendance"].first_run == "w07-1"
    assert {f.last_run for f in new} == {"w08-1"}
    # Stored once: asking again raises nothing new.
    assert flags.refresh(term, NOW) == []
    assert len(flags.flags(term)) == 4


def test_each_flag_shows_its_rule_and_numbers_that_match_the_events(
        term: Store, pupils: list[SimPupil]) -> None:
    who = drifting(pupils).pseudonym
    by_rule = {f.rule: f for f in flags.refresh(term, NOW)}
    counts = contributions_by_run(term, who)
    order = sorted(counts)  # w01-1 … w08-1, w07-1 missing

    drop = by_rule["drop"].numbers
    assert drop["runs"] == ["w05-1", "w06-1"]
    assert drop["contributions"] == [counts["w05-1"], counts["w06-1"]]
    # Each run against the class's median in that run (lessons ask for different amounts),
    # the pupil's usual the median of that ratio over their previous runs.
    medians = class_medians(term)
    for run, base, ratio, m in zip(drop["runs"], drop["baselines"], drop["ratios"],
                                   drop["class_medians"], strict=True):
        assert m == medians[run]
        assert ratio == round(counts[run] / m, 3)
        before = [counts[r] / medians[r] for r in order if r < run][-6:]
        assert base == round(statistics.median(before), 3)
    assert all(d >= 0.4 for d in drop["drops"])
    assert "their usual" in by_rule["drop"].detail and "class's median" in by_rule["drop"].detail

    att = by_rule["attendance"].numbers
    assert (att["attended"], att["held"], att["missed"]) == (3, 4, ["w07-1"])
    assert "3 of 4 lessons" in by_rule["attendance"].detail

    iso = by_rule["isolation"].numbers
    assert iso["runs"] == ["w04-1", "w05-1", "w06-1"]
    given = Counter(e.run for e in term.events(pupil=who) if e.kind in ("help", "compliment"))
    received = Counter(e.run for e in term.events() if e.kind in ("help", "compliment")
                       and e.data.get("target") == who)
    assert iso["given"] == [given[r] for r in iso["runs"]]
    assert iso["received"] == [received[r] for r in iso["runs"]]
    assert iso["quiet_runs"] == ["w05-1", "w06-1"]

    share = by_rule["share"].numbers
    team = drifting(pupils).team
    for run, mine, total, s in zip(share["runs"], share["contributions"],
                                   share["team_contributions"], share["shares"], strict=True):
        team_total = sum(1 for e in term.events(run=run)
                         if e.team == team and e.kind in CONTRIBUTION_KINDS)
        assert (mine, total) == (counts[run], team_total)
        assert round(mine / total, 3) == s < 0.5 * 0.25
    assert "expected 25% in a team of 4" in by_rule["share"].detail


def test_a_shy_pupil_is_low_but_steady_and_not_flagged(term: Store,
                                                       pupils: list[SimPupil]) -> None:
    rollup.advance(term)
    shy = {p.pseudonym for p in pupils if p.habit.name == "shy"}
    rows = rollup.pupil_runs(term)
    # Shy pupils' shares are well below an equal share every week...
    assert all(r.share < 0.25 for r in rows if r.pupil in shy)
    # ...and no rule flags them: each is compared with their own baseline.
    assert not [f for f in evaluate(rollup.runs(term), rows) if f.pupil in shy]


def test_stricter_thresholds_would_flag_shy_pupils_by_share(term: Store,
                                                            pupils: list[SimPupil]) -> None:
    """The share rule is about *far* below: at 80 % of the expected share, shy pupils show."""
    rollup.advance(term)
    found = evaluate(rollup.runs(term), rollup.pupil_runs(term), Rules(share_below=0.8))
    shy = {p.pseudonym for p in pupils if p.habit.name == "shy"}
    assert shy <= {f.pupil for f in found if f.rule == "share"}


def test_a_facilitator_confirms_or_dismisses_a_flag(term: Store) -> None:
    new = flags.refresh(term, NOW)
    first, second = new[0], new[1]
    done = flags.decide(term, first.id, "confirmed", by="Ms Ozola", now=NOW)
    assert (done.status, done.decided_by) == ("confirmed", "Ms Ozola")
    flags.decide(term, second.id, "dismissed", by="Ms Ozola", now=NOW, reason="was ill")
    # Decisions survive a later refresh.
    flags.refresh(term, NOW)
    assert {f.id: f.status for f in flags.flags(term)}[first.id] == "confirmed"
    assert flags.get(term, second.id).reason == "was ill"


def test_flags_kept_lesson_by_lesson_equal_flags_found_at_the_end(
        tmp_path: object, pupils: list[SimPupil]) -> None:
    """The dashboard looks for flags during and after every lesson; what it keeps is what one
    look at the whole term finds."""
    from kit.hub.store import open_store
    from kit.sim.history import history

    live, once = open_store("sqlite:///:memory:"), open_store("sqlite:///:memory:")
    try:
        held_back: list[object] = []
        for week, (_, events) in enumerate(history(pupils, weeks=8), start=1):
            if week == 5:
                # Some of week 5's presses reach the hub only after week 6.
                held_back = [e for e in events if e.kind == "contribution"][::7]
                events = [e for e in events if e not in held_back]
            half = len(events) // 2
            for store in (live, once):
                store.insert_events(events[:half], events[half].ts)
            flags.refresh(live, NOW)  # mid-lesson
            for store in (live, once):
                store.insert_events(events[half:], events[-1].ts)
            flags.refresh(live, NOW)
            if week == 6:
                for store in (live, once):
                    store.insert_events(held_back, "2026-02-20T00:00:00.000Z")  # type: ignore[arg-type]
                flags.refresh(live, NOW)
        flags.refresh(once, NOW)

        def seen(store: Store) -> list[tuple[str, ...]]:
            return [(f.key, f.last_run, f.detail) for f in flags.flags(store)]

        assert seen(live) == seen(once)
        assert len(seen(once)) == 4
    finally:
        live.close()
        once.close()


def test_a_flag_raised_on_events_not_yet_arrived_is_withdrawn(pupils: list[SimPupil]) -> None:
    """The teacher's 'lesson ended' reaches the hub before the pupils' events (an outbox
    catching up): everyone looks absent; when their events arrive the flags go away."""
    from kit.hub.store import open_store
    from kit.sim.history import history

    store = open_store("sqlite:///:memory:")
    try:
        for week, (_, events) in enumerate(history(pupils, weeks=6), start=1):
            if week < 6:
                store.insert_events(events, events[-1].ts)
                continue
            teacher = [e for e in events if e.station == "teacher"]
            store.insert_events(teacher, teacher[-1].ts)
            early = flags.refresh(store, NOW)
            assert len({f.pupil for f in early if f.rule == "attendance"}) == len(pupils)
            rest = [e for e in events if e.station != "teacher"]
            store.insert_events(rest, "2026-12-31T00:00:00.000Z")
            flags.refresh(store, NOW)
        who = drifting(pupils).pseudonym
        left = flags.flags(store)
        assert {f.pupil for f in left} == {who}
        assert sorted(f.rule for f in left) == ["drop", "isolation", "share"]
    finally:
        store.close()
