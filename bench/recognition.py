"""Recognition over a pretend class's weeks: issue badges, verify them, export xAPI and the
Open Badges 2.0 files, and render every pupil's page in seven languages.

    PYTHONPATH=. python bench/recognition.py [--quick] [--weeks 8]

The events are made here from ``kit.sim`` (class list and weekly habits) straight into a
SQLite store, not played through the broker: this measures the recognition side only.
The last line is one JSON object with the counts and timings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kit.badges import Issuer, export_ob2, load_definitions
from kit.hub.store import open_store
from kit.hub.store.base import Store
from kit.protocol.envelope import Event, format_ts, new_event
from kit.pupilpage import LANGUAGES, gather, render
from kit.recognition import award_all, export_xapi, verify_all
from kit.sim.classlist import class_list

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
KINDS = ({"pixels": 1, "paint": "r"}, {"panel": 1}, {"bar": 1, "notes": 2})


class Lesson:
    def __init__(self, run: str, t0: datetime) -> None:
        self.run, self.t0 = run, t0
        self.events: list[Event] = []

    def ev(self, minute: float, kind: str, pupil: str | None = None, team: str | None = None,
           **data: object) -> None:
        self.events.append(new_event(
            room="room-sim", station="lesson", seq=len(self.events) + 1, kind=kind,
            at=self.t0 + timedelta(minutes=minute), run=self.run, pupil=pupil, team=team,
            data=data))


def play(store: Store, weeks: int, teams: int) -> int:
    rng = random.Random(11)
    pupils = class_list(teams)
    for p in pupils:
        store.set_name(p.pseudonym, p.name, "room-sim", format_ts(START))
    total = 0
    for week in range(1, weeks + 1):
        lesson = Lesson(f"week-{week}", START + timedelta(days=7 * (week - 1)))
        ev, evs, t0 = lesson.ev, lesson.events, lesson.t0

        ev(0, "lesson", action="start", lesson="sim")
        for i, p in enumerate(pupils):
            e = p.habit.engagement(week)
            if e <= 0:
                continue
            mates = [q for q in pupils if q.team == p.team and q is not p]
            role = ("driver", "navigator", "checker")[(i + week) % 3]
            ev(0.5, "join", p.pseudonym, p.team, role=role)
            for m in range(1, 41):
                if rng.random() < min(1.0, p.habit.presses_per_minute * e / 12):
                    ev(m + rng.random() * 0.9, "contribution", p.pseudonym, p.team,
                       **KINDS[(m // 14) % 3])
                if m % 8 == 0 and rng.random() < p.habit.helps(week):
                    kind = "help" if rng.random() < 0.5 else "compliment"
                    ev(m + 0.95, kind, p.pseudonym, p.team, target=rng.choice(mates).pseudonym)
        ev(45, "lesson", action="end", lesson="sim")
        total += store.insert_events(evs, format_ts(t0 + timedelta(minutes=46)))
    return total


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--weeks", type=int, default=8)
    args = parser.parse_args()
    weeks, teams = (2, 2) if args.quick else (args.weeks, 6)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KIT_HOME"] = str(Path(tmp) / "home")
        store = open_store(f"sqlite:///{Path(tmp) / 'kit.db'}")
        events = play(store, weeks, teams)
        issuer = Issuer()
        now = START + timedelta(days=7 * weeks)
        issued, award_ms = timed(lambda: award_all(store, load_definitions(), now, issuer))
        verified, verify_ms = timed(lambda: verify_all(store, issuer))
        xapi, xapi_ms = timed(lambda: export_xapi(store, Path(tmp) / "st.jsonl", now, issuer))
        ob2, ob2_ms = timed(lambda: export_ob2(store, issuer, Path(tmp) / "ob2"))
        pupils = [p for (p,) in store.query("SELECT pupil FROM roster ORDER BY pupil")]
        pages, page_ms = timed(lambda: sum(
            len(render(gather(store, p, lang), now)) > 0 for p in pupils for lang in LANGUAGES))
        store.close()
    n = issued["issued"]
    print(f"{weeks} weeks, {len(pupils)} pupils, {events} events")
    print(f"issued {n} badges in {award_ms:.0f} ms ({award_ms / max(n, 1):.1f} ms each, "
          "two signatures per award)")
    print(f"verified {verified['verified']} (failed {verified['failed']}) in {verify_ms:.0f} ms")
    print(f"xAPI: {xapi['statements']} statements written and queued in {xapi_ms:.0f} ms")
    print(f"OB 2.0 export: {ob2['assertions']} assertions in {ob2_ms:.0f} ms")
    print(f"pages: {pages} rendered (every pupil, seven languages) in {page_ms:.0f} ms "
          f"({page_ms / max(pages, 1):.1f} ms each)")
    print(json.dumps({"weeks": weeks, "pupils": len(pupils), "events": events, "issued": n,
                      "verified": verified["verified"], "verify_failed": verified["failed"],
                      "xapi_statements": xapi["statements"],
                      "ob2_assertions": ob2["assertions"], "pages": pages,
                      "award_ms": round(award_ms, 1), "verify_ms": round(verify_ms, 1),
                      "xapi_ms": round(xapi_ms, 1), "ob2_ms": round(ob2_ms, 1),
                      "page_ms_each": round(page_ms / max(pages, 1), 2)}))


if __name__ == "__main__":
    main()
