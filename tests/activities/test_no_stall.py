"""Whatever a class presses first (random buttons, vetoes, long silences, controllers dropping
out), no activity is left stuck: the story and the orchestra end on their own when everyone
goes quiet, and any activity ends, done, when those still present then play well."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.activities.pretend import HabitPupils
from kit.sim.habits import HABITS
from tests.activities.helpers import Class

GESTURES = ("A", "B", "AB", "tilt", "logo", "shake")
presses = st.lists(st.tuples(st.integers(1, 8), st.sampled_from(GESTURES),
                             st.sampled_from((0.0, 0.25, 1.0, 5.0, 40.0))), max_size=60)
drops = st.lists(st.integers(2, 8), max_size=3, unique=True)
CHECK = settings(max_examples=25, deadline=None, derandomize=bool(os.environ.get("CI")),
                 suppress_health_check=[HealthCheck.too_slow])
ACTIVITIES = ("pixel-mural", "robot-relay", "story-chain", "class-orchestra")


def _mess_up(c: Class, pupils: int, script: list[tuple[int, str, float]],
             lost: list[int]) -> None:
    c.start()
    for i, gesture, wait in script:
        if i <= pupils:
            c.press(i, gesture)
        if wait:
            c.tick(wait, step=0.5)
    for i in lost:
        c.session.disconnect(f"c{i}")


@CHECK
@given(name=st.sampled_from(ACTIVITIES), pupils=st.integers(1, 8), script=presses,
       lost=drops)
def test_after_any_mess_the_class_can_still_finish(name: str, pupils: int,
                                                   script: list[tuple[int, str, float]],
                                                   lost: list[int]) -> None:
    c = Class(name, pupils)
    _mess_up(c, pupils, script, lost)
    c.play_perfectly(limit=c.activity.time_box, step=0.5)
    assert c.session.phase == "ended"
    assert c.session.ended_by == "done", f"{name} stuck: {c.activity.outcome()}"


@CHECK
@given(name=st.sampled_from(("story-chain", "class-orchestra")), pupils=st.integers(1, 8),
       script=presses, lost=drops)
def test_silence_alone_cannot_stall_the_story_or_the_song(name: str, pupils: int,
                                                         script: list[tuple[int, str, float]],
                                                         lost: list[int]) -> None:
    c = Class(name, pupils)
    _mess_up(c, pupils, script, lost)
    c.tick(c.activity.time_box, step=1.0)
    assert c.session.ended_by == "done", f"{name} stalled: {c.activity.outcome()}"


def test_a_class_of_mixed_habits_paints_the_whole_mural() -> None:
    c = Class("pixel-mural", 0)
    sims = HabitPupils(12, c.session, seed=3, habits=[HABITS["shy"]] * 12)
    for inp in sims.hello():
        c.session.handle(inp)
    c.start()
    while c.session.phase == "playing":
        sims.step(0.5, c.session.handle)
        c.session.update(0.5)
    assert c.session.ended_by == "done" and c.activity.cells_left() == 0
