from __future__ import annotations

from tests.activities.helpers import Class


def test_a_panel_locks_only_when_everyone_agrees() -> None:
    c = Class("story-chain", 3, panels=2)
    c.start()
    story = c.activity
    assert story.turns.current is c.seat(1)
    c.press(1, "A")  # show the second option
    c.press(1, "B")  # propose it
    proposed = story.options()[1]
    assert story.proposed == proposed
    c.press(2, "A")
    assert story.story == []  # p-3 has not agreed yet
    c.press(3, "B")  # p-3 asks for another part
    assert story.proposed is None and story.story == []
    c.press(1, "B")  # the teller proposes the first option
    c.press(2, "A")
    c.press(3, "A")
    assert len(story.story) == 1
    assert story.turns.current is c.seat(2)
    votes = [(e.pupil, e.data["agree"]) for e in c.rec.of("vote")]
    assert votes == [("p-2", True), ("p-3", False), ("p-2", True), ("p-3", True)]
    assert [e.pupil for e in c.rec.of("contribution")] == ["p-1", "p-1"]


def test_an_absent_pupil_does_not_block_the_others() -> None:
    c = Class("story-chain", 3, panels=3)
    c.start()
    c.press(1, "B")
    c.press(2, "A")
    c.session.disconnect("c3")
    assert len(c.activity.story) == 1


def test_pass_timeout_and_late_join_at_the_next_panel() -> None:
    c = Class("story-chain", 2, panels=3, panel_seconds=10)
    c.start()
    c.press(1, "AB")
    assert c.activity.turns.current is c.seat(2)
    c.press(3, "pair")
    assert c.seat(3).waiting
    c.tick(10)  # p-2 lets the time run out; a new panel turn begins
    assert not c.seat(3).waiting
    assert c.rec.kinds("p-1")[:3] == ["join", "turn-start", "pass"]
    assert "timeout" in c.rec.kinds("p-2")
    c.session.command("end")
    assert c.activity.celebration()[0] == "You wrote a story of 0 parts together"
