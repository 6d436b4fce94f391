from __future__ import annotations

import pytest

from tests.activities.helpers import Class


@pytest.mark.parametrize("pupils", [1, 8, 32])
def test_perfect_play_completes_the_picture(pupils: int) -> None:
    c = Class("pixel-mural", pupils)
    c.start()
    c.play_perfectly()
    mural = c.activity
    assert c.session.ended_by == "done" and mural.cells_left() == 0
    assert c.session.summary()["outcome"]["complete"] is True  # type: ignore[index]
    painters = {e.pupil for e in c.rec.of("contribution")}
    assert painters == {f"p-{i}" for i in range(1, pupils + 1)}
    assert c.session.played < 10 * 60


def test_shares_are_equal_and_each_squad_needs_every_member() -> None:
    c = Class("pixel-mural", 8)
    c.start()
    mural = c.activity
    sizes = [len(v) for v in mural.shares.values()]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == 192
    assert [len(s) for s in mural.squads] == [4, 4]
    # Everyone paints at once: every pupil can act from the first second.
    assert all(mural.can_act(c.seat(i)) for i in range(1, 9))
    assert c.rec.of("turn-start")[0].data == {"role": "painter", "pixels": 24}


def test_a_thirty_two_pupil_class_gets_the_picture_at_double_resolution() -> None:
    c = Class("pixel-mural", 32)
    c.start()
    assert len(c.activity.rows) == 24 and len(c.activity.rows[0]) == 32
    assert {len(v) for v in c.activity.shares.values()} == {24}


def test_the_brush_must_match_the_pixel_and_b_changes_it() -> None:
    c = Class("pixel-mural", 2)
    c.start()
    mural = c.activity
    seat = c.seat(1)
    (cell, _) = mural.target(seat)
    need = mural.paint_letters.index(mural.letter(cell))
    mural.brush[seat.number] = (need + 1) % len(mural.paint_letters)
    c.press(1, "A")
    assert mural.painted == {}
    for _ in range(len(mural.paint_letters) - 1):
        c.press(1, "B")
    c.press(1, "A")
    assert mural.painted == {cell: "p-1"}
    assert c.rec.of("contribution")[0].data == {"pixels": 1, "paint": mural.letter(cell)}


def test_silence_cannot_stall_the_picture_squad_mates_help() -> None:
    c = Class("pixel-mural", 4, turn_seconds=20)
    c.start()
    c.play_perfectly(only={1, 2, 3})  # pupil 4 never presses
    mural = c.activity
    assert c.session.ended_by == "done" and mural.cells_left() == 0
    helped = [e for e in c.rec.of("contribution") if e.data.get("helped") == "p-4"]
    assert helped and "p-4" not in {e.pupil for e in c.rec.of("contribution")}


def test_a_late_joiner_paints_at_once_with_half_of_a_share() -> None:
    c = Class("pixel-mural", 2)
    c.start()
    c.press(3, "pair")
    mural = c.activity
    assert c.seat(3).playing and len(mural.left_of(3)) == 48
    assert mural.can_act(c.seat(3))


def test_compliment_and_help_go_to_squad_mates_and_show_on_screen() -> None:
    c = Class("pixel-mural", 3)
    c.start()
    c.press(2, "logo")
    c.press(3, "shake")
    got = [(e.kind, e.pupil, e.data["target"]) for e in c.rec.events
           if e.kind in ("compliment", "help")]
    assert got == [("compliment", "p-2", "p-1"), ("compliment", "p-2", "p-3"),
                   ("help", "p-3", "p-1"), ("help", "p-3", "p-2")]
    assert [(ch.seat.number, ch.kind) for ch in c.session.cheers] == [(2, "compliment"),
                                                                      (3, "help")]
    c.tick(5)
    assert not c.session.cheers


def test_reconnect_returns_to_the_same_seat_and_absence_opens_the_share() -> None:
    c = Class("pixel-mural", 2, turn_seconds=300)
    c.start()
    seat1 = c.seat(1)
    c.play_perfectly(only={2}, limit=60)  # pupil 2 finishes their own share
    c.session.disconnect("c1")
    assert seat1.state == "reconnecting"
    got = c.activity.target(c.seat(2))
    assert got is not None and got[1] is seat1  # pupil 2 may help with the absent share
    c.press(1, "hello")
    assert c.seat(1) is seat1 and seat1.state == "active" and seat1.number == 1
    assert c.rec.events[-1].kind == "join" and c.rec.events[-1].data["reconnect"] is True
    assert "timeout" not in c.rec.kinds("p-1")


def test_pause_freezes_and_end_shows_the_picture() -> None:
    c = Class("pixel-mural", 2)
    c.start()
    c.session.command("pause")
    c.press(1, "A")
    assert c.activity.painted == {}
    c.session.command("resume")
    c.press(1, c.activity.suggest(c.seat(1)))
    c.session.command("end")
    assert c.session.phase == "ended" and c.session.ended_by == "teacher"
    assert c.activity.celebration() in (["You painted 1 pixel together"],
                                        ["You painted 0 pixels together"])
    assert c.rec.kinds().count("leave") == 2
