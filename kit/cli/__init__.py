"""The ``kit`` command. Each subcommand lives in its own module under ``kit.cli`` with
``add_arguments(parser)`` and ``run(args) -> int``; only the chosen one is imported, so
``kit --help`` stays fast (no pygame, bleak or broker imports)."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NamedTuple

from kit import __version__


class Command(NamedTuple):
    module: str
    help: str


COMMANDS: dict[str, Command] = {
    "demo": Command("kit.cli.demo", "run a simulated classroom, then show who took part"),
    "hub": Command("kit.cli.hub", "run the classroom hub: broker and participation recorder"),
    "report": Command("kit.cli.report", "participation report per pupil and lesson run"),
    "pupil": Command("kit.cli.pupil", "the roster: add names, list, forget a pupil"),
    "lesson": Command("kit.cli.lesson", "check, run and describe lesson scripts"),
    "activity": Command("kit.cli.activity", "run a group activity on the shared screen"),
    "screen": Command("kit.cli.screen", "the shared screen: shows the activities a lesson starts"),
    "gateway": Command("kit.cli.gateway", "bridge the radio gateway micro:bit to the hub"),
    "devices": Command("kit.cli.devices", "list micro:bits and robots, real and simulated"),
    "firmware": Command("kit.cli.firmware", "build and flash micro:bit firmware"),
    "badge": Command("kit.cli.badge", "Open Badges: award, list, verify, revoke, keys, export"),
    "xapi": Command("kit.cli.xapi", "xAPI learning records: export, send to an LRS, status"),
    "page": Command("kit.cli.page", "each pupil's own page: render, link, unlink, serve"),
    "note": Command("kit.cli.note", "write or read a teacher's observation about a pupil"),
    "flag": Command("kit.cli.flag", "early-warning flags: list, confirm, dismiss"),
    "plan": Command("kit.cli.plan", "individual support plans: risks, measures, status"),
    "stats": Command("kit.cli.stats", "school statistics across rooms, small counts hidden"),
    "teacher": Command("kit.cli.teacher", "teacher accounts for the dashboard"),
    "dashboard": Command("kit.cli.dashboard", "the facilitator's web dashboard"),
}


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kit",
        description="kit: the classroom robotics and creative-activity controller.",
        epilog="Run 'kit COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"kit {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, cmd in COMMANDS.items():
        sub.add_parser(name, help=cmd.help, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:
        parser = _top_parser()
        if not argv:
            parser.print_help()
            return 0
        parser.parse_args(argv)  # prints help, version or a usage error and exits
        return 2
    name, rest = argv[0], argv[1:]
    import os

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    cmd = COMMANDS[name]
    module = importlib.import_module(cmd.module)
    parser = argparse.ArgumentParser(prog=f"kit {name}", description=cmd.help)
    module.add_arguments(parser)
    args = parser.parse_args(rest)
    from kit.errors import KitError

    _stop_on_sigterm()
    try:
        return int(module.run(args) or 0)
    except KitError as e:
        print(f"kit {name}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"kit {name}: stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``kit devices --json | head``): nothing more to say.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _stop_on_sigterm() -> None:
    """``kill`` (or a service manager) stops a command the way Ctrl-C does: cleanly, with
    outboxes flushed and robots told to stop, instead of mid-write."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
