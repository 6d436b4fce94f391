"""The composition root of ``kit activity run``: builds the session, the input sources, the
recorder (a Station on the hub, or memory when rehearsing) and the frame loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kit.activities import catalog
from kit.activities.catalog import ActivityParams
from kit.activities.i18n import Words
from kit.activities.inputs import InputQueue, KeySets, SimPupils, pump_mqtt
from kit.activities.pretend import HabitPupils
from kit.activities.recording import MemoryRecorder, Recorder, StationRecorder
from kit.activities.session import Session
from kit.clock import Clock, SystemClock

if TYPE_CHECKING:
    from kit.link.station import Station

log = logging.getLogger(__name__)


@dataclass
class AppOptions:
    name: str
    room: str = "room-1"
    station: str = "activity"
    broker: str | None = None  # None: no hub (rehearsal)
    players: int = 4
    sim: bool = False
    lang: str = "en"
    headless: bool = False
    size: tuple[int, int] | None = None  # None: the display's (full screen), 1920x1080 headless
    window: bool = False  # a window instead of full screen
    sound: bool = True
    screenshot: str | None = None
    seconds: float | None = None
    start_after: float = 2.0


class App:
    def __init__(self, opts: AppOptions, params: ActivityParams, *,
                 clock: Clock | None = None) -> None:
        self.opts = opts
        self.params = params
        self.clock: Clock = clock or SystemClock()
        self.queue = InputQueue()
        self.recorder: Recorder = MemoryRecorder()
        self.session: Session | None = None

    def _session(self, recorder: Recorder) -> Session:
        cls = catalog.activity_class(self.opts.name)
        from kit.activities.sound import open_sound

        return Session(cls, self.params, recorder=recorder, words=Words(self.opts.lang),
                       sound=open_sound(enabled=self.opts.sound and not self.opts.headless))

    async def _publish_state(self, station: Station) -> None:
        """Keep the station's retained presence telling the room what the screen is doing."""
        last: dict[str, object] | None = None
        while True:
            if self.session is not None:
                now = self.session.summary()
                if now != last:
                    await station.set_presence(station.station, "online", **now)
                    last = now
            await self.clock.sleep(0.5)

    async def run(self) -> None:
        from kit.activities.runner import Runner, init_display

        surface = init_display(self.opts.size, headless=self.opts.headless,
                               window=self.opts.window)
        sims = SimPupils(self.opts.players) if self.opts.sim else None
        if sims is not None:
            for inp in sims.hello():
                self.queue.put(inp)
        async with contextlib.AsyncExitStack() as stack:
            tasks: list[asyncio.Task[None]] = []
            if self.opts.broker:
                from kit import config
                from kit.config import BrokerAddress
                from kit.link.station import Station
                from kit.protocol import topics

                address = config.station_address(BrokerAddress.parse(self.opts.broker),
                                                 role="station", station=self.opts.station,
                                                 room=self.opts.room)
                st = await stack.enter_async_context(Station(
                    address, room=self.opts.room, station=self.opts.station, clock=self.clock,
                    outbox=config.home() / f"outbox-{self.opts.station}.db",
                    subscriptions=(topics.all_inputs(self.opts.room),
                                   topics.all_station_states(self.opts.room))))
                rec = StationRecorder(st)
                self.recorder = rec
                tasks.append(asyncio.create_task(rec.pump(), name="activity-recorder"))
                tasks.append(asyncio.create_task(pump_mqtt(st.messages(), self.queue),
                                                 name="activity-input"))
            self.session = self._session(self.recorder)
            if self.opts.broker:
                tasks.append(asyncio.create_task(self._publish_state(st), name="activity-state"))
            runner = Runner(self.session, surface, queue=self.queue, clock=self.clock,
                            sims=None, keys=KeySets(), windowed=not self.opts.headless)
            try:
                if sims is not None:
                    await runner.run(self.opts.start_after)
                    self.session.command("start")
                    # Pretend pupils with habits play sensibly (the same seats and pseudonyms).
                    runner.sims = HabitPupils(self.opts.players, self.session)
                await runner.run(self.opts.seconds)
                if self.opts.screenshot:
                    runner.screenshot(self.opts.screenshot)
            finally:
                if isinstance(self.recorder, StationRecorder):
                    st = self.recorder.station
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(st.set_presence(st.station, "online",
                                                               **self.session.summary()), 5)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.recorder.drained(), 5)
                        await asyncio.wait_for(self.recorder.station.flushed(), 5)
                for t in tasks:
                    t.cancel()
                for t in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await t
