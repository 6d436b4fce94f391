"""kit demo: the whole simulated classroom, then the report.

An embedded hub; a gateway micro:bit and a micro:bit per pupil, all running the real firmware
over pseudo-terminals and a simulated radio; a simulated robot per team on a simulated
Bluetooth link; a shipped lesson with its activities on the shared screen; pretend pupils with
their own habits pressing their buttons. Everything travels the way it does in a classroom.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kit.cli import _common

LESSONS = ("pixel-mural-together", "robot-relay-maze", "story-chain-rescue",
           "class-orchestra-robots")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--weeks", type=int, default=1,
                   help="weekly lessons to play, one after the other (e.g. 8 for trends)")
    p.add_argument("--fast", action="store_true", help="play each lesson about 60 times faster")
    p.add_argument("--speed", type=float, default=20.0,
                   help="how many times faster than real time (default 20: a 45-minute "
                        "lesson in about 2 minutes)")
    p.add_argument("--teams", type=int, default=6, help="teams of four pupils (default 6)")
    p.add_argument("--lesson", type=Path, action="append", default=[],
                   help="lesson file to play (repeatable; default: the shipped lessons in turn)")
    p.add_argument("--headless", action="store_true",
                   help="no window even if there is a display (screenshots instead)")
    p.add_argument("--store", default="",
                   help="store URL (default: a fresh demo.db in the data directory)")
    p.add_argument("--csv", type=Path, help="also write the report as CSV to this file")
    _common.add_verbose(p)


def run(args: argparse.Namespace) -> int:
    import asyncio

    _common.setup_logging(args.verbose)
    if args.weeks < 1 or args.teams < 1:
        from kit.errors import ConfigError

        raise ConfigError("--weeks and --teams must be at least 1")
    return asyncio.run(_demo(args))


def _facilitator(store: Any, room: str, weeks: int, pupils: Sequence[Any]) -> None:
    """After the lessons: the weeks side by side, the early-warning signals, and the badges
    each pupil earned (credentials, Open Badges 2.0 and xAPI written beside the store)."""
    from datetime import UTC, datetime

    from kit import config
    from kit.classroom.run import say
    from kit.cli.report import render_signals, render_weeks
    from kit.insight.report import Scope, build
    from kit.protocol.envelope import format_ts
    from kit.recognition import recognise

    now = datetime.now(UTC)
    report = build(store, Scope(room=room), now=format_ts(now))
    if weeks > 1:
        render_weeks(report)
    render_signals(report)
    out = config.home() / "demo-recognition"
    counts = recognise(store, out, now)
    print("recognition: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f" (in {out})",
          flush=True)
    drifting = [getattr(p, "name", "") for p in pupils
                if getattr(getattr(p, "habit", None), "name", "") == "drifting"]
    if drifting:
        say(f"(the pretend class has one pupil drifting away: {drifting[0]})")


def _lesson_files(args: argparse.Namespace) -> list[Path]:
    if args.lesson:
        return list(args.lesson)
    from kit.lesson.library import shipped

    return [shipped(name) for name in LESSONS]


async def _demo(args: argparse.Namespace) -> int:
    import asyncio
    import contextlib
    import time
    from datetime import UTC, datetime, timedelta

    from kit import config
    from kit.activities.shared_screen import ScreenOptions
    from kit.classroom import compose
    from kit.classroom.run import Plan, run_lesson, say
    from kit.cli.report import render
    from kit.hub.recorder import RecorderStats
    from kit.hub.report import participation
    from kit.hub.service import HubSettings, free_port
    from kit.hub.store import open_store
    from kit.lesson.check import load_lesson
    from kit.lesson.roster import TEAM_NAMES
    from kit.protocol.envelope import format_ts
    from kit.sim.classlist import class_list

    t0 = time.monotonic()
    room = "room-demo"
    store_url = args.store
    if not store_url:
        db = config.home() / "demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        store_url = f"sqlite:///{db}"
    for old in config.home().glob(f"outbox-{room}-*.db*"):
        old.unlink()
    lessons = [load_lesson(f) for f in _lesson_files(args)]
    pupils = class_list(args.teams, 4)
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=7 * (args.weeks - 1) + today.weekday())
    store = open_store(store_url)
    try:
        for p in pupils:  # names stay on the hub; only pseudonyms travel
            store.set_name(p.pseudonym, p.name, room, format_ts(first))
    finally:
        store.close()
    window = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) \
        and not args.headless
    shots = config.home() / "demo-screens"
    all_in = asyncio.Event()


    def on_commit(stats: RecorderStats) -> None:
        all_in.set()  # something new is in the store: look again

    speed = 60.0 if args.fast else args.speed
    settings = HubSettings(broker="embedded", port=free_port(), store=store_url,
                           retention_days=None, recorder_name="demo")
    say(f"kit demo: {len(pupils)} pupils in {args.teams} teams, {args.weeks} weekly "
        f"lesson{'s' if args.weeks > 1 else ''}, {speed:g}x real time; "
        f"{'a window' if window else f'screenshots in {shots}'}")
    sent = 0
    made = recorded = 0
    ok = True
    async with compose.hub_here(settings, on_commit=on_commit) as address:
        for week in range(1, args.weeks + 1):
            lesson = lessons[(week - 1) % len(lessons)]
            steps = len(lesson.steps)
            started = time.monotonic()

            def progress(kind: str, pupil: str | None, team: str | None, data: dict[str, object],
                         week: int = week, lesson: object = lesson, steps: int = steps) -> None:
                if kind == "step" and data.get("action") == "start":
                    index = int(str(data.get("index", 0)))
                    say(f"  week {week} step {index + 1}/{steps}: {data.get('step')} "
                        f"({data.get('type')})")

            say(f"week {week}: {lesson.meta.id}")
            plan = Plan(
                lesson=lesson, room=room, broker=address, pupils=pupils,
                robots=dict.fromkeys(TEAM_NAMES[:args.teams]),
                screen=ScreenOptions(room=room, headless=not window,
                                     size=(1280, 720) if window else (1920, 1080),
                                     screenshots=None if window else shots / f"week-{week}"),
                speed=speed, start=first + timedelta(days=7 * (week - 1)), week=week,
                autostart=True, sim_teacher=True, on_event=progress,
                run_id=f"{lesson.meta.id}-week-{week}")
            out = await run_lesson(plan)
            sent += sum(out.counts.values()) + int(out.screen.get("recorded", 0))
            made += out.presses_made
            recorded += out.presses_recorded
            here = sum(1 for p in pupils if p.habit.attends(week))
            say(f"week {week}: {out.status} in {time.monotonic() - started:.0f} s; "
                f"{out.seats} of {here} pupils seated, {out.presses_made} presses made, "
                f"{out.presses_recorded} recorded; screen: {out.screen.get('activities_ended')}"
                f" activities; robots moved: {sum(1 for d in out.travelled.values() if d > 0)}"
                f" of {len(out.travelled)}")
            if out.failed or out.presses_made != out.presses_recorded:
                ok = False
        # Every event the lesson and the screen recorded must be in the store (the gateway's
        # health events come on top of them).
        ours = {f"lesson-{room}", "screen"}
        deadline = time.monotonic() + 60
        while True:
            store = open_store(store_url)
            try:
                events = store.events(room=room)
            finally:
                store.close()
            stored = sum(1 for e in events if e.station in ours)
            if stored >= sent or time.monotonic() > deadline:
                break
            all_in.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_in.wait(), 5)
    health = sum(1 for e in events if e.kind == "health")
    store = open_store(store_url)
    try:
        lines = participation(store.events(room=room), store.names())
        render(lines)
        _facilitator(store, room, args.weeks, pupils)
    finally:
        store.close()
    print(f"presses: {made} made by the pretend pupils, {recorded} recorded; events: {sent} "
          f"sent by the lesson and the screen, {stored} stored by the hub (and {health} health "
          f"reports from the gateway); {time.monotonic() - t0:.0f} s in all", flush=True)
    if args.csv:
        from kit.hub.report import to_csv

        args.csv.write_text(to_csv(lines))
        say(f"wrote {args.csv}")
    return 0 if ok and stored == sent and made == recorded else 1

