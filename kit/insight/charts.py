"""Small inline SVG charts for the HTML report and the dashboard: no script, no network, no
external file; each has a text title for screen readers, and the numbers are in a table beside
it. Colours follow the team colours where there are some, otherwise one ink colour."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

INK = "#1f4e79"
MUTED = "#9aa5b1"
TEAM_INK = {"orange": "#d55e00", "sky": "#56b4e9", "green": "#009e73", "yellow": "#b8a200",
            "blue": "#0072b2", "vermilion": "#cc3311", "purple": "#8e44ad", "grey": "#555555"}


def _svg(width: int, height: int, label: str, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{body}</svg>")


def spark(values: Sequence[float | None], label: str, *, width: int = 160, height: int = 36,
          top: float | None = None, guide: float | None = None, colour: str = INK) -> Markup:
    """A line over weeks; ``None`` (absent) breaks the line and shows a hollow mark."""
    n = len(values)
    present = [v for v in values if v is not None]
    hi = top if top is not None else max(present, default=0) or 1.0
    pad = 4

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)
        y = height - pad - (height - 2 * pad) * min(v, hi) / hi
        return round(x, 1), round(y, 1)

    parts = []
    if guide is not None:
        _, gy = xy(0, guide)
        parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{gy}" y2="{gy}" '
                     f'stroke="{MUTED}" stroke-dasharray="3 3"/>')
    segment: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                             f'points="{" ".join(segment)}"/>')
            segment = []
            x, _ = xy(i, 0)
            parts.append(f'<circle cx="{x}" cy="{height - pad}" r="2.5" fill="white" '
                         f'stroke="{MUTED}"/>')
            continue
        x, y = xy(i, v)
        segment.append(f"{x},{y}")
        parts.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{colour}"/>')
    if len(segment) > 1:
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{" ".join(segment)}"/>')
    return _svg(width, height, label, "".join(parts))


def lines(series: dict[str, Sequence[float | None]], labels: Sequence[str], label: str, *,
          width: int = 520, height: int = 180, top: float = 1.0) -> Markup:
    """Several lines over the same weeks (e.g. team balance), with a legend."""
    n = len(labels)
    left, right, top_pad, bottom = 34, 110, 10, 24
    w, h = width - left - right, height - top_pad - bottom
    parts = [f'<line x1="{left}" x2="{left + w}" y1="{top_pad + h}" y2="{top_pad + h}" '
             f'stroke="{MUTED}"/>']
    for frac in (0.0, 0.5, 1.0):
        y = top_pad + h - h * frac
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{top * frac:g}</text>')
    for i, wk in enumerate(labels):
        if n <= 12 or i % max(1, n // 8) == 0:
            x = left + (w * i / (n - 1) if n > 1 else w / 2)
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="9" '
                         f'text-anchor="middle">{escape(wk[5:])}</text>')
    for k, (name, values) in enumerate(series.items()):
        colour = TEAM_INK.get(name, INK)
        pts = [f"{left + (w * i / (n - 1) if n > 1 else w / 2):.1f},"
               f"{top_pad + h - h * min(v, top) / top:.1f}"
               for i, v in enumerate(values) if v is not None]
        if len(pts) > 1:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                         f'points="{" ".join(pts)}"/>')
        for p in pts:
            px, py = p.split(",")
            parts.append(f'<circle cx="{px}" cy="{py}" r="2.2" fill="{colour}"/>')
        ly = top_pad + 12 + 14 * k
        parts.append(f'<rect x="{left + w + 10}" y="{ly - 8}" width="10" height="10" '
                     f'fill="{colour}"/><text x="{left + w + 24}" y="{ly + 1}" '
                     f'font-size="11">{escape(name)}</text>')
    return _svg(width, height, label, "".join(parts))


def graph(nodes: Sequence[tuple[str, str, str]], links: Sequence[tuple[str, str, int]],
          label: str, *, cell: int = 210) -> Markup:
    """Who helped or complimented whom: ``nodes`` are (id, label, team), each team on a small
    circle of its own; ``links`` (source, target, count) are arrows whose width grows with the
    count. A pupil with no link stands out as a node with nothing attached."""
    if not nodes:
        return _svg(cell, 40, label, '<text x="4" y="24" font-size="12">no pupils</text>')
    teams: dict[str, list[tuple[str, str]]] = {}
    for nid, text, team in nodes:
        teams.setdefault(team, []).append((nid, text))
    cols = min(3, len(teams))
    rows = -(-len(teams) // cols)
    width, height = cols * cell, rows * (cell - 20)
    pos: dict[str, tuple[float, float]] = {}
    parts = ['<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" '
             'markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
             f'fill="{MUTED}"/></marker></defs>']
    labels = []
    for k, (team, members) in enumerate(teams.items()):
        cx = cell * (k % cols) + cell / 2
        cy = (cell - 20) * (k // cols) + (cell - 20) / 2 + 6
        r = 48 if len(members) > 1 else 0
        parts.append(f'<text x="{cx:.0f}" y="{cy - r - 26:.0f}" font-size="11" '
                     f'text-anchor="middle" fill="{MUTED}">{escape(team)}</text>')
        for i, (nid, text) in enumerate(members):
            a = 2 * math.pi * i / len(members) - math.pi / 2
            x, y = cx + r * math.cos(a), cy + r * math.sin(a)
            pos[nid] = (x, y)
            colour = TEAM_INK.get(team, INK)
            right = x >= cx
            labels.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}"/>'
                          f'<text x="{x + (10 if right else -10):.1f}" y="{y + 4:.1f}" '
                          f'font-size="11" text-anchor="{"start" if right else "end"}">'
                          f'{escape(text)}</text>')
    top = max((n for *_, n in links), default=1)
    for s, t, n in links:
        if s not in pos or t not in pos:
            continue
        (x1, y1), (x2, y2) = pos[s], pos[t]
        dx, dy = x2 - x1, y2 - y1
        d = math.hypot(dx, dy) or 1
        x1, y1 = x1 + dx / d * 8, y1 + dy / d * 8
        x2, y2 = x2 - dx / d * 10, y2 - dy / d * 10
        # Bend each arrow a little so A→B and B→A do not overlap.
        mx, my = (x1 + x2) / 2 - dy / d * 10, (y1 + y2) / 2 + dx / d * 10
        parts.append(f'<path d="M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}" '
                     f'fill="none" stroke="{MUTED}" stroke-width="{1 + 3 * n / top:.1f}" '
                     f'marker-end="url(#arrow)"><title>{escape(s)} → {escape(t)}: {n}'
                     f'</title></path>')
    return _svg(width, height, label, "".join(parts + labels))


def grid(rows: Sequence[tuple[str, Sequence[float | None]]], columns: Sequence[str],
         label: str, *, cell: int = 30) -> Markup:
    """Attendance as a grid: a row per pupil, a column per week, darker for more lessons
    attended of those held; a hollow square where none was attended."""
    left = 150
    width = left + cell * len(columns) + 4
    height = cell * len(rows) + 22
    parts = []
    for j, c in enumerate(columns):
        if len(columns) <= 12 or j % max(1, len(columns) // 8) == 0:
            parts.append(f'<text x="{left + j * cell + cell / 2}" y="12" font-size="9" '
                         f'text-anchor="middle">{escape(c[5:])}</text>')
    for i, (name, values) in enumerate(rows):
        y = 18 + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell - 4}" font-size="11" '
                     f'text-anchor="end">{escape(name)}</text>')
        for j, v in enumerate(values):
            x = left + j * cell
            if v is None:
                continue
            if v <= 0:
                parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 3}" '
                             f'height="{cell - 3}" fill="white" stroke="{MUTED}"/>')
            else:
                parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" '
                             f'height="{cell - 2}" fill="{INK}" fill-opacity="'
                             f'{0.25 + 0.75 * min(v, 1):.2f}"/>')
    return _svg(width, height, label, "".join(parts))
