"""How long the facilitator's report takes as the store grows (target: a class-year under 1 s
on SQLite, and nearly flat from 10^4 to 10^7 events, since the roll-ups are kept as events
arrive).

    PYTHONPATH=. python bench/report.py [--quick] [--store sqlite:///path.db]

A class-year is 30 pupils × 180 lesson runs × about 300 events per pupil and run (≈ 1.6 M
events), played by the pretend class (kit/sim). Lessons are inserted run by run through the
store API, and after each one the roll-ups are advanced and the flags looked for, as the
dashboard does at every lesson's end;
each time the store passes 10^4, 10^5, 10^6 events, the whole class-year and (without
--quick) 10^7 events (more rooms, each its own class-year), the full report for the first room
over everything recorded so far is built and timed (roll-up catch-up, the four early-warning
rules, flags, notes and plans, and the weekly CSV).

The last line is one JSON object: {"report_s": {"1e4": ..., ...}, "class_year_s": ...}.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kit.hub.store import open_store
from kit.insight import flags, report
from kit.sim.classlist import class_list
from kit.sim.history import LessonShape, history

RUNS = 180  # 36 weeks × 5 lessons
SHAPE = LessonShape(minutes=90, tick_s=20.0, steps=8)
NOW = "2027-01-01T00:00:00.000Z"


def timed_report(store: object, room: str) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    r = report.build(store, report.Scope(room=room), now=NOW)  # type: ignore[arg-type]
    report.to_csv(r)
    return time.perf_counter() - t0, len(r.runs), len(r.flags)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true",
                        help="stop after one class-year (no 10^7 point)")
    parser.add_argument("--store", help="store URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="kit-bench-report-")
    url = args.store or f"sqlite:///{Path(tmp.name) / 'kit.db'}"
    store = open_store(url)
    pupils = class_list(teams=6, team_size=5)
    points = [10**4, 10**5, 10**6] + ([] if args.quick else [10**7])
    results: dict[str, float] = {}
    class_year_s = 0.0
    total = 0
    room_n = 0
    fill = 0.0
    roll = 0.0
    try:
        while points or room_n == 0:
            room_n += 1
            room = f"room-{room_n}"
            for i, (_, events) in enumerate(history(pupils, weeks=RUNS // 5, runs_per_week=5,
                                                    room=room, shape=SHAPE, seed=room_n)):
                t0 = time.perf_counter()
                total += store.insert_events(events, events[-1].ts)
                t1 = time.perf_counter()
                # As the dashboard does at each lesson's end: roll up, look for flags.
                flags.refresh(store, NOW, room=room)
                fill += t1 - t0
                roll += time.perf_counter() - t1
                while points and total >= points[0]:
                    s, runs, n_flags = timed_report(store, "room-1")
                    label = f"1e{len(str(points[0])) - 1}"
                    results[label] = round(s, 4)
                    print(f"{total:>10,} events ({label}): report over {runs} runs of room-1 "
                          f"in {s * 1000:.0f} ms, {n_flags} flags", flush=True)
                    points.pop(0)
                if room_n == 1 and i == RUNS - 1:
                    class_year_s, runs, n_flags = timed_report(store, "room-1")
                    print(f"{total:>10,} events (class-year: 30 pupils × {runs} runs): report "
                          f"in {class_year_s * 1000:.0f} ms, {n_flags} flags (target < 1 s)",
                          flush=True)
                if not points and room_n > 1:
                    break
            if args.quick:
                break
        per_event = (roll / total * 1e6) if total else 0.0
        print(f"inserted {total:,} events in {fill:.0f} s; roll-ups and flags kept as they "
              f"arrived took {roll:.0f} s ({per_event:.1f} µs per event)")
    finally:
        store.close()
        tmp.cleanup()
    print(json.dumps({"report_s": results, "class_year_s": round(class_year_s, 4),
                      "events": total, "rollup_us_per_event": round(per_event, 2)}))


if __name__ == "__main__":
    main()
