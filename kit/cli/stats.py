"""kit stats"""

from __future__ import annotations

import argparse

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from kit.hub.store import open_store
    from kit.insight.stats import MIN_CELL, school_statistics

    store = open_store(_common.store_url(args.store))
    try:
        tables = school_statistics(store)
    finally:
        store.close()
    console = Console()
    console.print(f"School statistics: counts under {MIN_CELL} pupils are shown as "
                  f"'<{MIN_CELL}' so that no pupil can be picked out.")
    for t in tables:
        out = Table(title=t.title, title_justify="left")
        out.add_column("")
        for c in t.columns:
            out.add_column(c, justify="right")
        for label, cells in t.rows:
            out.add_row(label, *(f"<{MIN_CELL}" if c is None else str(c) for c in cells))
        if not t.rows:
            out.add_row("no plans yet", *("" for _ in t.columns))
        console.print(out)
    return 0
