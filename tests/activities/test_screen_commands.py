"""The shared screen takes the lesson's commands calmly: a step sent twice (the lesson's link
dropped before the broker acknowledged it) does not restart the pupils' activity, and a step
started again after an end (the teacher went back) does."""

from __future__ import annotations

from kit.activities.shared_screen import ScreenOptions, SharedScreen
from kit.protocol import topics
from kit.protocol.screen import ActivityStart, SeatInfo

ROOM = "room-s"
SEATS = tuple(SeatInfo(f"mb-00000{i}", f"p-{i}", "orange", i, None) for i in range(1, 4))


def screen() -> SharedScreen:
    return SharedScreen(ScreenOptions(room=ROOM, headless=True), station=None)


def send(s: SharedScreen, command: str, payload: bytes = b"") -> None:
    s.on_message(topics.station_command(ROOM, "screen", command), payload)
    s.frame(1 / 30)


START = ActivityStart(name="pixel-mural", step="mural", run="lesson-1", seats=SEATS).encode()


async def test_a_step_that_comes_twice_keeps_the_activity_going() -> None:
    s = screen()
    send(s, "activity", START)
    first = s.session
    assert first is not None and first.phase != "ended"
    send(s, "activity", START)
    assert s.session is first and first.phase != "ended", "the pupils' mural was restarted"


async def test_the_same_step_after_an_end_starts_again() -> None:
    s = screen()
    send(s, "activity", START)
    first = s.session
    send(s, "end")
    send(s, "activity", START)
    assert s.session is not first and s.session is not None
    assert s.session.phase != "ended"


async def test_an_end_and_the_next_step_in_one_frame_leave_the_next_step_running() -> None:
    s = screen()
    send(s, "activity", START)
    first = s.session
    s.on_message(topics.station_command(ROOM, "screen", "end"), b"")
    s.on_message(topics.station_command(ROOM, "screen", "activity"), START)
    s.frame(1 / 30)
    assert first is not None and first.phase == "ended"
    assert s.session is not first and s.session is not None and s.session.phase != "ended"
