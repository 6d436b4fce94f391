"""What the lesson engine and activities ask of a robot. Drivers (BLE, simulated) implement it.

Speeds are fractions of the robot's top speed, -1.0 (full reverse) to 1.0 (full ahead);
implementations clamp to their :class:`SpeedLimits` (a lesson may set lower ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


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
