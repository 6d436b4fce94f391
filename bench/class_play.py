"""Each activity played by a pretend class of mixed habits (eager, helper, steady, shy, one
drifting away), at 8 and at 32 pupils, without drawing: does the class reach the outcome in
the activity's time box, does every pupil act, and how long does a pupil wait to act?

    PYTHONPATH=. python bench/class_play.py [--quick] [--seeds N]

``ended``: the class finished the game itself (not the time box, not the teacher);
``minutes``: of play; ``acted_share``: pupils present who acted (a contribution or a vote)
over pupils present; ``max_wait_s``: the longest stretch any present pupil had nothing they
could do (a pupil who acted, or could act, waits no longer). Goal: ended, acted_share 1.0,
max_wait_s <= 60. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys

from kit.activities import catalog
from kit.activities.pretend import HabitPupils
from kit.activities.recording import MemoryRecorder
from kit.activities.session import Session

DT = 0.25
CLASS_SIZES = (8, 32)
ACTS = ("contribution", "vote")


def play(name: str, pupils: int, seed: int) -> dict[str, object]:
    model = catalog.params_model(name)
    assert model is not None
    rec = MemoryRecorder()
    session = Session(catalog.activity_class(name), model(), recorder=rec)
    sims = HabitPupils(pupils, session, seed=seed)
    for inp in sims.hello():
        session.handle(inp)
    session.command("start")
    waits: dict[str, float] = {}
    longest = 0.0
    limit = session.activity.time_box + 60
    while session.phase == "playing" and session.played < limit:
        seen = len(rec.events)
        sims.step(DT, session.handle)
        session.update(DT)
        acted_now = {e.pupil for e in rec.events[seen:] if e.kind in ACTS}
        for seat in session.seats.present_players():
            if seat.pupil in acted_now or session.activity.can_act(seat):
                waits[seat.controller] = 0.0
            else:
                w = waits[seat.controller] = waits.get(seat.controller, 0.0) + DT
                longest = max(longest, w)
    present = {s.pupil for s in session.seats.seats}
    acted = {e.pupil for e in rec.events if e.kind in ACTS}
    return {"ended": session.ended_by == "done", "minutes": round(session.played / 60, 2),
            "acted_share": round(len(acted & present) / max(1, len(present)), 3),
            "max_wait_s": round(longest, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="one pretend class per size")
    ap.add_argument("--seeds", type=int, default=None, help="pretend classes per size")
    args = ap.parse_args()
    seeds = args.seeds or (1 if args.quick else 5)
    result: dict[str, dict[str, dict[str, object]]] = {}
    for name in catalog.names():
        result[name] = {}
        for n in CLASS_SIZES:
            runs = [play(name, n, seed) for seed in range(1, seeds + 1)]
            worst = {"ended": all(r["ended"] for r in runs),
                     "minutes": max(float(str(r["minutes"])) for r in runs),
                     "acted_share": min(float(str(r["acted_share"])) for r in runs),
                     "max_wait_s": max(float(str(r["max_wait_s"])) for r in runs)}
            result[name][str(n)] = worst
            print(f"{name:16} {n:2} pupils  ended {worst['ended']!s:5}  "
                  f"{worst['minutes']:5.1f} min  acted {worst['acted_share']:.2f}  "
                  f"longest wait {worst['max_wait_s']:5.1f} s  (worst of {seeds})",
                  file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
