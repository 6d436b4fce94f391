"""What every activity is: game logic driven by kit input events and ``update(dt)``, drawn by
``draw(surface, ui)``. Activities never see pygame events and never wait on the network."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from kit.activities.catalog import ActivityParams
from kit.activities.i18n import Words
from kit.activities.recording import Recorder
from kit.activities.seats import LateJoin, Seat, SeatMap
from kit.activities.sound import SilentSound, Sound
from kit.protocol.inputs import Input

if TYPE_CHECKING:
    import pygame

    from kit.activities.ui import Ui


@dataclass
class Context:
    """What the session lends an activity: the seats, the recorder, the words, the sound."""

    seats: SeatMap
    recorder: Recorder
    words: Words
    sound: Sound = field(default_factory=SilentSound)

    def rec(self, kind: str, seat: Seat | None = None,
            data: Mapping[str, Any] | None = None) -> None:
        self.recorder.record(kind, pupil=seat.pupil if seat else None,
                             team=seat.team if seat else self.seats.team, data=data)

    def admit_waiting(self) -> list[Seat]:
        """A new round: late joiners who waited for it play from now."""
        admitted = [s for s in self.seats.seats if s.waiting]
        for s in admitted:
            s.waiting = False
        return admitted


class Activity:
    name: ClassVar[str] = "activity"
    title: ClassVar[str] = "Activity"  # translated when shown
    late_join: ClassVar[LateJoin] = "next-round"
    #: the longest a game may last (seconds of play); the session ends it then
    time_box: ClassVar[float] = 15 * 60.0

    def __init__(self, params: ActivityParams, ctx: Context) -> None:
        self.params = params
        self.ctx = ctx
        self.finished = False

    @property
    def words(self) -> Words:
        return self.ctx.words

    def start(self) -> None:
        """The teacher started the game: the lobby's seats are the players."""

    def on_input(self, seat: Seat, inp: Input) -> None:
        """A press from a seated, playing pupil."""

    def on_join(self, seat: Seat) -> None:
        """A late joiner who plays at once."""

    def on_lost(self, seat: Seat) -> None:
        """A controller went silent; its seat waits for it (not the pupil's fault)."""

    def on_back(self, seat: Seat) -> None:
        """A controller came back to its seat."""

    def update(self, dt: float) -> None:
        """Time passed (seconds, from the injected clock); not called while paused."""

    def update_end(self, dt: float) -> None:
        """Time passed on the end screen (a replay, pages of a story)."""

    def focus(self, seat: Seat | None = None) -> list[Seat]:
        """Whose turn it is now, near ``seat`` (in its squad, when there are squads): the
        target of that pupil's compliment or offer of help."""
        return []

    def can_act(self, seat: Seat) -> bool:
        """Whether a press from this pupil would do something now (else they wait)."""
        return False

    def suggest(self, seat: Seat) -> str | None:
        """The gesture a helpful pupil in this seat would make now, if any: for rehearsal with
        pretend pupils, for the benchmark and for tests of perfect play."""
        return None

    def outcome(self) -> dict[str, object]:
        """What the class reached, for the lesson to record (no pupil data)."""
        return {}

    def celebration(self) -> list[str]:
        """What the team made together, in words for the end screen (translated)."""
        return []

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        """Draw the game (the session draws seats, pause and end screens)."""

    def draw_end(self, surface: pygame.Surface, ui: Ui, box: pygame.Rect) -> None:
        """Draw what the class made inside ``box`` on the end screen."""
