from __future__ import annotations

import pytest

from kit.activities.class_orchestra import SECTIONS
from kit.activities.songs import SONGS, bars_of, parts
from tests.activities.helpers import Class


def test_the_song_setting_chooses_the_melody_and_the_song_lasts_minutes() -> None:
    for song in SONGS:
        c = Class("class-orchestra", 4, song=song)
        c.start()
        bells = [n.pitch for lane in c.activity.lanes.values() for n in lane
                 if n.instrument == "bells" and n.t < c.activity.bars * 4]
        assert sorted(bells) == sorted(p for p, _ in SONGS[song])
    c = Class("class-orchestra", 8)
    c.start()
    c.tick(20 * 60, step=1.0)
    assert c.session.ended_by == "done" and 2 * 60 < c.session.played < 5 * 60


@pytest.mark.parametrize("pupils", [1, 8, 32])
def test_perfect_play_plays_every_note_and_they_sound(pupils: int) -> None:
    c = Class("class-orchestra", pupils, song="frere-jacques", tempo_bpm=120)
    c.start()
    c.play_perfectly(step=0.05)
    orch = c.activity
    assert c.session.ended_by == "done"
    assert orch.notes_played() == orch.notes_total() > 0 and orch.every_part()
    assert len(c.sound.played) == orch.notes_played()
    assert {i for i, _ in c.sound.played} == set(SECTIONS)
    assert c.activity.celebration()[0] == "Every part was in the song!"


def test_sections_share_notes_fairly_and_everyone_plays_every_part() -> None:
    c = Class("class-orchestra", 8)
    c.start()
    orch = c.activity
    counts = [len(lane) for lane in orch.lanes.values()]
    assert max(counts) - min(counts) <= 0.1 * max(counts)  # four verses: every part each
    for seat in orch.lane_seats:
        parts_played = {orch.section(seat, v) for v in range(orch.p.verses)}
        assert parts_played == set(SECTIONS)
    p = parts("ode-to-joy")
    assert bars_of("ode-to-joy") == 16 and len(p["bells"]) > len(p["drum"])


def test_a_press_on_a_note_sounds_and_is_recorded_per_bar() -> None:
    c = Class("class-orchestra", 4, tempo_bpm=60, bars=2, verses=1)  # one beat a second
    c.start()
    orch = c.activity
    assert [orch.instrument(s) for s in orch.lane_seats] == ["drum", "bells", "bass", "shaker"]
    assert c.rec.of("turn-start")[0].data == {"lane": "drum"}
    c.tick(4)  # count-in: the playhead reaches the first bar
    c.press(1, "A")  # drum on beat 1
    c.press(3, "A")  # bass on beat 1
    c.press(4, "A")  # shaker: its note is on beat 2, too far away
    assert orch.notes_played() == 2
    assert c.sound.played == [("drum", 45), ("bass", 48)]
    c.tick(1)
    c.press(4, "A")
    assert orch.notes_played() == 3
    c.tick(4)  # into bar 2
    bar1 = [(e.pupil, e.data) for e in c.rec.of("contribution")]
    assert bar1 == [("p-1", {"bar": 1, "notes": 1}), ("p-3", {"bar": 1, "notes": 1}),
                    ("p-4", {"bar": 1, "notes": 1})]


def test_the_end_screen_replays_the_song() -> None:
    c = Class("class-orchestra", 4, song="frere-jacques", verses=1)
    c.start()
    c.play_perfectly(step=0.05)
    played = len(c.sound.played)
    c.tick(60)
    assert len(c.sound.played) == 2 * played  # every note again, once


def test_late_joiner_gets_a_lane_at_once() -> None:
    c = Class("class-orchestra", 2, tempo_bpm=60)
    c.start()
    c.tick(6)
    c.press(3, "pair")
    orch = c.activity
    assert c.seat(3).playing and len(orch.lane_seats) == 3
    assert orch.lanes[3] and all(n.t >= orch.beat for n in orch.lanes[3])


def test_an_absent_pupil_is_never_counted_as_missing_notes() -> None:
    c = Class("class-orchestra", 2, tempo_bpm=180, bars=1, verses=1)
    c.start()
    c.session.disconnect("c2")
    c.tick(10)
    assert c.session.phase == "ended"
    assert "timeout" not in c.rec.kinds() and "pass" not in c.rec.kinds()
