"""kit report"""

from __future__ import annotations

import argparse
from pathlib import Path

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    p.add_argument("--room", help="only this room")
    p.add_argument("--run", help="only this lesson run")
    p.add_argument("--csv", type=Path, help="also write the report as CSV to this file")
    p.add_argument("--no-names", action="store_true", help="show pseudonyms only")


def run(args: argparse.Namespace) -> int:
    from kit.hub.report import participation, to_csv
    from kit.hub.store import open_store

    store = open_store(_common.store_url(args.store))
    try:
        lines = participation(store.events(room=args.room, run=args.run),
                              {} if args.no_names else store.names())
    finally:
        store.close()
    render(lines)
    if args.csv:
        args.csv.write_text(to_csv(lines))
        print(f"wrote {args.csv}")
    return 0


def render(lines: list) -> None:  # type: ignore[type-arg]
    from rich.console import Console
    from rich.table import Table

    from kit.hub.report import minutes

    console = Console()
    if not lines:
        console.print("No participation recorded yet.")
        return
    table = Table(title="Participation", title_justify="left")
    for col, just in (("lesson run", "left"), ("team", "left"), ("pupil", "left"),
                      ("events", "right"), ("contributions", "right"),
                      ("active", "right"), ("share of team", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for l in lines:
        who = f"{l.name} ({l.pupil})" if l.name else l.pupil
        table.add_row(l.run, l.team, who, str(l.events), str(l.contributions),
                      minutes(l.active_s), f"{l.team_share:.0%}")
    console.print(table)
