"""Where an activity's participation events go. The frame loop must never wait on the network,
so recording is a plain call that queues; :class:`StationRecorder` hands the queue to a
:class:`kit.link.station.Station` (durable outbox, QoS 1) from a background task."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kit.link.station import Station


@dataclass(frozen=True, slots=True)
class Recorded:
    kind: str
    pupil: str | None
    team: str | None
    data: Mapping[str, Any] = field(default_factory=dict)


class Recorder(Protocol):
    def record(self, kind: str, *, pupil: str | None = None, team: str | None = None,
               data: Mapping[str, Any] | None = None) -> None:
        """Queue one participation event; never blocks."""
        ...


class MemoryRecorder:
    """Keeps every event in a list: for tests and for rehearsing without a hub."""

    def __init__(self) -> None:
        self.events: list[Recorded] = []

    def record(self, kind: str, *, pupil: str | None = None, team: str | None = None,
               data: Mapping[str, Any] | None = None) -> None:
        self.events.append(Recorded(kind, pupil, team, dict(data or {})))

    def kinds(self, pupil: str | None = None) -> list[str]:
        return [e.kind for e in self.events if pupil is None or e.pupil == pupil]

    def of(self, kind: str) -> list[Recorded]:
        return [e for e in self.events if e.kind == kind]

    def __repr__(self) -> str:
        return f"<MemoryRecorder {len(self.events)} events>"


class StationRecorder:
    """Queues events for a Station; run :meth:`pump` as a task to record them there. Events
    belong to the lesson run in ``run`` when they are recorded (the shared screen sets it
    from each activity's start), so a report of the run counts the work done on the screen."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.run: str | None = None
        self._queue: asyncio.Queue[tuple[Recorded, str | None]] = asyncio.Queue()
        self.recorded = 0

    def record(self, kind: str, *, pupil: str | None = None, team: str | None = None,
               data: Mapping[str, Any] | None = None) -> None:
        self._queue.put_nowait((Recorded(kind, pupil, team, dict(data or {})), self.run))

    async def pump(self) -> None:
        while True:
            r, run = await self._queue.get()
            await self.station.record(r.kind, pupil=r.pupil, team=r.team, data=r.data,
                                      run=run)
            self.recorded += 1
            self._queue.task_done()

    async def drained(self) -> None:
        await self._queue.join()
