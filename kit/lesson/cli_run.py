"""``kit lesson run``: preflight, then the engine with its adapters (MQTT, keyboard, sim)."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys
from datetime import UTC, datetime
from typing import Any

from kit.lesson import schema
from kit.lesson.console import keyboard


def preflight(lesson: schema.Lesson, *, robots: int, controllers: int) -> list[str]:
    """What is missing before the lesson can start, in words for the teacher."""
    missing = []
    if robots < lesson.requires.robots:
        missing.append(f"robots: {robots} found, the lesson needs {lesson.requires.robots}")
    if controllers < lesson.requires.controllers:
        missing.append(f"controllers: {controllers} found, the lesson needs "
                       f"{lesson.requires.controllers}")
    for name in lesson.requires.activities:
        module = f"kit.activities.{name.replace('-', '_')}"
        if importlib.util.find_spec(module) is None:
            missing.append(f"activity '{name}' is not installed in this kit yet")
    return missing


def run_command(args: argparse.Namespace) -> int:
    from kit.cli import _common
    from kit.lesson.check import load_lesson

    _common.setup_logging(args.verbose)
    lesson = load_lesson(args.file)
    if not args.sim:
        print("kit lesson run: real robots and controllers are not connected in this version; "
              "rehearse with --sim", file=sys.stderr)
        return 2
    missing = preflight(lesson, robots=0, controllers=0)
    for m in missing:
        print(f"preflight: {m} -> using a simulated stand-in", file=sys.stderr)
    return asyncio.run(_rehearse(lesson, args))


async def _rehearse(lesson: schema.Lesson, args: argparse.Namespace) -> int:
    from kit.clock import FakeClock
    from kit.config import BrokerAddress, station_address
    from kit.hub.service import HubSettings, free_port, run_hub
    from kit.lesson import mqtt as lesson_mqtt
    from kit.lesson.engine import Engine
    from kit.lesson.sim import SimPupils, SimRobots

    lang = "en"
    settings = HubSettings(broker="embedded", port=free_port(), recorder=False,
                           retention_days=None)
    ready: asyncio.Future[BrokerAddress] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    hub = asyncio.create_task(run_hub(settings, on_ready=ready.set_result, stop=stop))
    address = await asyncio.wait_for(ready, 30)
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    room = args.room
    station = lesson_mqtt.station_for(station_address(address, role="teacher",
                                                      station=f"lesson-{room}", room=room), room,
                                      run=f"{lesson.meta.id}-rehearsal", clock=clock)

    def show(kind: str, pupil: str | None, team: str | None, data: dict[str, Any]) -> None:
        t = int(clock.monotonic())
        if kind == "step" and data.get("action") == "start":
            s = lesson.steps[data["index"]]
            title = (s.title or getattr(s, "text", None) or getattr(s, "question", None)
                     or getattr(s, "prompt", None) or {})
            print(f"[{t // 60:3d}:{t % 60:02d}] step {data['index'] + 1}/{len(lesson.steps)} "
                  f"{s.id} ({s.type}): {title.get(lang, '')}")
        elif kind in ("lesson", "robot-lost", "robot-back"):
            print(f"[{t // 60:3d}:{t % 60:02d}] {kind} {data.get('action', team or '')}")

    class Sink(lesson_mqtt.StationSink):
        counts: dict[str, int] = {}  # noqa: RUF012

        async def record(self, kind: str, *, pupil: str | None = None, team: str | None = None,
                         data: Any = None) -> None:
            await super().record(kind, pupil=pupil, team=team, data=data)
            self.counts[kind] = self.counts.get(kind, 0) + 1
            show(kind, pupil, team, dict(data or {}))

    async with station:
        await station.connected()
        sink = Sink(station)
        engine = Engine(lesson, clock=clock, sink=sink, robots=SimRobots(), rehearse=True)
        pupils = SimPupils(args.pupils or max(lesson.requires.controllers, 8), engine.state,
                           clock=clock)
        run = asyncio.create_task(engine.run(), name="engine")
        feed = asyncio.create_task(engine.feed(pupils), name="pupils")
        cmds = asyncio.create_task(lesson_mqtt.commands(station, engine), name="commands")
        keys = (asyncio.create_task(keyboard(engine), name="keyboard")
                if sys.stdin.isatty() else None)
        await clock.advance(0)
        await engine.start()
        scale = 0.0 if args.fast else 1.0 / max(args.speed, 0.001)
        while not run.done():
            await clock.advance(1)
            if scale:
                await asyncio.sleep(scale)
        for t in (feed, cmds, keys):
            if t is not None:
                t.cancel()
        await station.flushed()
        counts = sink.counts
    stop.set()
    await hub
    print(f"rehearsal finished: {len(engine.roster.seats)} pupils in {len(engine.roster.teams)} "
          f"teams; events: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0
