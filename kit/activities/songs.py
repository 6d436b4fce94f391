"""Songs for the class orchestra: melodies as (MIDI pitch, beats), four beats to a bar, and the
parts each section plays, worked out from the melody."""

from __future__ import annotations

from dataclasses import dataclass

Melody = tuple[tuple[int, float], ...]

C, D, E, F, G, A, B = 60, 62, 64, 65, 67, 69, 71
G3 = 55


def _bars(*bars: tuple[tuple[int, float], ...]) -> Melody:
    out: list[tuple[int, float]] = []
    for bar in bars:
        assert abs(sum(b for _, b in bar) - 4) < 1e-9, bar
        out.extend(bar)
    return tuple(out)


_ODE_A = (((E, 1), (E, 1), (F, 1), (G, 1)), ((G, 1), (F, 1), (E, 1), (D, 1)),
          ((C, 1), (C, 1), (D, 1), (E, 1)))
SONGS: dict[str, Melody] = {
    "ode-to-joy": _bars(
        *_ODE_A, ((E, 1.5), (D, 0.5), (D, 2)),
        *_ODE_A, ((D, 1.5), (C, 0.5), (C, 2)),
        ((D, 1), (D, 1), (E, 1), (C, 1)), ((D, 1), (E, 0.5), (F, 0.5), (E, 1), (C, 1)),
        ((D, 1), (E, 0.5), (F, 0.5), (E, 1), (D, 1)), ((C, 1), (D, 1), (G3, 2)),
        *_ODE_A, ((D, 1.5), (C, 0.5), (C, 2))),
    "twinkle": _bars(
        ((C, 1), (C, 1), (G, 1), (G, 1)), ((A, 1), (A, 1), (G, 2)),
        ((F, 1), (F, 1), (E, 1), (E, 1)), ((D, 1), (D, 1), (C, 2)),
        ((G, 1), (G, 1), (F, 1), (F, 1)), ((E, 1), (E, 1), (D, 2)),
        ((G, 1), (G, 1), (F, 1), (F, 1)), ((E, 1), (E, 1), (D, 2)),
        ((C, 1), (C, 1), (G, 1), (G, 1)), ((A, 1), (A, 1), (G, 2)),
        ((F, 1), (F, 1), (E, 1), (E, 1)), ((D, 1), (D, 1), (C, 2))),
    "frere-jacques": _bars(
        ((C, 1), (D, 1), (E, 1), (C, 1)), ((C, 1), (D, 1), (E, 1), (C, 1)),
        ((E, 1), (F, 1), (G, 2)), ((E, 1), (F, 1), (G, 2)),
        ((G, 0.5), (A, 0.5), (G, 0.5), (F, 0.5), (E, 1), (C, 1)),
        ((G, 0.5), (A, 0.5), (G, 0.5), (F, 0.5), (E, 1), (C, 1)),
        ((C, 1), (G3, 1), (C, 2)), ((C, 1), (G3, 1), (C, 2))),
}
# The bass's root for a melody note's pitch class (C, F or G chords, and A minor).
_ROOT = {0: 48, 2: 43, 4: 48, 5: 41, 7: 43, 9: 45, 11: 43}


@dataclass(frozen=True, slots=True)
class Note:
    t: float  # beats from the start of the verse
    pitch: int
    instrument: str


def bars_of(song: str) -> int:
    return round(sum(b for _, b in SONGS[song]) / 4)


def parts(song: str, bars: int | None = None) -> dict[str, list[Note]]:
    """Each section's notes for one verse of ``bars`` bars (default: the whole song):
    bells play the melody, bass the roots on beats 1 and 3, the drum beats 1 and 3, the
    shaker beats 2 and 4."""
    length = 4 * (bars or bars_of(song))
    melody: list[Note] = []
    t = 0.0
    while t < length:
        for pitch, beats in SONGS[song]:
            if t >= length:
                break
            melody.append(Note(t, pitch, "bells"))
            t += beats
    out: dict[str, list[Note]] = {"drum": [], "bells": melody, "bass": [], "shaker": []}
    for bar in range(length // 4):
        for beat in (0, 2):
            t0 = bar * 4 + beat
            under = [n for n in melody if n.t <= t0]
            pitch = under[-1].pitch if under else C
            out["bass"].append(Note(float(t0), _ROOT[pitch % 12], "bass"))
            out["drum"].append(Note(float(t0), 45, "drum"))
            out["shaker"].append(Note(float(t0 + 1), 90, "shaker"))
    return out
