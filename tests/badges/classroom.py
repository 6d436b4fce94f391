"""A small, deterministic class for the recognition tests: two lessons, two teams, four pupils
whose records differ in known ways. Events go in through the store API, as the recorder
writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kit.hub.store.base import Store
from kit.protocol.envelope import Event, format_ts, new_event

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAMES = {"p-ada001": "Ada Lovelace", "p-bo0002": "Bo Berg", "p-cy0003": "Cy Cole",
         "p-dee004": "Dee Dale"}
#: helper: helps and compliments a lot; maker: many contributions, two roles;
#: steady: some of everything; brief: only ten minutes of the first lesson.
TEAMS = {"p-ada001": "red", "p-bo0002": "red", "p-cy0003": "blue", "p-dee004": "blue"}


def _events(week: int) -> list[Event]:
    run = f"lesson-w{week}"
    t0 = START + timedelta(days=7 * (week - 1))
    seq = 0
    out: list[Event] = []

    def ev(minute: float, kind: str, pupil: str | None = None, **data: Any) -> None:
        nonlocal seq
        seq += 1
        out.append(new_event(room="room-7b", station="lesson", seq=seq, kind=kind,
                             at=t0 + timedelta(minutes=minute), run=run, pupil=pupil,
                             team=TEAMS.get(pupil or ""), data=data))

    ev(0, "lesson", action="start", lesson="robots-1")
    for p in TEAMS:
        if p == "p-dee004" and week > 1:
            continue
        ev(0.5, "join", p, role="driver" if p in ("p-ada001", "p-cy0003") else "navigator")
    for m in range(1, 31):
        ev(m, "contribution", "p-bo0002", pixels=1, paint="r")
        ev(m + 0.2, "contribution", "p-cy0003", panel=m)
        ev(m + 0.4, "contribution", "p-ada001", bar=m, notes=3)
        if m <= 10 and week == 1:
            ev(m + 0.6, "contribution", "p-dee004", pixels=1, paint="b")
        if m % 5 == 0:
            ev(m + 0.5, "help", "p-ada001", target="p-bo0002")
            ev(m + 0.7, "compliment", "p-ada001", target="p-cy0003")
    ev(31, "turn-start", "p-bo0002", role="driver")
    ev(31.5, "contribution", "p-bo0002", role="driver", run=1)
    ev(32, "compliment", "p-cy0003", target="p-ada001")
    ev(45, "lesson", action="end", lesson="robots-1")
    return out


def make_class(store: Store, weeks: int = 2) -> int:
    """Record ``weeks`` lessons and the roster; returns the number of events stored."""
    n = 0
    for week in range(1, weeks + 1):
        evs = _events(week)
        n += store.insert_events(evs, format_ts(evs[-1].time))
    for pupil, name in NAMES.items():
        store.set_name(pupil, name, "room-7b", format_ts(START))
    return n
