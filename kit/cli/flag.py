"""kit flag"""

from __future__ import annotations

import argparse
import os

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = sub.add_parser("list", help="the flags raised so far (after a fresh look at the data)")
    ls.add_argument("--room")
    ls.add_argument("--pupil")
    ls.add_argument("--status", choices=("open", "confirmed", "dismissed"))
    for name, what in (("confirm", "you agree the flag shows something to act on"),
                       ("dismiss", "the flag does not need action (say why)"),
                       ("reopen", "undo a decision")):
        d = sub.add_parser(name, help=what)
        d.add_argument("id", help="the flag's id, e.g. f-74303f88")
        d.add_argument("--by", default=os.environ.get("KIT_TEACHER", ""),
                       help="who decides (default: $KIT_TEACHER)")
        d.add_argument("--reason", help="why (kept with the decision)")


def run(args: argparse.Namespace) -> int:
    from kit.clock import SystemClock
    from kit.hub.store import open_store
    from kit.insight import flags
    from kit.protocol.envelope import format_ts

    now = format_ts(SystemClock().now())
    store = open_store(_common.store_url(args.store))
    try:
        if args.action == "list":
            flags.refresh(store, now)
            names = store.names()
            found = flags.flags(store, room=args.room, pupil=args.pupil, status=args.status)
            if not found:
                print("no flags")
            for f in found:
                who = f"{names[f.pupil]} ({f.pupil})" if f.pupil in names else f.pupil
                print(f"{f.id} [{f.status}] {who}: {f.rule_text}\n    {f.detail}")
            return 0
        status = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "open"}[args.action]
        f = flags.decide(store, args.id, status, by=args.by, now=now, reason=args.reason)
        print(f"flag {f.id} about {f.pupil} is now {f.status} ({f.decided_by})")
    finally:
        store.close()
    return 0
