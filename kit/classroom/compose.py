"""The one place a classroom is put together: broker and store, the gateway with its micro:bits,
robots, the shared screen and the lesson, each real or simulated. The CLI commands call these
pieces (``kit hub``, ``kit gateway``, ``kit screen``, ``kit lesson run``, ``kit demo``); the
parts themselves never import each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit import config
from kit.clock import Clock, SystemClock
from kit.config import BrokerAddress
from kit.link.station import Station
from kit.protocol import topics

if TYPE_CHECKING:
    from kit.activities.shared_screen import ScreenOptions, SharedScreen
    from kit.drivers.bridge import GatewayBridge
    from kit.drivers.sim.microbits import SimController, SimGateway
    from kit.hub.recorder import RecorderStats
    from kit.hub.service import HubSettings
    from kit.lesson.engine import Engine
    from kit.lesson.schema import Lesson
    from kit.robot_api import Robot

log = logging.getLogger(__name__)


# The hub ------------------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def hub_here(settings: HubSettings, *,
                   on_commit: Callable[[RecorderStats], None] | None = None
                   ) -> AsyncIterator[BrokerAddress]:
    """Run the hub (broker and recorder) in this process; yields the broker's address."""
    from kit.hub.service import run_hub

    ready: asyncio.Future[BrokerAddress] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    task = asyncio.create_task(run_hub(settings, on_ready=ready.set_result, on_commit=on_commit,
                                       stop=stop), name="hub")
    try:
        waiting: set[asyncio.Future[Any]] = {task, ready}
        done, _ = await asyncio.wait(waiting, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # raises the hub's error
        if ready not in done:
            raise TimeoutError("the hub did not start within a minute")
        yield ready.result()
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# Micro:bits ---------------------------------------------------------------------------------

@dataclass
class SimRadio:
    """A simulated gateway micro:bit on a pseudo-terminal and pupils' controllers on the
    simulated air, all running the real firmware."""

    gateway: SimGateway
    controllers: list[SimController]

    @property
    def finder(self) -> Any:
        return self.gateway.finder


@contextlib.asynccontextmanager
async def sim_radio(count: int, *, clock: Clock | None = None,
                    power_on: bool = True) -> AsyncIterator[SimRadio]:
    from kit.drivers.sim.air import Air
    from kit.drivers.sim.microbits import SimController, SimGateway

    clock = clock or SystemClock()
    air = Air()
    with tempfile.TemporaryDirectory(prefix="kit-radio-") as folder:
        gw = SimGateway(Path(folder) / "ttyKIT0", air=air, clock=clock)
        await gw.plug()
        controllers = [SimController(i + 1, air=air, clock=clock) for i in range(count)]
        try:
            if power_on:
                for c in controllers:
                    await c.power_on()
            yield SimRadio(gw, controllers)
        finally:
            for c in controllers:
                with contextlib.suppress(Exception):
                    await c.power_off()
            await gw.unplug()


async def run_gateway(address: BrokerAddress, *, room: str, finder: Any, station: str = "gateway",
                      leave_after: float = 10.0,
                      on_bridge: Callable[[GatewayBridge], None] | None = None) -> None:
    """Bridge a gateway micro:bit (found by ``finder``) to the hub, until cancelled."""
    from kit.drivers.bridge import GatewayBridge
    from kit.drivers.microbit.link import GatewayLink

    async with Station(
        config.station_address(address, role="gateway", station=station, room=room),
        room=room, station=station,
        outbox=config.home() / f"outbox-{room}-{station}.db",
        subscriptions=(f"{topics.PREFIX}/{room}/station/+/+/set",),
    ) as st, GatewayLink(finder=finder) as link:
        bridge = GatewayBridge(link, st, room=room, leave_after=leave_after)
        if on_bridge is not None:
            on_bridge(bridge)
        try:
            await bridge.run(st.messages())
        finally:
            # Presence is retained: without this, next week's lesson would still see last
            # week's controllers as here and seat pupils who stayed at home.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    for c in bridge.controllers.values():
                        if c.present:
                            await st.set_presence(c.controller, "left")


# Robots -------------------------------------------------------------------------------------

@dataclass
class Fleet:
    """The class's robots, by team; simulated ones live in ``world``."""

    robots: dict[str, Robot]
    world: Any = None
    stand_ins: dict[str, Any] = field(default_factory=dict)  # team -> its simulated robot

    def get(self, team: str) -> Robot | None:
        return self.robots.get(team)

    def travelled(self, team: str) -> float | None:
        """How far a simulated robot is from where it started, in metres (None if real)."""
        sim = self.stand_ins.get(team)
        if sim is None:
            return None
        return float((sim.pose.x ** 2 + sim.pose.y ** 2) ** 0.5)


@contextlib.asynccontextmanager
async def fleet(teams: Mapping[str, str | None]) -> AsyncIterator[Fleet]:
    """A robot for each team: ``teams`` maps a team to its robot's name (a real robot over
    Bluetooth) or to ``None`` (a stand-in: a simulated robot on a simulated Bluetooth link,
    driven through the same driver)."""
    from kit.drivers.ble.robot import BleRobot

    out = Fleet({})
    async with contextlib.AsyncExitStack() as stack:
        for team, name in teams.items():
            if name is None:
                if out.world is None:
                    from kit.drivers.sim.robots import RobotWorld

                    out.world = await stack.enter_async_context(RobotWorld())
                sim = await out.world.add_robot()  # advertises as a real board does
                out.stand_ins[team] = sim
                robot = BleRobot(sim.short, backend=out.world.backend)
            else:
                robot = BleRobot(name)
            out.robots[team] = await stack.enter_async_context(robot)
        yield out


# The shared screen --------------------------------------------------------------------------

def screen_station(address: BrokerAddress, room: str, station: str,
                   clock: Clock | None = None) -> Station:
    return Station(
        config.station_address(address, role="station", station=station, room=room),
        room=room, station=station, clock=clock,
        outbox=config.home() / f"outbox-{room}-{station}.db",
        subscriptions=(topics.all_inputs(room), topics.all_station_states(room),
                       topics.lesson_state(room)))


async def run_screen(address: BrokerAddress, opts: ScreenOptions, *, clock: Clock | None = None,
                     on_screen: Callable[[SharedScreen], None] | None = None) -> SharedScreen:
    """The shared screen, until its window closes or its time is up."""
    from kit.activities.shared_screen import SharedScreen

    async with screen_station(address, opts.room, opts.station, clock) as st:
        screen = SharedScreen(opts, st, clock=clock)
        if on_screen is not None:
            on_screen(screen)
        tasks = [asyncio.create_task(screen.recorder.pump(), name="screen-recorder"),
                 asyncio.create_task(screen.pump(st.messages()), name="screen-input")]
        try:
            await screen.run()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(screen.recorder.drained(), 10)
                await asyncio.wait_for(st.flushed(), 30)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return screen


# The lesson ---------------------------------------------------------------------------------

@dataclass
class LessonRun:
    """A lesson as it runs here: the engine, and what it recorded."""

    engine: Engine
    station: Station
    counts: dict[str, int] = field(default_factory=dict)
    #: every station's last presence on the hub: the screen, gateways, controllers
    present: dict[str, str] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def lesson_here(
    lesson: Lesson,
    address: BrokerAddress,
    *,
    room: str,
    robots: Fleet,
    screen: str | None = "screen",
    lang: str | None = None,
    clock: Clock | None = None,
    run: str | None = None,
    known: Mapping[str, str] | None = None,
    on_event: Callable[[str, str | None, str | None, dict[str, Any]], None] | None = None,
) -> AsyncIterator[LessonRun]:
    """The lesson engine on the hub: teacher commands, controller input and the shared screen
    over MQTT, robots through ``robots``. Yields once everything listens; the caller starts
    the lesson (``engine.start()``) and awaits ``run.engine`` finishing via :func:`finish`."""
    from kit.lesson import mqtt as lesson_mqtt
    from kit.lesson.engine import Engine

    clock = clock or SystemClock()
    run_id = run or f"{lesson.meta.id}-{clock.now():%Y%m%d-%H%M}"
    teacher = config.station_address(address, role="teacher", station=f"lesson-{room}", room=room)
    station = lesson_mqtt.station_for(teacher, room, run=run_id, clock=clock,
                                      screen=screen,
                                      outbox=config.home() / f"outbox-{room}-lesson.db")
    async with station:
        await station.connected()
        counts: dict[str, int] = {}

        class Sink(lesson_mqtt.StationSink):
            async def record(self, kind: str, *, pupil: str | None = None,
                             team: str | None = None, data: Any = None) -> None:
                await super().record(kind, pupil=pupil, team=team, data=data)
                counts[kind] = counts.get(kind, 0) + 1
                if on_event is not None:
                    on_event(kind, pupil, team, dict(data or {}))

        link = lesson_mqtt.ScreenLink(station, screen, lang=lang) if screen else None
        engine = Engine(lesson, clock=clock, sink=Sink(station), robots=robots.get,
                        screen=link)
        if known:
            engine.roster.known = dict(known)
        out = LessonRun(engine, station, counts)
        listener = asyncio.create_task(lesson_mqtt.listen(station, engine, link,
                                                          present=out.present),
                                       name="lesson-listen")
        try:
            yield out
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(station.flushed(), 30)


async def look_around(address: BrokerAddress, room: str, *, seconds: float = 1.5
                      ) -> dict[str, str] | None:
    """Every station's retained presence in ``room`` (the screen, gateways, controllers), or
    None when no broker answers at ``address``."""
    me = config.station_address(address, role="teacher", station=f"lesson-{room}", room=room)
    for attempt in range(20):
        found = await _look(me, room, seconds)
        if found is not None or attempt == 19:
            return found
        # A credential made a moment ago reaches Mosquitto when the hub reloads its password
        # file (a fraction of a second); until then the broker refuses it.
        await asyncio.sleep(0.25)
    return None


async def _look(me: BrokerAddress, room: str, seconds: float) -> dict[str, str] | None:
    import json

    import aiomqtt

    from kit.link import mqtt

    found: dict[str, str] = {}
    try:
        async with mqtt.client(me) as client:
            await client.subscribe(topics.all_station_states(room), qos=1)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    async for m in client.messages:
                        parsed = topics.parse(str(m.topic))
                        try:
                            state = json.loads(bytes(m.payload)).get("state")
                        except (ValueError, AttributeError, TypeError):
                            continue
                        if parsed is not None and parsed.station and isinstance(state, str):
                            found[parsed.station] = state
    except (aiomqtt.MqttError, OSError):
        return None
    return found
