"""``kit lesson run``: a lesson in a real classroom (devices found on the hub, a simulated
stand-in offered for each one missing) or, with ``--sim``, a rehearsal of the whole classroom.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from typing import TYPE_CHECKING, Any

from kit.classroom.run import Outcome, Plan, run_lesson, say

if TYPE_CHECKING:
    from kit.classroom.setup import Classroom
    from kit.lesson.schema import Lesson


def run(args: argparse.Namespace) -> int:
    from kit.classroom.setup import load_classroom
    from kit.lesson.check import load_lesson
    from kit.protocol.ids import check_id

    classroom = load_classroom(args.classroom)
    lesson = load_lesson(args.file)
    room = check_id(args.room or classroom.room, "room")
    if args.sim:
        return asyncio.run(_rehearse(lesson, classroom, room, args))
    return asyncio.run(_teach(lesson, classroom, room, args))


def _progress(lesson: Lesson) -> Any:
    def show(kind: str, pupil: str | None, team: str | None, data: dict[str, Any]) -> None:
        if kind == "step" and data.get("action") == "start":
            index = int(data.get("index", 0))
            step = lesson.steps[index]
            title = step.title or getattr(step, "text", None) or {}
            text = title.get("en") or next(iter(title.values()), "") if title else ""
            say(f"step {index + 1}/{len(lesson.steps)} {step.id} ({step.type}): {text}")
        elif kind == "lesson":
            say(f"lesson {data.get('action')}")
        elif kind in ("robot-lost", "robot-back"):
            say(f"{kind} (team {team})")
    return show


def _report(out: Outcome, store_hint: str | None = None) -> int:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(out.counts.items()))
    say(f"lesson {out.status}: {out.seats} pupils seated; events recorded: {counts}")
    for team, metres in sorted(out.travelled.items()):
        say(f"robot of team {team} (simulated) travelled {metres:.2f} m")
    if out.screen:
        say(f"shared screen: {out.screen.get('activities_ended', 0)} activities ended, "
            f"{out.screen.get('inputs', 0)} presses seen")
    if store_hint:
        say(store_hint)
    if out.failed:
        say(f"the lesson stopped: {out.failed}; every robot was told to stop")
        return 1
    return 0


async def _rehearse(lesson: Lesson, classroom: Classroom, room: str,
                    args: argparse.Namespace) -> int:
    """Everything simulated here, recorded into a rehearsal store of its own."""
    from kit import config
    from kit.activities.shared_screen import ScreenOptions
    from kit.hub.service import HubSettings, free_port
    from kit.lesson.roster import TEAM_NAMES
    from kit.sim.classlist import class_list

    pupils_wanted = args.pupils or max(lesson.requires.controllers, 4)
    size = lesson.teams.size
    teams = max(1, math.ceil(pupils_wanted / size))
    pupils = class_list(teams, size)[:pupils_wanted]
    db = config.home() / "rehearsal.db"
    plan = Plan(
        lesson=lesson, room=room,
        hub=HubSettings(broker="embedded", port=free_port(), store=f"sqlite:///{db}",
                        retention_days=None, recorder_name="rehearsal"),
        pupils=pupils, robots=dict.fromkeys(TEAM_NAMES[:teams]),
        screen=ScreenOptions(room=room, station=classroom.screen.station, headless=True,
                             size=(1920, 1080), lang=classroom.screen.language),
        screen_id=classroom.screen.station, lang=classroom.screen.language,
        speed=60.0 if args.fast else args.speed, autostart=True, sim_teacher=True,
        on_event=_progress(lesson), run_id=f"{lesson.meta.id}-rehearsal")
    say(f"rehearsing {lesson.meta.id}: {len(pupils)} simulated pupils, {teams} simulated "
        f"robots, {plan.speed:g}x real time")
    out = await run_lesson(plan)
    return _report(out, f"rehearsal finished; its events are in {db} "
                        f"(kit report --store sqlite:///{db})")


async def _teach(lesson: Lesson, classroom: Classroom, room: str,
                 args: argparse.Namespace) -> int:
    """The real classroom: the hub, gateway and screen run as their own commands; robots are
    those named in the classroom set-up. Each device missing gets a stand-in if the teacher
    agrees (``--stand-ins`` agrees in advance)."""
    from kit import config
    from kit.activities.shared_screen import ScreenOptions
    from kit.classroom import compose

    address = broker_address(args.broker, classroom)
    found = await compose.look_around(address, room)
    if found is None:
        say(f"kit lesson run: no hub answers at {address.url}; start 'kit hub' first "
            "(or give --broker)")
        return 2
    screen_id = classroom.screen.station
    controllers = sorted(s for s, state in found.items()
                         if s.startswith("mb-") and state in ("joined", "online"))
    gateways = [s for s, state in found.items() if s.startswith("gateway")
                and state == "online"]
    robots: dict[str, str | None] = dict(classroom.robots)
    teams_needed = lesson.requires.robots
    say(f"preflight in {room}: {len(controllers)} controllers, "
        f"{'a gateway' if gateways else 'no gateway'}, "
        f"{'the shared screen' if found.get(screen_id) == 'online' else 'no shared screen'}, "
        f"{len(robots)} robots named in the classroom set-up")
    pupils = []
    if not gateways and lesson.requires.controllers and _agree(
            args, "no gateway micro:bit is bridged to the hub ('kit gateway')",
            f"{lesson.requires.controllers} simulated micro:bits and pupils"):
        from kit.sim.classlist import class_list

        n = lesson.requires.controllers
        pupils = class_list(math.ceil(n / lesson.teams.size), lesson.teams.size)[:n]
    screen = None
    if found.get(screen_id) != "online" and lesson.requires.activities and _agree(
            args, f"no shared screen is running ('kit screen', station {screen_id})",
            "a shared screen in this process"):
        import os

        window = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        screen = ScreenOptions(room=room, station=screen_id, headless=not window,
                               size=None if window else (1920, 1080),
                               lang=classroom.screen.language,
                               screenshots=None if window else config.home() / "screens")
    from kit.lesson.roster import TEAM_NAMES

    for team in TEAM_NAMES[:teams_needed]:
        if team not in robots and _agree(args, f"no robot is set up for team {team}",
                                         "a simulated robot"):
            robots[team] = None
    plan = Plan(lesson=lesson, room=room, broker=address, pupils=pupils, robots=robots,
                screen=screen, screen_id=screen_id, lang=classroom.screen.language,
                speed=args.speed, keyboard=True, on_event=_progress(lesson),
                known=dict(classroom.microbits),
                autostart=bool(pupils), sim_teacher=False)
    say("the lesson waits for the teacher: press s (or send start from the dashboard)")
    out = await run_lesson(plan)
    return _report(out)


def _agree(args: argparse.Namespace, missing: str, stand_in: str) -> bool:
    if args.stand_ins:
        say(f"preflight: {missing} -> using {stand_in}")
        return True
    if not sys.stdin.isatty():
        say(f"preflight: {missing}; going on without it (--stand-ins would use {stand_in})")
        return False
    answer = input(f"preflight: {missing}. Use {stand_in} instead? [Y/n] ").strip().lower()
    return answer in ("", "y", "yes")


def broker_address(arg: str | None, classroom: Classroom) -> Any:
    """The hub's broker from ``--broker``, else from the classroom set-up (each part logs in
    with a credential of its own, see :func:`kit.config.station_address`)."""
    from kit.config import BrokerAddress

    if arg:
        base = BrokerAddress.parse(arg)
    elif classroom.hub.broker.startswith("mqtt"):
        base = BrokerAddress.parse(classroom.hub.broker)
    else:
        base = BrokerAddress("127.0.0.1", classroom.hub.port,
                             protocol="5" if classroom.hub.broker == "mosquitto" else "3.1.1")
    return base
