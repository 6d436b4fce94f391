"""kit dashboard"""

from __future__ import annotations

import argparse
import os

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (0.0.0.0 for the classroom network)")
    p.add_argument("--port", type=int, default=8080, help="web port (default 8080)")
    p.add_argument("--broker", default=os.environ.get("KIT_BROKER", "mqtt://127.0.0.1:1883"),
                   help="the hub's broker for the live class, mqtt://host:port "
                        "(mqtt5:// for Mosquitto), or 'none'")
    p.add_argument("--room", default="+", help="only this room (default: every room)")
    _common.add_verbose(p)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import sys

    from kit.config import BrokerAddress
    from kit.web.app import DashboardSettings, serve

    _common.setup_logging(args.verbose)
    broker = None if args.broker == "none" else BrokerAddress.parse(args.broker)
    settings = DashboardSettings(host=args.host, port=args.port,
                                 store=_common.store_url(args.store), broker=broker,
                                 room=args.room)

    def ready(port: int) -> None:
        print(f"kit dashboard: http://{args.host}:{port}/ (teachers log in; add one with "
              f"'kit teacher add NAME'); Ctrl+C stops", file=sys.stderr, flush=True)

    async def main() -> None:
        from kit.classroom.web import extra_routes
        from kit.hub.store import AsyncStore

        async with AsyncStore(settings.store) as store:
            await serve(settings, on_ready=ready, store=store, routes=extra_routes(store))

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        return 0
    return 0
