from __future__ import annotations

from tests.activities.helpers import Class


def test_everyone_plays_at_once_and_bars_are_recorded() -> None:
    c = Class("class-orchestra", 4, tempo_bpm=60, bars=2)  # one beat a second
    c.start()
    orch = c.activity
    assert [orch.instrument(s) for s in orch.lane_seats] == ["drum", "bells", "bass", "shaker"]
    assert c.rec.of("turn-start")[0].data == {"lane": "drum"}
    c.tick(4)  # count-in: the playhead reaches the first bar
    c.press(1, "A")  # drum note on beat 0
    c.press(3, "A")  # bass note on beat 0
    c.press(2, "A")  # bells: next note is on beat 1, too far away
    assert orch.notes_played() == 2
    c.tick(1)
    c.press(2, "A")  # beat 1: the bells play
    assert orch.notes_played() == 3
    c.tick(4)  # into bar 2
    bar1 = [(e.pupil, e.data) for e in c.rec.of("contribution")]
    assert bar1 == [("p-1", {"bar": 1, "notes": 1}), ("p-2", {"bar": 1, "notes": 1}),
                    ("p-3", {"bar": 1, "notes": 1})]
    c.tick(5)
    assert c.session.phase == "ended"
    assert {e.pupil: e.data["notes"] for e in c.rec.of("turn-end")} == {
        "p-1": 1, "p-2": 1, "p-3": 1, "p-4": 0}
    assert c.activity.celebration() == ["Together you played 3 notes"]


def test_late_joiner_gets_a_lane_at_once() -> None:
    c = Class("class-orchestra", 2, tempo_bpm=60, bars=4)
    c.start()
    c.tick(6)
    c.press(3, "pair")
    assert c.seat(3).playing and len(c.activity.lane_seats) == 3
    assert all(t >= c.activity.beat for t in c.activity.lanes[3])


def test_an_absent_pupil_is_never_counted_as_missing_notes() -> None:
    c = Class("class-orchestra", 2, tempo_bpm=120, bars=1)
    c.start()
    c.session.disconnect("c2")
    c.tick(10)
    assert c.session.phase == "ended"
    assert "timeout" not in c.rec.kinds() and "pass" not in c.rec.kinds()
