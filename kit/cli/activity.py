"""kit activity: list the group activities, or run one on the shared screen."""

from __future__ import annotations

import argparse

from kit.cli._common import add_broker, add_room, add_verbose, setup_logging


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="the activities and their settings")
    r = sub.add_parser("run", help="run an activity on this screen")
    r.add_argument("name", help="activity name (see 'kit activity list')")
    add_room(r)
    add_broker(r)
    add_verbose(r)
    r.add_argument("--station", default=None,
                   help="this screen's station id (default: the activity name)")
    r.add_argument("--players", type=int, default=4, help="how many simulated pupils (--sim)")
    r.add_argument("--sim", action="store_true",
                   help="simulated pupils and no hub: rehearse without micro:bits")
    r.add_argument("--lang", default="en", help="language of the screen: en lt lv pl it es bg")
    r.add_argument("--headless", action="store_true", help="no window (for checks and servers)")
    r.add_argument("--window", action="store_true",
                   help="a window instead of full screen (default size 1280x720)")
    r.add_argument("--size", default=None,
                   help="WIDTHxHEIGHT, e.g. 1920x1080 (default: the display's own size in full "
                        "screen, 1280x720 in a window, 1920x1080 headless)")
    r.add_argument("--mute", action="store_true", help="no sound")
    r.add_argument("--screenshot", default=None, help="save the last frame as a PNG here")
    r.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    r.add_argument("--start-after", type=float, default=2.0,
                   help="with --sim: start the game after this many seconds of lobby")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="an activity setting, e.g. --set rounds=2 (repeatable)")


def _params(name: str, pairs: list[str]) -> object:
    import json

    from kit.activities import catalog
    from kit.errors import ConfigError

    model = catalog.params_model(name)
    if model is None:
        catalog.activity_class(name)  # raises with a suggestion
        raise AssertionError
    raw: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"--set {pair!r}: write KEY=VALUE, e.g. --set rounds=2")
        try:
            raw[key] = json.loads(value)
        except ValueError:
            raw[key] = value
    from pydantic import ValidationError

    try:
        return model(**raw)
    except ValidationError as e:
        raise ConfigError(f"settings for {name}: {e}") from e


def run(args: argparse.Namespace) -> int:
    from kit.activities import catalog

    if args.action == "list":
        for name in catalog.names():
            model = catalog.params_model(name)
            assert model is not None
            fields = ", ".join(f"{k}={v.get_default(call_default_factory=True)!r}"
                               for k, v in model.model_fields.items())
            print(f"{name:16} {fields}")
        return 0
    import asyncio
    import os

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from kit.activities.app import App, AppOptions
    from kit.errors import ConfigError

    setup_logging(args.verbose)
    size: tuple[int, int] | None = None
    if args.size is not None:
        try:
            w, h = (int(v) for v in args.size.lower().split("x"))
        except ValueError as e:
            raise ConfigError(f"--size {args.size!r}: write WIDTHxHEIGHT, e.g. 1920x1080") from e
        if w < 320 or h < 180:
            raise ConfigError(f"--size {args.size!r}: at least 320x180, e.g. 1920x1080")
        size = (w, h)
    params = _params(args.name, args.set)
    if args.headless and args.seconds is None:
        args.seconds = 5.0
    opts = AppOptions(name=args.name, room=args.room, station=args.station or args.name,
                      broker=None if args.sim else args.broker, players=args.players,
                      sim=args.sim, lang=args.lang, headless=args.headless, size=size,
                      window=args.window, sound=not args.mute,
                      screenshot=args.screenshot, seconds=args.seconds,
                      start_after=args.start_after)
    app = App(opts, params)  # type: ignore[arg-type]
    asyncio.run(app.run())
    if args.screenshot:
        print(f"screenshot saved to {args.screenshot}")
    return 0
