"""kit hub"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--broker", default="embedded",
                   help="'embedded' (default, built in), 'mosquitto' (kit starts it with a "
                        "config it writes), or the mqtt:// URL of a broker already running")
    p.add_argument("--host", default="127.0.0.1", help="address the broker listens on")
    p.add_argument("--port", type=int, default=1883, help="broker port (default 1883)")
    _common.add_store(p)
    p.add_argument("--retention-days", type=int, default=365,
                   help="delete events older than this many days (0 keeps them forever)")
    p.add_argument("--no-recorder", action="store_true", help="run the broker only")
    p.add_argument("--recorder-name", default="main",
                   help="recorder name; a restarted recorder resumes its queue by name")
    p.add_argument("--shared", action="store_true",
                   help="share the subscription with other recorders (MQTT 5 brokers)")
    p.add_argument("--progress", action="store_true",
                   help="print one JSON line per commit on standard output")
    p.add_argument("--dashboard", type=int, metavar="PORT",
                   help="also serve the teachers' web dashboard on this port")
    p.add_argument("--dashboard-host", default="127.0.0.1",
                   help="address the dashboard listens on (0.0.0.0 for the classroom network)")
    _common.add_verbose(p)


def run(args: argparse.Namespace) -> int:
    from kit.hub.recorder import RecorderStats
    from kit.hub.service import HubSettings, run_hub

    _common.setup_logging(args.verbose)
    settings = HubSettings(
        broker=args.broker, host=args.host, port=args.port, store=args.store,
        retention_days=args.retention_days or None, recorder=not args.no_recorder,
        recorder_name=args.recorder_name, shared=args.shared, count_total=args.progress,
        dashboard_port=args.dashboard, dashboard_host=args.dashboard_host)

    def ready(address: object) -> None:
        if args.progress:
            print(json.dumps({"ready": True}), flush=True)
        else:
            print(f"kit hub: ready on {settings.host}:{settings.port} "
                  f"({settings.broker} broker); Ctrl+C stops", file=sys.stderr, flush=True)

    def commit(stats: RecorderStats) -> None:
        if args.progress:
            print(json.dumps({"stored": stats.stored, "received": stats.received,
                              "rejected": stats.rejected, "total": stats.total}), flush=True)

    try:
        asyncio.run(run_hub(settings, on_ready=ready, on_commit=commit))
    except KeyboardInterrupt:
        return 0
    return 0
