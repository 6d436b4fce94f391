"""kit teacher"""

from __future__ import annotations

import argparse

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="make (or reset) a teacher's dashboard login")
    add.add_argument("name", help="login name, e.g. ozola")
    add.add_argument("--display", default="",
                     help="the name shown on notes and plans, e.g. 'Ms Ozola'")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of asking")
    sub.add_parser("list", help="the teachers who can log in")
    rm = sub.add_parser("remove", help="remove a teacher's login")
    rm.add_argument("name")


def run(args: argparse.Namespace) -> int:
    import getpass
    import sys

    from kit.clock import SystemClock
    from kit.errors import ConfigError
    from kit.hub.store import open_store
    from kit.protocol.envelope import format_ts
    from kit.web import auth

    store = open_store(_common.store_url(args.store))
    try:
        if args.action == "add":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"password for {args.name}: ")
                if getpass.getpass("again: ") != password:
                    raise ConfigError("the two passwords differ; nothing was changed")
            t = auth.add_teacher(store, args.name, password, display=args.display or args.name,
                                 now=format_ts(SystemClock().now()))
            print(f"{t.name} ({t.display}) can log in to the dashboard")
        elif args.action == "list":
            for t in auth.teachers(store):
                print(f"{t.name}\t{t.display}")
        else:
            if not auth.remove_teacher(store, args.name):
                print(f"there is no teacher {args.name!r}")
                return 1
            print(f"removed {args.name}")
    finally:
        store.close()
    return 0
