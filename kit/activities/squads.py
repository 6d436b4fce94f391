"""Squads: a class split into small groups that play at the same time, so that at 8 or at 32
pupils many act at once and nobody waits long for a turn."""

from __future__ import annotations

from kit.activities.seats import Seat


def split(seats: list[Seat], size: int) -> list[list[Seat]]:
    """``seats`` in squads of about ``size``, in seat order; sizes differ by at most one
    (32 pupils in threes: ten squads of three and one of two). An empty class has none."""
    if not seats:
        return []
    count = -(-len(seats) // max(1, size))
    base, extra = divmod(len(seats), count)
    out: list[list[Seat]] = []
    i = 0
    for k in range(count):
        n = base + (1 if k < extra else 0)
        out.append(seats[i:i + n])
        i += n
    return out


def squad_of(squads: list[list[Seat]], seat: Seat) -> int | None:
    for k, squad in enumerate(squads):
        if seat in squad:
            return k
    return None


def grid(count: int, width: float, height: float, *, min_w: float = 440,
         min_h: float = 230) -> tuple[int, int]:
    """Columns and rows of tiles for ``count`` squads in a ``width`` × ``height`` area, the
    tiles as large as possible."""
    best = (1, max(1, count))
    best_area = -1.0
    for cols in range(1, max(1, count) + 1):
        rows = -(-max(1, count) // cols)
        w, h = width / cols, height / rows
        area = min(w / min_w, h / min_h)
        if area > best_area:
            best, best_area = (cols, rows), area
    return best
