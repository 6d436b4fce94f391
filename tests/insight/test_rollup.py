"""Roll-ups kept beside the events: the figures per pupil and run, kept up to date from a
watermark, equal to rolling everything again, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kit.hub.store import Store, open_store
from kit.insight import rollup
from kit.insight.metrics import RawEvent, balance, gini, normalised_entropy, summarise_run
from kit.protocol.envelope import format_ts, new_event
from kit.sim.classlist import class_list
from kit.sim.history import history

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def at(s: float) -> str:
    return format_ts(T0 + timedelta(seconds=s))


def test_active_time_leaves_out_disconnected_time_and_long_pauses() -> None:
    evs = [RawEvent(at(0), "p-aaaa11", "red", "join", {}),
           RawEvent(at(10), "p-aaaa11", "red", "contribution", {}),
           RawEvent(at(40), "p-aaaa11", "red", "leave", {}),       # unplugged for 50 s
           RawEvent(at(90), "p-aaaa11", "red", "join", {}),
           RawEvent(at(100), "p-aaaa11", "red", "contribution", {}),
           RawEvent(at(400), "p-aaaa11", "red", "pass", {}),        # a 300 s pause counts 90
           RawEvent(at(5), "p-bbbb22", "red", "join", {}),
           RawEvent(at(6), "p-bbbb22", "red", "help", {"target": "p-aaaa11"})]
    evs.sort(key=lambda e: e.ts)
    s = summarise_run("room-1", "run-1", evs)
    a, b = s.pupils
    assert a.active_s == 10 + 30 + 10 + 90
    assert (a.contributions, a.passes, a.first_action_s) == (2, 1, 10.0)
    assert (b.contributions, b.helps_given, a.helps_received) == (1, 1, 1)
    assert (a.team_contributions, a.team_size) == (3, 2)
    assert round(a.share, 3) == 0.667
    assert s.edges == {("p-bbbb22", "p-aaaa11", "help"): 1}


def test_balance_indices() -> None:
    assert gini([5, 5, 5, 5]) == 0 and balance([5, 5, 5, 5]) == 1
    assert gini([0, 0, 0, 12]) == pytest.approx(0.75)
    assert normalised_entropy([3, 3, 3]) == pytest.approx(1.0)
    assert normalised_entropy([0, 0, 9]) == 0.0
    assert normalised_entropy([9]) == 1.0


def test_rolled_up_as_events_arrive_equals_rolled_from_scratch(store_url: str) -> None:
    pupils = class_list(teams=2)
    store = open_store(store_url)
    try:
        for _, events in history(pupils, weeks=3):
            # A lesson arrives in two deliveries; the report is asked for in between.
            half = len(events) // 2
            store.insert_events(events[:half], events[half].ts)
            rollup.advance(store)
            store.insert_events(events[half:], events[-1].ts)
            assert rollup.advance(store) >= 1
        live = sorted(rollup.pupil_runs(store), key=lambda r: (r.run, r.pupil))
        assert len(live) == 3 * 8
        rollup.rebuild(store)
        again = sorted(rollup.pupil_runs(store), key=lambda r: (r.run, r.pupil))
        assert live == again
        assert [r.run for r in rollup.runs(store)] == ["w01-1", "w02-1", "w03-1"]
        # The roll-up's count matches the events.
        first = live[0]
        assert first.events == len(store.events(run=first.run, pupil=first.pupil))
        # Nothing new: nothing rolled again, not even the runs within the safety margin.
        assert rollup.advance(store) == 0
    finally:
        store.close()


def test_retention_drops_old_roll_ups(tmp_path: object) -> None:
    store = open_store("sqlite:///:memory:")
    try:
        for _, events in history(class_list(teams=1), weeks=2):
            store.insert_events(events, events[-1].ts)
        rollup.advance(store)
        gone = rollup.purge_before(store, "2026-01-15T00:00:00.000Z")
        assert gone["insight_runs"] == 1 and gone["insight_pupil_runs"] == 4
        assert [r.run for r in rollup.runs(store)] == ["w02-1"]
    finally:
        store.close()


def test_events_without_a_pupil_or_run_are_not_rolled(tmp_path: object) -> None:
    store: Store = open_store("sqlite:///:memory:")
    try:
        store.insert_events([new_event(room="room-1", station="teacher", seq=0, kind="lesson",
                                       at=T0)], "t")
        assert rollup.advance(store) == 0
        assert rollup.pupil_runs(store) == []
    finally:
        store.close()
