"""kit demo"""

from __future__ import annotations

import argparse
from pathlib import Path

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--teams", type=int, default=6, help="teams (one station each)")
    p.add_argument("--team-size", type=int, default=4, help="pupils per team")
    p.add_argument("--minutes", type=int, default=45, help="length of the pretend lesson")
    p.add_argument("--store", default="",
                   help="store URL (default: a fresh demo.db in the data directory)")
    p.add_argument("--csv", type=Path, help="also write the report as CSV to this file")
    _common.add_verbose(p)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from kit.cli.report import render

    _common.setup_logging(args.verbose)
    lines, sent, stored = asyncio.run(_demo(args))
    render(lines)
    print(f"{sent} events sent by {args.teams} simulated stations, {stored} recorded by the hub.")
    if args.csv:
        from kit.hub.report import to_csv

        args.csv.write_text(to_csv(lines))
        print(f"wrote {args.csv}")
    return 0 if sent == stored else 1


async def _demo(args: argparse.Namespace) -> tuple[list, int, int]:  # type: ignore[type-arg]
    import asyncio
    from datetime import UTC, datetime

    from rich.console import Console

    from kit import config
    from kit.config import BrokerAddress
    from kit.hub.recorder import RecorderStats
    from kit.hub.report import participation
    from kit.hub.service import HubSettings, free_port, run_hub
    from kit.hub.sim import make_teams, play_lesson
    from kit.hub.store import open_store
    from kit.protocol.envelope import format_ts

    console = Console(stderr=True)
    store_url = args.store
    if not store_url:
        db = config.home() / "demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        store_url = f"sqlite:///{db}"
    settings = HubSettings(broker="embedded", port=free_port(), store=store_url,
                           retention_days=None, recorder_name="demo")
    ready: asyncio.Future[BrokerAddress] = asyncio.get_running_loop().create_future()
    stored = 0
    target: int | None = None
    all_in = asyncio.Event()
    stop = asyncio.Event()

    def on_commit(stats: RecorderStats) -> None:
        nonlocal stored
        stored = stats.stored
        if target is not None and stored >= target:
            all_in.set()

    teams = make_teams(args.teams, args.team_size)
    names = {p: n for t in teams for p, n in t.names.items()}
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    store = open_store(store_url)
    for pupil, name in names.items():
        store.set_name(pupil, name, "room-demo", format_ts(now))
    store.close()
    with console.status("starting the hub (embedded broker + recorder)…"):
        hub = asyncio.create_task(run_hub(settings, on_ready=ready.set_result,
                                          on_commit=on_commit, stop=stop))
        address = await asyncio.wait_for(ready, 30)
    with console.status(f"{args.teams} teams playing a {args.minutes}-minute lesson…"):
        sent = await play_lesson(address, room="room-demo", run="demo-lesson", teams=teams,
                                 start=now, minutes=args.minutes)
        target = sent
        if stored < sent:
            await asyncio.wait_for(all_in.wait(), 60)
    stop.set()
    await hub
    store = open_store(store_url)
    try:
        lines = participation(store.events(room="room-demo"), store.names())
    finally:
        store.close()
    return lines, sent, stored
