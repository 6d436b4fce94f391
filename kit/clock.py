"""Time as a dependency: the real clock and a fake one that tests advance by hand."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """What kit code asks of time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for durations)."""
        ...

    def now(self) -> datetime:
        """Wall-clock time, timezone-aware UTC (for timestamps that people read)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "<SystemClock>"


class ScaledClock:
    """Real time, run ``speed`` times faster, starting at ``start``: how a rehearsal or the
    demo plays a 45-minute lesson in a few minutes while devices and the broker run at their
    own pace."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        self.speed = max(speed, 1e-3)
        self._real0 = time.monotonic()
        self._start = start or datetime.now(UTC)

    def monotonic(self) -> float:
        return (time.monotonic() - self._real0) * self.speed

    def now(self) -> datetime:
        from datetime import timedelta

        return self._start + timedelta(seconds=self.monotonic())

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    def __repr__(self) -> str:
        return f"<ScaledClock x{self.speed:g} t={self.monotonic():.1f}s>"


class FakeClock:
    """A clock that moves only when told to: ``await clock.advance(5)``.

    Sleepers wake in deadline order as the clock passes their deadline, and each gets a turn
    of the event loop before the next deadline is reached, so code under test sees time pass
    the way it would for real, only instantly.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._t = 0.0
        self._start = start or datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self._t

    def now(self) -> datetime:
        from datetime import timedelta

        return self._start + timedelta(seconds=self._t)

    async def sleep(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._t + max(0.0, seconds), next(self._order), fut))
        await fut

    @property
    def sleepers(self) -> int:
        """How many tasks are waiting on this clock."""
        return sum(1 for *_, f in self._sleepers if not f.done())

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking every sleeper whose deadline passes, in order."""
        target = self._t + seconds
        await _settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, fut = heapq.heappop(self._sleepers)
            self._t = max(self._t, deadline)
            if not fut.done():
                fut.set_result(None)
            await _settle()
        self._t = target
        await _settle()

    def __repr__(self) -> str:
        return f"<FakeClock t={self._t:.3f}s sleepers={self.sleepers}>"


async def _settle(rounds: int = 5) -> None:
    """Give ready tasks a few turns of the loop (no wall-clock wait)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
