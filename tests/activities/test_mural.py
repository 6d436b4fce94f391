from __future__ import annotations

from tests.activities.helpers import Class


def test_each_pupil_owns_a_paint_and_turns_go_round() -> None:
    c = Class("pixel-mural", 4, paints_per_turn=2, turn_seconds=10)
    c.start()
    mural = c.activity
    assert sorted(letter for v in mural.owns.values() for letter in v) == ["C", "G", "S", "Y"]
    assert mural.turns.current is c.seat(1)
    c.press(2, "A")  # not p-2's turn: nothing painted
    assert mural.painted == {}
    c.press(1, "A")
    c.press(1, "A")
    assert len(mural.painted) == 2 and set(mural.painted.values()) == {"p-1"}
    assert mural.turns.current is c.seat(2)
    c.press(2, "AB")  # pass
    assert mural.turns.current is c.seat(3)
    c.tick(10)  # p-3 lets the timer run out
    assert mural.turns.current is c.seat(4)
    assert c.rec.kinds("p-1") == ["join", "turn-start", "contribution", "contribution",
                                  "turn-end"]
    assert c.rec.kinds("p-2") == ["join", "turn-start", "pass", "turn-end"]
    assert c.rec.kinds("p-3") == ["join", "turn-start", "timeout", "turn-end"]
    assert [e.data for e in c.rec.of("contribution")] == [{"pixels": 1, "paint": "C"}] * 2


def test_compliment_and_help_name_the_pupil_whose_turn_it_is() -> None:
    c = Class("pixel-mural", 3)
    c.start()
    c.press(2, "logo")
    c.press(3, "shake")
    c.press(1, "logo")  # one's own turn: nobody to thank
    assert [(e.kind, e.pupil, e.data) for e in c.rec.events
            if e.kind in ("compliment", "help")] == [
        ("compliment", "p-2", {"target": "p-1"}), ("help", "p-3", {"target": "p-1"})]


def test_reconnect_returns_to_the_same_seat_and_absence_is_not_a_timeout() -> None:
    c = Class("pixel-mural", 3, turn_seconds=10)
    c.start()
    seat1 = c.seat(1)
    c.session.disconnect("c1")
    assert seat1.state == "reconnecting"
    assert c.activity.turns.current is c.seat(2)  # skipped, not timed out
    assert "timeout" not in c.rec.kinds("p-1")
    c.tick(5)
    c.press(1, "hello")
    assert c.seat(1) is seat1 and seat1.state == "active" and seat1.number == 1
    assert c.rec.events[-1].kind == "join" and c.rec.events[-1].data["reconnect"] is True


def test_grace_runs_out_then_the_seat_still_waits() -> None:
    c = Class("pixel-mural", 2)
    c.start()
    c.session.disconnect("c2")
    c.tick(31)
    assert c.seat(2).state == "away"
    assert c.rec.of("leave")[0].data == {"reason": "connection"}
    c.press(2, "pair")
    assert c.seat(2).number == 2 and c.seat(2).state == "active"


def test_late_joiner_waits_for_the_next_round() -> None:
    c = Class("pixel-mural", 2, paints_per_turn=1)
    c.start()
    c.press(3, "pair")
    late = c.seat(3)
    assert late.waiting and late.number == 3
    c.press(1, "A")  # p-1 done; p-2's turn
    c.press(3, "A")  # ignored: waiting
    assert late.waiting
    c.press(2, "A")  # round two begins: p-3 plays from now
    assert not late.waiting
    assert c.activity.turns.round == 2
    assert "p-3" in [s.pupil for s in c.activity.turns.order]
    assert c.rec.of("join")[-1].data == {"seat": 3, "late": "next-round"}


def test_pause_freezes_and_lock_refuses_newcomers_and_end_celebrates() -> None:
    c = Class("pixel-mural", 2, turn_seconds=5)
    c.start()
    c.session.command("pause")
    c.tick(20)
    c.press(1, "A")
    assert c.activity.painted == {} and c.activity.turns.current is c.seat(1)
    c.session.command("resume")
    c.session.command("lock")
    c.press(9, "pair")
    assert c.seat(9) is None and c.session.refused == 1
    c.press(1, "A")
    c.session.command("end")
    assert c.session.phase == "ended"
    assert c.activity.celebration()[0] == "You painted 1 pixel together"
    assert c.rec.kinds().count("leave") == 2
