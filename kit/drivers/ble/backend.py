"""Which bleak backend to use: the platform's (None) or another one, such as the simulated
robots' bumble central. Passed to bleak through its documented ``backend=`` argument."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class BleBackend:
    scanner: Any = None  # type[BaseBleakScanner] | None
    client: Any = None  # type[BaseBleakClient] | None


PLATFORM = BleBackend()
