"""kit screen: the shared screen of a lesson (the projector or the class's big display)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kit.cli._common import add_classroom, add_verbose, setup_logging


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_classroom(p)
    p.add_argument("--station", default=None, help="this screen's station id (default: screen)")
    p.add_argument("--lang", default=None, help="language: en lt lv pl it es bg")
    p.add_argument("--window", default=None, metavar="WxH",
                   help="a window of this size instead of full screen, e.g. 1280x720")
    p.add_argument("--headless", action="store_true",
                   help="no display at all (checks, servers); pair with --screenshots")
    p.add_argument("--screenshots", type=Path, default=None,
                   help="save a PNG here when each activity ends, and at exit")
    p.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    add_verbose(p)


def run(args: argparse.Namespace) -> int:
    import asyncio

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from kit.activities.shared_screen import ScreenOptions
    from kit.classroom import compose
    from kit.classroom.lesson_cli import broker_address
    from kit.classroom.setup import load_classroom
    from kit.errors import ConfigError
    from kit.protocol.ids import check_id

    setup_logging(args.verbose)
    classroom = load_classroom(args.classroom)
    size = None
    if args.window:
        try:
            w, h = (int(v) for v in args.window.lower().split("x"))
        except ValueError as e:
            raise ConfigError(f"--window {args.window!r}: write WIDTHxHEIGHT, e.g. 1280x720") from e
        size = (w, h)
    elif args.headless:
        size = (1920, 1080)
    else:
        size = classroom.screen.window
    room = check_id(args.room or classroom.room, "room")
    station = args.station or classroom.screen.station
    opts = ScreenOptions(room=room, station=station, lang=args.lang or classroom.screen.language,
                         headless=args.headless, size=size, screenshots=args.screenshots,
                         seconds=args.seconds)
    address = broker_address(args.broker, classroom)
    print(f"kit screen: {station} in {room} on {address.url}; close the window or Ctrl-C to stop",
          flush=True)
    screen = asyncio.run(compose.run_screen(address, opts))
    print(f"kit screen: stopped after {screen.ended} activities and {screen.inputs} presses",
          flush=True)
    return 0
