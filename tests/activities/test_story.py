from __future__ import annotations

import pytest

from tests.activities.helpers import Class


@pytest.mark.parametrize("pupils", [1, 8, 32])
def test_perfect_play_tells_the_whole_story_and_everyone_tells(pupils: int) -> None:
    c = Class("story-chain", pupils)
    c.start()
    c.play_perfectly()
    story = c.activity
    assert c.session.ended_by == "done"
    assert len(story.story) == story.rounds * len(story.tables) >= 6
    tellers = {e.pupil for e in c.rec.of("contribution")}
    assert tellers == {f"p-{i}" for i in range(1, pupils + 1)}


def test_squads_tell_at_once_and_a_part_locks_when_the_squad_agrees() -> None:
    c = Class("story-chain", 6, panels=2)
    c.start()
    story = c.activity
    t1, t2 = story.tables
    assert t1.teller is c.seat(1) and t2.teller is c.seat(4)
    c.press(1, "A")  # show the second option
    c.press(1, "B")  # pick it
    c.press(4, "B")  # the other squad picks at the same time
    assert t1.proposed == story.options(0)[1]
    c.press(2, "A")
    assert t1.locked is None  # p-3 has not agreed yet
    c.press(3, "B")  # p-3 asks for another part: the next one is on show
    assert t1.proposed is None and t1.locked is None and t1.choice == 2
    c.press(1, "B")
    c.press(2, "A")
    c.press(3, "A")
    first = story.options(0)[2]
    assert t1.locked == first
    second = t2.proposed
    c.press(5, "A")
    c.press(6, "A")
    assert story.story == [first, second]
    assert story.round == 2 and t1.teller is c.seat(2) and t2.teller is c.seat(5)
    votes = [(e.pupil, e.data["agree"]) for e in c.rec.of("vote")][:4]
    assert votes == [("p-2", True), ("p-3", False), ("p-2", True), ("p-3", True)]


def test_vetoes_cannot_stall_a_squad() -> None:
    c = Class("story-chain", 3)
    c.start()
    t = c.activity.tables[0]
    for _ in range(5):  # one pupil says "another" again and again
        c.press(1, "B")
        c.press(2, "B")
        c.press(3, "B")
    assert t.changes == 2 and t.proposed is not None  # after two requests the pick stands
    assert c.rec.kinds("p-2").count("vote") == 1  # one request for another per round
    c.tick(12)  # and silence agrees
    assert c.activity.round == 2


def test_silence_cannot_stall_it_the_story_ends_on_its_own() -> None:
    c = Class("story-chain", 5, panel_seconds=10)
    c.start()
    c.tick(20 * 60)
    assert c.session.ended_by == "done"
    assert c.session.played < 12 * 60
    assert "timeout" in c.rec.kinds("p-1")


def test_one_squad_done_hurries_the_others_along() -> None:
    c = Class("story-chain", 6, panel_seconds=600)
    c.start()
    c.press(1, "B")
    c.press(2, "A")
    c.press(3, "A")  # squad one has its part; squad two is quiet
    assert c.activity.round == 1
    c.tick(21)
    assert c.activity.round == 2


def test_an_absent_pupil_does_not_block_the_others() -> None:
    c = Class("story-chain", 3, panels=3)
    c.start()
    c.press(1, "B")
    c.press(2, "A")
    c.session.disconnect("c3")
    assert c.activity.round == 2


def test_late_joiner_joins_a_squad_at_the_next_round() -> None:
    c = Class("story-chain", 2, panels=3, panel_seconds=10)
    c.start()
    c.press(3, "pair")
    assert c.seat(3).waiting
    c.tick(30)
    assert not c.seat(3).waiting and c.seat(3) in c.activity.tables[0].seats


def test_the_end_screen_pages_through_the_whole_story() -> None:
    c = Class("story-chain", 12)
    c.start()
    c.play_perfectly()
    story = c.activity
    assert len(story.story) == 24
    pages = []
    for _ in range(3):
        pages.append(story.page)
        c.tick(6)
    assert pages == [0, 1, 2]
