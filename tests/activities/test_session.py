"""Teacher safety and what the rest of kit reads from a session."""

from __future__ import annotations

import pygame

from kit.activities.inputs import KeySets
from kit.activities.session import SeatNews
from tests.activities.helpers import Class


def test_start_with_nobody_seated_waits_for_the_first_pupil() -> None:
    for name in ("pixel-mural", "robot-relay", "story-chain", "class-orchestra"):
        c = Class(name, 0)
        c.start()
        assert c.session.phase == "lobby" and c.session.start_pending
        c.tick(30)
        assert c.session.phase == "lobby"
        c.press(1, "pair")
        assert c.session.phase == "playing", name
        assert c.activity.can_act(c.seat(1)) or name == "class-orchestra"


def test_forty_controllers_at_a_thirty_two_seat_screen_the_rest_are_told_why() -> None:
    c = Class("pixel-mural", 40)
    assert len(c.session.seats) == 32 and c.session.refused == 8
    news = c.session.drain_news()
    assert news[0] == SeatNews("c1", 1)
    refused = [n for n in news if n.seat is None]
    assert {n.controller for n in refused} == {f"c{i}" for i in range(33, 41)}
    assert {n.refused for n in refused} == {"full"}
    assert c.session.notices[-1].controller == "c40"
    surface = pygame.Surface((1920, 1080))
    c.session.draw(surface)
    assert c.session.ui is not None and not c.session.ui.overflows
    c.press(33, "A")  # pressing again does not count twice
    assert c.session.refused == 8
    c.tick(10)
    assert not c.session.notices  # the notice goes away on its own
    c.start()
    c.session.command("lock")
    c.press(41, "pair")
    assert c.session.drain_news()[-1] == SeatNews("c41", None, refused="locked")


def test_esc_asks_before_ending_and_other_keys_or_waiting_carry_on() -> None:
    keys = KeySets()
    assert keys.press("escape") == "ask-end" and keys.press("return") == "cancel"
    c = Class("story-chain", 3)
    c.start()
    c.session.command("ask-end")
    assert c.session.phase == "playing" and c.session.confirming_end is not None
    c.session.command("cancel")
    assert c.session.confirming_end is None
    c.session.command("ask-end")
    c.tick(11)
    assert c.session.confirming_end is None and c.session.phase == "playing"
    c.session.command("ask-end")
    c.session.command("ask-end")
    assert c.session.phase == "ended" and c.session.ended_by == "teacher"


def test_the_lesson_end_command_ends_at_once() -> None:
    c = Class("robot-relay", 3)
    c.start()
    c.session.command("end")
    assert c.session.phase == "ended"


def test_summary_says_when_it_ended_and_what_the_class_reached() -> None:
    c = Class("story-chain", 3)
    assert c.session.summary()["ended"] is False
    c.start()
    c.play_perfectly()
    s = c.session.summary()
    assert s["ended"] is True and s["phase"] == "ended"
    outcome = s["outcome"]
    assert isinstance(outcome, dict)
    assert outcome["complete"] is True and outcome["ended_by"] == "done"
    assert outcome["parts"] == 6 and "p-1" not in str(s)


def test_seat_table_and_role_news_for_the_controllers() -> None:
    c = Class("robot-relay", 3)
    c.session.drain_news()
    c.start()
    rows = c.session.seat_table()
    assert [(r.controller, r.number, r.pupil, r.role) for r in rows] == [
        ("c1", 1, "p-1", "navigator"), ("c2", 2, "p-2", "driver"), ("c3", 3, "p-3", "tester")]
    assert c.session.drain_news() == [SeatNews("c1", 1, "navigator"),
                                      SeatNews("c2", 2, "driver"), SeatNews("c3", 3, "tester")]
    c.tick(30)  # silence: the try goes on and roles rotate
    assert {n.controller: n.role for n in c.session.drain_news()}["c1"] == "driver"


def test_a_cheer_shows_on_screen_even_when_nobody_is_whose_turn() -> None:
    c = Class("class-orchestra", 1)
    c.start()
    c.press(1, "logo")
    assert [ch.kind for ch in c.session.cheers] == ["compliment"]
    assert not c.rec.of("compliment")  # nobody else to thank: nothing recorded


def test_a_pending_start_begins_when_a_seated_pupil_comes_back() -> None:
    c = Class("robot-relay", 1)
    c.session.disconnect("c1")
    c.start()
    assert c.session.phase == "lobby" and c.session.start_pending
    c.press(1, "hello")
    assert c.session.phase == "playing"
