"""The report as one self-contained HTML file: style and charts inline (SVG), no script and
nothing fetched, so it opens on any machine without a network and prints cleanly."""

from __future__ import annotations

from collections import defaultdict
from importlib import resources
from typing import Any

import jinja2

from kit.insight import charts
from kit.insight.flags import StoredFlag
from kit.insight.report import Report, TeamWeek, minutes
from kit.plans.notes import Note
from kit.plans.plans import DOMAINS, MEASURE_KINDS


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kit.insight", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def css() -> str:
    return resources.files("kit.insight.templates").joinpath("kit.css").read_text("utf-8")


def chart_context(r: Report) -> dict[str, object]:
    """The charts and tables both the HTML report and the dashboard draw from a report."""
    spark_contrib, spark_share = {}, {}
    for p in r.pupils:
        by_week = {w.week: w for w in p.weeks}
        contrib: list[float | None] = []
        share: list[float | None] = []
        for wk in r.weeks:
            w = by_week.get(wk)
            contrib.append(None if w is None or not w.attended else w.contributions)
            share.append(None if w is None or not w.attended else w.share)
        who = r.who(p.pupil)
        spark_contrib[p.pupil] = charts.spark(contrib, f"{who}: contributions per week")
        spark_share[p.pupil] = charts.spark(share, f"{who}: share of the team's work per week",
                                            top=max(0.5, *(s or 0 for s in share)))
    attendance = charts.grid(
        [(r.names.get(p.pupil) or p.pupil,
          [next((w.attended / w.held for w in p.weeks if w.week == wk and w.held), None)
           for wk in r.weeks]) for p in r.pupils],
        r.weeks, "Attendance: lessons attended of those held, per pupil and week")
    cells: dict[str, dict[str, TeamWeek]] = defaultdict(dict)
    for t in r.teams:
        cells[t.team if len({x.room for x in r.teams}) <= 1 else f"{t.room} {t.team}"][
            t.week] = t
    balance_rows = [(team, [row.get(wk) for wk in r.weeks]) for team, row in cells.items()]
    balance_chart = charts.lines(
        {team: [c.balance if c else None for c in row] for team, row in balance_rows},
        r.weeks, "Team balance (1 − Gini) per week")
    linked = {x for link in r.links for x in (link.source, link.target)}
    graph = charts.graph(
        [(p.pupil, r.names.get(p.pupil) or p.pupil, p.team) for p in r.pupils],
        [(link.source, link.target, link.helps + link.compliments) for link in r.links],
        "Interaction graph: arrows from the pupil who helped or complimented to the one who "
        "received it")
    return {
        "spark_contrib": spark_contrib, "spark_share": spark_share, "attendance": attendance,
        "balance_rows": balance_rows, "balance_chart": balance_chart, "graph": graph,
        "isolated": [p.pupil for p in r.pupils if p.pupil not in linked],
    }


def report_context(report: Report) -> dict[str, Any]:
    """Everything the report's body (``report_body.html``) draws from."""
    notes_by_pupil: dict[str, list[Note]] = defaultdict(list)
    for n in report.notes:
        notes_by_pupil[n.pupil].append(n)
    flags_by_pupil: dict[str, list[StoredFlag]] = defaultdict(list)
    for f in report.flags:
        flags_by_pupil[f.pupil].append(f)
    return {"r": report, "minutes": minutes, "notes_by_pupil": notes_by_pupil,
            "flags_by_pupil": flags_by_pupil, "domains": DOMAINS, "kinds": MEASURE_KINDS,
            **chart_context(report)}


def render(report: Report, *, generated: str, title: str = "kit: the facilitator's report"
           ) -> str:
    return environment().get_template("report.html").render(
        title=title, generated=generated, css=css(), **report_context(report))
