"""kit xapi"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    e = sub.add_parser("export", help="write xAPI statements to a file and queue them for the LRS")
    e.add_argument("file", type=Path, help="JSON Lines file, one statement per line")
    s = sub.add_parser("send", help="send queued statements to the learning record store")
    s.add_argument("--lrs", default=os.environ.get("KIT_LRS", ""),
                   help="the LRS's xAPI address, e.g. https://lrs.school.example/xAPI "
                        "(or $KIT_LRS)")
    s.add_argument("--user", default=os.environ.get("KIT_LRS_USER"))
    s.add_argument("--batch", type=int, default=500)
    sub.add_parser("status", help="how many statements were sent and how many wait")


def run(args: argparse.Namespace) -> int:
    from kit.badges.issuer import Issuer
    from kit.clock import SystemClock
    from kit.errors import ConfigError
    from kit.hub.store import open_store
    from kit.xapi import outbox

    now = SystemClock().now()
    store = open_store(_common.store_url(args.store))
    try:
        if args.action == "export":
            from kit.xapi.export import export_xapi

            c = export_xapi(store, args.file, now, Issuer())
            print(f"wrote {c['statements']} statements to {args.file}; {c['queued']} new in "
                  "the outbox ('kit xapi send' sends them)")
        elif args.action == "send":
            if not args.lrs:
                raise ConfigError("say where the LRS is: --lrs https://.../xAPI (or $KIT_LRS); "
                                  "the password comes from $KIT_LRS_PASSWORD")
            import asyncio

            from kit.xapi.lrs import LrsClient, LrsConfig, flush

            config = LrsConfig(args.lrs, args.user, os.environ.get("KIT_LRS_PASSWORD"),
                               batch=args.batch)

            async def send() -> dict[str, int]:
                async with LrsClient(config) as client:
                    return await flush(store, client, now)

            c = asyncio.run(send())
            print(f"sent {c['sent']}; {c['pending']} still waiting"
                  + ("; the last try failed, see the log (-v) and try again later"
                     if c["failed"] else ""))
            return 1 if c["failed"] else 0
        else:
            c = outbox.counts(store)
            print(f"{c['sent']} sent, {c['pending']} waiting")
    finally:
        store.close()
    return 0
