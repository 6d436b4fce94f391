"""Scripted pupils for activity tests."""

from __future__ import annotations

from kit.activities import catalog
from kit.activities.i18n import Words
from kit.activities.recording import MemoryRecorder
from kit.activities.session import Session
from kit.protocol.inputs import Input


class Class:
    """A session with a memory recorder and pupils ``c1``.. (pseudonyms ``p-1``..)."""

    def __init__(self, name: str, players: int, lang: str = "en", **params: object) -> None:
        model = catalog.params_model(name)
        assert model is not None
        self.rec = MemoryRecorder()
        self.session = Session(catalog.activity_class(name), model(**params),
                               recorder=self.rec, words=Words(lang), grace_seconds=30)
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
