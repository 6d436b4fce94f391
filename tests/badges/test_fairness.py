"""Badges come from each pupil's own record, never from a comparison: whatever classmates do,
a pupil's record and the badges it earns stay the same."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.badges.criteria import earns, records
from kit.badges.definitions import load_definitions
from kit.hub.store.base import EventRow
from kit.protocol.envelope import format_ts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KINDS = ("join", "contribution", "help", "compliment", "pass", "vote", "turn-start", "leave")
DATAS: tuple[dict[str, Any], ...] = ({}, {"pixels": 1}, {"panel": 2}, {"bar": 1},
                                     {"role": "driver"}, {"role": "navigator", "step": "F"},
                                     {"target": "p-other"})
acts = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 44 * 60),
                          st.sampled_from(DATAS), st.sampled_from(("w1", "w2"))), max_size=40)


def rows(pupil: str | None, items: list[tuple[str, int, dict[str, Any], str]],
         team: str = "red") -> list[EventRow]:
    return [EventRow(id=f"{pupil}-{i}", ts=format_ts(T0 + timedelta(seconds=s)), room="r",
                     run=run, pupil=pupil, team=team, station="s", seq=i, kind=kind, data=data,
                     received_at="x") for i, (kind, s, data, run) in enumerate(items)]


def lessons() -> list[EventRow]:
    return rows(None, [("lesson", 0, {"action": "start"}, "w1"),
                       ("lesson", 45 * 60, {"action": "end"}, "w1"),
                       ("lesson", 0, {"action": "start"}, "w2")])


@settings(max_examples=60, deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.too_slow])
@given(mine=acts, theirs=acts)
def test_classmates_never_change_a_pupils_badges(
        mine: list[tuple[str, int, dict[str, Any], str]],
        theirs: list[tuple[str, int, dict[str, Any], str]]) -> None:
    alone = records(lessons() + rows("p-me", mine)).get("p-me")
    together = records(lessons() + rows("p-me", mine) + rows("p-mate", theirs)
                       + rows("p-rival", theirs, team="blue")).get("p-me")
    assert alone == together
    if alone is not None and together is not None:
        for badge in load_definitions().badges:
            assert earns(badge, alone) == earns(badge, together)
