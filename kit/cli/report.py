"""kit report"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kit.cli import _common

if TYPE_CHECKING:
    from kit.hub.report import PupilLine
    from kit.insight.report import Report

#: Up to this many runs in scope, the terminal shows one line per pupil and run.
PER_RUN_MAX = 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    p.add_argument("--room", help="only this room")
    p.add_argument("--pupil", help="only this pupil (pseudonym)")
    p.add_argument("--run", help="only this lesson run")
    p.add_argument("--since", help="from this day (YYYY-MM-DD)")
    p.add_argument("--until", help="to this day (YYYY-MM-DD), included")
    p.add_argument("--csv", type=Path,
                   help="write one line per pupil and lesson run as CSV to this file")
    p.add_argument("--weekly-csv", type=Path,
                   help="write one line per pupil and week (with team balance) to this file")
    p.add_argument("--html", type=Path,
                   help="write the whole report, charts included, as one HTML file")
    p.add_argument("--no-names", action="store_true", help="show pseudonyms only")


def _day(value: str | None, what: str) -> str | None:
    from datetime import date

    from kit.errors import ConfigError

    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as e:
        raise ConfigError(f"--{what} {value!r}: write the day as YYYY-MM-DD, e.g. 2026-01-12"
                          ) from e


def run(args: argparse.Namespace) -> int:
    from kit.clock import SystemClock
    from kit.hub.report import participation, to_csv
    from kit.hub.store import open_store
    from kit.insight import html
    from kit.insight import report as insight
    from kit.protocol.envelope import format_ts

    scope = insight.Scope(room=args.room, pupil=args.pupil, run=args.run,
                          since=_day(args.since, "since"), until=_day(args.until, "until"))
    now = format_ts(SystemClock().now())
    store = open_store(_common.store_url(args.store))
    try:
        report = insight.build(store, scope, names=not args.no_names, now=now)
        lines: list[PupilLine] = []
        if len(report.runs) <= PER_RUN_MAX or args.csv:
            lines = participation(
                [e for r in report.runs for e in store.events(room=r.room, run=r.run)
                 if scope.pupil in (None, e.pupil)],
                {} if args.no_names else store.names())
    finally:
        store.close()
    if len(report.runs) <= PER_RUN_MAX:
        render(lines)
    else:
        render_weeks(report)
    render_signals(report)
    outputs: list[tuple[Path | None, Callable[[], str]]] = [
        (args.csv, lambda: to_csv(lines)),
        (args.weekly_csv, lambda: insight.to_csv(report)),
        (args.html, lambda: html.render(report, generated=now[:16]))]
    for path, text in outputs:
        if path:
            path.write_text(text(), encoding="utf-8")
            print(f"wrote {path}")
    return 0


def render(lines: list[PupilLine]) -> None:
    """One table per lesson run, narrow enough for an 80-column terminal; active time in
    whole minutes."""
    from itertools import groupby

    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not lines:
        console.print("No participation recorded yet.")
        return
    for run, rows in groupby(sorted(lines, key=lambda l: (l.run, l.team, l.name or l.pupil)),
                             key=lambda l: l.run):
        table = Table(title=f"Participation in {run}", title_justify="left", min_width=60)
        for col, just in (("team", "left"), ("pupil", "left"), ("events", "right"),
                          ("contrib.", "right"), ("active min", "right"),
                          ("team share", "right")):
            table.add_column(col, justify=just, no_wrap=True)  # type: ignore[arg-type]
        for l in rows:
            who = f"{l.name} {l.pupil}" if l.name else l.pupil
            table.add_row(l.team, who, str(l.events), str(l.contributions),
                          str(round(l.active_s / 60)), f"{l.team_share:.0%}")
        console.print(table)


def render_weeks(report: Report) -> None:
    from rich.console import Console
    from rich.table import Table

    from kit.insight.report import minutes, sparkline

    console = Console()
    if not report.pupils:
        console.print("No participation recorded yet.")
        return
    weeks = report.weeks
    table = Table(title=f"Participation, {report.scope.describe()}, {len(report.runs)} lessons "
                        f"from {weeks[0]} to {weeks[-1]}", title_justify="left")
    for col, just in (("team", "left"), ("pupil", "left"), ("attended", "right"),
                      ("active", "right"), ("contributions", "right"), ("share", "right"),
                      ("first action", "right"), ("passes", "right"), ("timeouts", "right"),
                      ("helped / was helped", "right"), ("contributions per week", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for p in report.pupils:
        t = p.total()
        by_week = {w.week: w.contributions for w in p.weeks}
        fa = t.first_action_s
        table.add_row(p.team, report.who(p.pupil), f"{t.attended}/{t.held}",
                      minutes(t.active_s), str(t.contributions), f"{t.share:.0%}",
                      "–" if fa is None else f"{fa:.0f} s", str(t.passes), str(t.timeouts),
                      f"{t.given}/{t.received}",
                      sparkline([float(by_week.get(w, 0)) for w in weeks]))
    console.print(table)
    balance = Table(title="Team balance (1 − Gini; 1 = everyone did the same share)",
                    title_justify="left")
    balance.add_column("team")
    for w in weeks[-8:]:
        balance.add_column(w[5:], justify="right")
    rows: dict[str, dict[str, float]] = {}
    for tw in report.teams:
        rows.setdefault(tw.team, {})[tw.week] = tw.balance
    for team, cells in rows.items():
        balance.add_row(team, *(f"{cells[w]:.2f}" if w in cells else "–" for w in weeks[-8:]))
    console.print(balance)


def render_signals(report: Report) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    if not report.flags:
        console.print("Early-warning signals: none in this range.")
    else:
        console.print("[bold]Early-warning signals[/bold] (confirm or dismiss with "
                      "'kit flag confirm|dismiss ID --by NAME')")
    for f in report.flags:
        console.print(escape(f"  {f.id} [{f.status}] {report.who(f.pupil)}: {f.rule_text}"))
        console.print(escape(f"      {f.detail}"), highlight=False)
    notes = [n for n in report.notes if any(f.pupil == n.pupil for f in report.flags)]
    for n in notes:
        console.print(escape(f"  note on {report.who(n.pupil)}, {n.at[:10]}, {n.author}: "
                             f"{n.text}"), highlight=False)
