"""What the lesson engine and activities ask of a robot. Drivers (BLE, simulated) implement it.

Speeds are fractions of the robot's top speed, -1.0 (full reverse) to 1.0 (full ahead);
implementations clamp to their :class:`SpeedLimits` (a lesson may set lower ones).

The words a lesson may use for a robot's LEDs and sounds are defined here, once: the lesson
checker refuses any other (:mod:`kit.lesson.schema`), and the drivers turn them into what the
robot's program understands (:func:`led_image`, :func:`tone_hz`)::

    led_image("quarter-note")   # "QUARTER_NOTE", the image robot.ts shows
    tone_hz("beep")             # 880
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from kit.errors import KitError

#: LED patterns a lesson may show on a robot, as lessons write them, and the image the robot's
#: program shows for each (``robot.ts`` has a case for every one: MakeCode's icons).
LED_PATTERNS: Mapping[str, str] = MappingProxyType({
    "heart": "HEART", "small-heart": "SMALL_HEART", "yes": "YES", "no": "NO",
    "happy": "HAPPY", "smile": "HAPPY", "sad": "SAD", "confused": "CONFUSED", "angry": "ANGRY",
    "asleep": "ASLEEP", "surprised": "SURPRISED", "silly": "SILLY", "fabulous": "FABULOUS",
    "meh": "MEH", "t-shirt": "T_SHIRT", "roller-skate": "ROLLER_SKATE", "duck": "DUCK",
    "house": "HOUSE", "tortoise": "TORTOISE", "butterfly": "BUTTERFLY",
    "stick-figure": "STICK_FIGURE", "ghost": "GHOST", "sword": "SWORD", "giraffe": "GIRAFFE",
    "skull": "SKULL", "umbrella": "UMBRELLA", "snake": "SNAKE", "rabbit": "RABBIT",
    "cow": "COW", "quarter-note": "QUARTER_NOTE", "eighth-note": "EIGHTH_NOTE",
    "pitchfork": "PITCHFORK", "target": "TARGET", "triangle": "TRIANGLE",
    "left-triangle": "LEFT_TRIANGLE", "chessboard": "CHESSBOARD", "diamond": "DIAMOND",
    "small-diamond": "SMALL_DIAMOND", "square": "SQUARE", "small-square": "SMALL_SQUARE",
    "scissors": "SCISSORS",
})

#: Sounds a lesson may name, as the frequency (Hz) the robot plays.
NAMED_TONES: Mapping[str, int] = MappingProxyType({
    "beep": 880, "boop": 440, "drum": 110, "tada": 523, "low": 262, "high": 1047})

#: A sound may also be a pitch in Hz, written as digits ("440"), within these bounds.
LOWEST_TONE, HIGHEST_TONE = 20, 20_000
PITCHES = f"a pitch in Hz such as '440' ({LOWEST_TONE} to {HIGHEST_TONE})"


class UnknownRobotWord(KitError, ValueError):
    """A LED pattern or sound no robot knows; ``known`` lists the ones it does."""

    def __init__(self, what: str, word: str, known: list[str], *, also: str = "") -> None:
        super().__init__(f"unknown {what} {word!r}; a robot knows: {', '.join(known)}"
                         + (f", or {also}" if also else ""))
        self.what = what
        self.word = word
        self.known = known


def led_image(pattern: str) -> str:
    """The image the robot's program shows for a lesson's LED pattern (``"quarter-note"`` ->
    ``"QUARTER_NOTE"``). Upper case and ``_`` are read as well (``"QUARTER_NOTE"``)."""
    image = LED_PATTERNS.get(pattern.strip().lower().replace("_", "-"))
    if image is None:
        raise UnknownRobotWord("LED pattern", pattern, sorted(LED_PATTERNS))
    return image


def is_pitch(word: str) -> bool:
    """``word`` is a pitch in Hz a robot can play, written as digits (``"440"``)."""
    return word.isascii() and word.isdigit() and LOWEST_TONE <= int(word) <= HIGHEST_TONE


def tone_hz(tone: str) -> int:
    """The frequency a robot plays for a lesson's sound: a name (``"beep"``) or a pitch in Hz
    written as digits (``"440"``)."""
    word = tone.strip().lower()
    if word in NAMED_TONES:
        return NAMED_TONES[word]
    if is_pitch(word):
        return int(word)
    raise UnknownRobotWord("sound", tone, sorted(NAMED_TONES), also=PITCHES)


@dataclass(frozen=True, slots=True)
class SpeedLimits:
    max_speed: float = 0.6  # fraction of top speed a class may use
    max_turn: float = 0.6
    max_seconds: float = 5.0  # longest single drive command


@dataclass(frozen=True, slots=True)
class Capabilities:
    drive: bool = True
    leds: bool = True
    sound: bool = False


@runtime_checkable
class Robot(Protocol):
    name: str
    capabilities: Capabilities
    limits: SpeedLimits

    @property
    def connected(self) -> bool: ...

    async def drive(self, speed: float, turn: float = 0.0, seconds: float | None = None) -> None:
        """Move; ``turn`` > 0 curves right. Stops by itself after ``seconds`` if given."""
        ...

    async def stop(self) -> None: ...

    async def led(self, pattern: str) -> None: ...

    async def sound(self, tone: str) -> None: ...
