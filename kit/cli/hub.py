"""kit hub"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--broker", default="auto",
                   help="'auto' (default: Mosquitto when installed, else embedded), 'embedded' "
                        "(built in), 'mosquitto' (kit starts it with a config it writes), or "
                        "the mqtt:// URL of a broker already running")
    p.add_argument("--host", default="127.0.0.1",
                   help="address the broker listens on (0.0.0.0 for the school network: "
                        "add --tls-port)")
    p.add_argument("--port", type=int, default=1883, help="broker port (default 1883)")
    p.add_argument("--tls-port", type=int, default=None,
                   help="also listen with TLS on this port (e.g. 8883), with a certificate kit "
                        "makes (stations trust tls/ca.pem in the data directory) or the "
                        "school's (--tls-cert, --tls-key)")
    p.add_argument("--tls-cert", default=None, help="the school's certificate file (PEM)")
    p.add_argument("--tls-key", default=None, help="its private key file (PEM)")
    _common.add_store(p)
    p.add_argument("--retention-days", type=int, default=365,
                   help="delete events older than this many days (0 keeps them forever)")
    p.add_argument("--no-recorder", action="store_true", help="run the broker only")
    p.add_argument("--recorder-name", default="main",
                   help="recorder name; a restarted recorder resumes its queue by name")
    p.add_argument("--shared", action="store_true",
                   help="share the subscription with other recorders (MQTT 5 brokers)")
    p.add_argument("--progress", action="store_true",
                   help="print JSON lines on standard output: one when ready (with the "
                        "store's event count), then one per commit")
    p.add_argument("--dashboard", type=int, metavar="PORT",
                   help="also serve the teachers' web dashboard on this port")
    p.add_argument("--dashboard-host", default="127.0.0.1",
                   help="address the dashboard listens on (0.0.0.0 for the classroom network)")
    p.add_argument("--status-every", type=float, default=5.0, metavar="S",
                   help="say what the hub is doing every S seconds (0: never)")
    _common.add_verbose(p)


def run(args: argparse.Namespace) -> int:
    from kit.errors import KitError
    from kit.hub.recorder import RecorderStats
    from kit.hub.service import HubSettings, HubStatus, run_hub

    _common.setup_logging(args.verbose)
    from kit.classroom import erasure

    erasure.register()  # the retention sweep removes the roll-ups made from old events too
    settings = HubSettings(
        broker=args.broker, host=args.host, port=args.port, store=args.store,
        retention_days=args.retention_days or None, recorder=not args.no_recorder,
        recorder_name=args.recorder_name, shared=args.shared, count_total=args.progress,
        dashboard_port=args.dashboard, dashboard_host=args.dashboard_host,
        tls_port=args.tls_port, tls_cert=args.tls_cert, tls_key=args.tls_key)
    status = HubStatus()

    def say(text: str) -> None:
        print(f"kit hub: {text}", file=sys.stderr, flush=True)

    def ready(address: object) -> None:
        if args.progress:
            r = status.recorder
            print(json.dumps({"ready": True, **({"total": r.total} if r and r.total is not None
                                                 else {})}), flush=True)
        tls = f", TLS on port {settings.tls_port}" if settings.tls_port else ""
        where = settings.broker if "://" in settings.broker else f"{settings.host}:{settings.port}"
        say(f"ready on {where} ({status.broker} broker{tls}); "
            "Ctrl+C stops")

    def commit(stats: RecorderStats) -> None:
        if args.progress:
            print(json.dumps({"stored": stats.stored, "received": stats.received,
                              "rejected": stats.rejected, "total": stats.total}), flush=True)

    async def main() -> None:
        task = asyncio.create_task(run_hub(settings, on_ready=ready, on_commit=commit,
                                           status=status))
        if args.status_every > 0:
            reporter = asyncio.create_task(_report(status, args.status_every, say))
            task.add_done_callback(lambda _: reporter.cancel())
        await task

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    except KitError as e:
        say(str(e))
        return 1
    finally:
        r = status.recorder
        say("stopped" + (f" ({r.stored} events recorded, {r.rejected} rejected)" if r else ""))
    return 0


async def _report(status: object, every: float, say: object) -> None:
    from kit.hub.service import HubStatus

    assert isinstance(status, HubStatus) and callable(say)
    last = -1
    while True:
        await asyncio.sleep(every)
        r = status.recorder
        if r is None:
            continue
        new = r.stored - max(last, 0)
        last = r.stored
        trouble = f", {r.store_errors} store errors (retrying)" if r.store_errors else ""
        say(f"{status.stations} stations online, {r.stored} events recorded "
            f"(+{new} in {every:g}s), {r.rejected} rejected{trouble}")
