from __future__ import annotations

import itertools
import os

import pytest

from kit.activities.sound import INSTRUMENTS, SilentSound, frequency, open_sound, tone


def test_a_note_is_synthesised_the_same_every_time_and_each_instrument_differs() -> None:
    a = tone("bells", 69, rate=8000)
    assert a == tone("bells", 69, rate=8000)
    assert 0.85 * 8000 < len(a) < 0.95 * 8000 and max(a) > 5000
    assert len({tone(i, 60, rate=8000).tobytes() for i in INSTRUMENTS}) == 4
    assert frequency(69) == 440.0 and frequency(81) == pytest.approx(880.0)


def test_a_higher_pitch_rings_faster() -> None:
    def crossings(samples) -> int:  # type: ignore[no-untyped-def]
        return sum(1 for x, y in itertools.pairwise(samples) if x < 0 <= y)

    low, high = tone("bells", 60, rate=8000), tone("bells", 72, rate=8000)
    assert crossings(high) > 1.8 * crossings(low)


def test_the_dummy_audio_driver_is_silent_and_keeps_what_was_asked() -> None:
    sound = open_sound()  # the tests run under SDL_AUDIODRIVER=dummy
    assert isinstance(sound, SilentSound)
    sound.play("drum", 45)
    assert sound.played == [("drum", 45)]
    assert isinstance(open_sound(enabled=False), SilentSound)


def test_the_mixer_plays_synthesised_notes_when_there_is_a_sound_card() -> None:
    import pygame

    from kit.activities.sound import MixerSound

    # Under SDL's dummy audio driver the mixer is real but plays to nowhere.
    assert os.environ.get("SDL_AUDIODRIVER") == "dummy"
    try:
        pygame.mixer.quit()
        pygame.mixer.init(22050, -16, 1, 512, allowedchanges=0)
    except pygame.error as e:
        pytest.skip(f"no mixer here: {e}")
    try:
        freq, _, channels = pygame.mixer.get_init()
        sound = MixerSound(rate=freq, channels=channels)
        sound.prepare([("bells", 72), ("drum", 45), ("bells", 72)])
        assert len(sound._cache) == 2
        sound.play("bells", 72)
        sound.play("shaker", 90)
        assert len(sound._cache) == 3
    finally:
        pygame.mixer.quit()
