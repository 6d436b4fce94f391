"""Sound for activities, synthesised (no audio files): a short note per instrument and pitch.

:func:`tone` is pure (samples from numbers) so tests can check it; :class:`MixerSound` plays
the samples through ``pygame.mixer``; :class:`SilentSound` remembers what would have played
and is what the session uses by default, under the dummy audio driver and when the room has
no speakers. Sound is never the only cue: every note also lights up on screen.
"""

from __future__ import annotations

import logging
import math
import os
import random
from array import array
from collections.abc import Iterable
from typing import Any, Protocol

log = logging.getLogger(__name__)

RATE = 22050  # samples per second, mono, signed 16-bit
INSTRUMENTS = ("drum", "bells", "bass", "shaker")


class Sound(Protocol):
    def play(self, instrument: str, pitch: int) -> None:
        """Start one note now (``pitch`` as a MIDI note number); never blocks."""
        ...

    def prepare(self, notes: Iterable[tuple[str, int]]) -> None:
        """Make these notes ready before the game starts, so the first of each does not cost
        a frame its synthesis."""
        ...


class SilentSound:
    """Plays nothing; keeps ``(instrument, pitch)`` of every note it was asked for."""

    def __init__(self) -> None:
        self.played: list[tuple[str, int]] = []

    def play(self, instrument: str, pitch: int) -> None:
        if len(self.played) < 100_000:
            self.played.append((instrument, pitch))

    def prepare(self, notes: Iterable[tuple[str, int]]) -> None:
        pass


def frequency(pitch: int) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def tone(instrument: str, pitch: int, rate: int = RATE, volume: float = 0.35) -> array[int]:
    """The samples of one note: bells ring (sine with overtone, slow fade), bass hums
    (triangle), the drum thumps (falling sine and a little noise), the shaker rustles
    (short noise). Deterministic."""
    f = frequency(pitch)
    seconds = {"bells": 0.9, "bass": 0.5, "drum": 0.35, "shaker": 0.15}.get(instrument, 0.4)
    n = int(seconds * rate)
    noise = random.Random(pitch)
    out = array("h", bytes(2 * n))
    for i in range(n):
        t = i / rate
        if instrument == "bells":
            v = (math.sin(math.tau * f * t) + 0.3 * math.sin(math.tau * 2 * f * t)) / 1.3
            env = math.exp(-4.0 * t)
        elif instrument == "bass":
            phase = (f * t) % 1.0
            v = 4 * abs(phase - 0.5) - 1
            env = min(1.0, t * 200) * math.exp(-3.0 * t)
        elif instrument == "drum":
            sweep = f * (1 + 2 * math.exp(-30 * t))
            v = 0.85 * math.sin(math.tau * sweep * t) + 0.15 * noise.uniform(-1, 1)
            env = math.exp(-12.0 * t)
        else:
            v = noise.uniform(-1, 1)
            env = math.exp(-25.0 * t)
        out[i] = int(32767 * volume * env * v)
    return out


class MixerSound:
    """Notes through ``pygame.mixer``, each synthesised once and kept."""

    def __init__(self, rate: int = RATE, channels: int = 1) -> None:
        import pygame

        self._pygame = pygame
        self.rate = rate
        self.channels = channels
        self._cache: dict[tuple[str, int], Any] = {}

    def play(self, instrument: str, pitch: int) -> None:
        self._sound(instrument, pitch).play()

    def prepare(self, notes: Iterable[tuple[str, int]]) -> None:
        for instrument, pitch in set(notes):
            self._sound(instrument, pitch)

    def _sound(self, instrument: str, pitch: int) -> Any:
        key = (instrument, pitch)
        snd = self._cache.get(key)
        if snd is None:
            mono = tone(instrument, pitch, self.rate)
            samples = mono
            if self.channels > 1:  # the device may insist on stereo: same note on each side
                samples = array("h", bytes(2 * len(mono) * self.channels))
                for c in range(self.channels):
                    samples[c::self.channels] = mono
            snd = self._cache[key] = self._pygame.mixer.Sound(buffer=samples.tobytes())
        return snd


def open_sound(*, enabled: bool = True) -> Sound:
    """Speakers if there are any and sound is wanted, else silence (never an error: a room
    without speakers still plays the game)."""
    if not enabled or os.environ.get("SDL_AUDIODRIVER") == "dummy":
        return SilentSound()
    try:
        import pygame

        pygame.mixer.pre_init(RATE, -16, 1, 512)
        pygame.mixer.init()
        pygame.mixer.set_num_channels(32)
        got = pygame.mixer.get_init()
    except Exception as e:  # pygame.error: no audio device; the game goes on silently
        log.info("no sound: %s", e)
        return SilentSound()
    if got is None or got[1] != -16:
        log.info("no sound: the mixer opened as %s, not 16-bit", got)
        return SilentSound()
    return MixerSound(rate=got[0], channels=got[2])
