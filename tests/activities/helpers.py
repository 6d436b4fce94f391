"""Scripted pupils for activity tests."""

from __future__ import annotations

from kit.activities import catalog
from kit.activities.i18n import Words
from kit.activities.recording import MemoryRecorder
from kit.activities.session import Session
from kit.activities.sound import SilentSound
from kit.protocol.inputs import Input


class Class:
    """A session with a memory recorder, silent sound and pupils ``c1``.. (pseudonyms
    ``p-1``..)."""

    def __init__(self, name: str, players: int, lang: str = "en", capacity: int = 32,
                 **params: object) -> None:
        model = catalog.params_model(name)
        assert model is not None
        self.rec = MemoryRecorder()
        self.sound = SilentSound()
        self.session = Session(catalog.activity_class(name), model(**params),
                               recorder=self.rec, words=Words(lang), grace_seconds=30,
                               capacity=capacity, sound=self.sound)
        self._seq: dict[str, int] = {}
        for i in range(1, players + 1):
            self.press(i, "pair")

    def press(self, i: int, gesture: str, value: int = 0) -> None:
        c = f"c{i}"
        self._seq[c] = self._seq.get(c, 0) + 1
        self.session.handle(Input(c, self._seq[c], gesture, value, pupil=f"p-{i}"))

    def seat(self, i: int):  # type: ignore[no-untyped-def]
        return self.session.seats.get(f"c{i}")

    @property
    def activity(self):  # type: ignore[no-untyped-def]
        return self.session.activity

    def start(self) -> None:
        self.session.command("start")

    def tick(self, seconds: float, step: float = 0.25) -> None:
        t = 0.0
        while t < seconds - 1e-9:
            self.session.update(step)
            t += step

    def play_perfectly(self, limit: float = 3600.0, step: float = 0.25,
                       only: set[int] | None = None) -> float:
        """Every pupil (or those in ``only``) presses what the activity suggests, every step,
        until the game ends; returns the seconds it took."""
        t = 0.0
        while self.session.phase == "playing" and t < limit:
            for i in range(1, len(self.session.seats) + 1):
                if only is not None and i not in only:
                    continue
                seat = self.seat(i)
                g = self.activity.suggest(seat) if seat is not None else None
                if g:
                    self.press(i, g)
            self.session.update(step)
            t += step
        return t
