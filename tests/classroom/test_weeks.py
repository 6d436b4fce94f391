"""``kit demo --weeks 8`` as a facilitator uses it: eight weekly lessons through the whole
classroom (hub, gateway with micro:bits on the real firmware, robots, shared screen, lesson),
then the early-warning signals and the badges. A short weekly lesson and two teams keep it to
about two minutes; the pretend class is the demo's own (one pupil drifting away from week 5,
absent in week 7).

The facilitator's checks run on what the demo recorded: the drifting pupil is flagged, nobody
else is for what they do themselves (fewer contributions, a smaller share, missed lessons), and
each flag's numbers are what a teacher would count in the events. In the compliment round each
pupil compliments the next one, so the pupil after the drifting one may go weeks without a
compliment: an isolation flag on them is allowed when the events bear it out, as a teacher
would want to hear of it."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from procs import ROOT, Proc

from kit.hub.store import Store, open_store
from kit.insight import flags
from kit.insight.metrics import CONTRIBUTION_KINDS, INTERACTION_KINDS
from kit.protocol.envelope import format_ts
from kit.sim.classlist import class_list

LESSON = ROOT / "tests" / "classroom" / "weeks.yaml"


def per_run(store: Store) -> dict[str, Counter[str]]:
    """Contributions by run and pupil, for every pupil who took part in the run."""
    out: dict[str, Counter[str]] = {}
    for e in store.events():
        if e.pupil and e.run:
            out.setdefault(e.run, Counter())[e.pupil] += e.kind in CONTRIBUTION_KINDS
    return out


def check_isolation(store: Store, pupil: str, iso: dict[str, Any]) -> None:
    """An isolation flag's numbers are the help and compliments given and received, per run."""
    given = Counter(e.run for e in store.events(pupil=pupil) if e.kind in INTERACTION_KINDS)
    received = Counter(e.run for e in store.events() if e.kind in INTERACTION_KINDS
                       and (e.data or {}).get("target") == pupil)
    assert iso["given"] == [given[r] for r in iso["runs"]], (pupil, iso)
    assert iso["received"] == [received[r] for r in iso["runs"]], (pupil, iso)


async def test_eight_weeks_flag_the_drifting_pupil_and_nobody_else_for_their_doing(
        kit_home: Path) -> None:
    demo = await Proc("demo", "--weeks", "8", "--fast", "--headless", "--teams", "2",
                      "--lesson", str(LESSON)).start()
    code = await demo.wait(limit_s=900)
    assert code == 0, demo.output
    line = next(line for line in demo.lines if line.startswith("presses:"))
    made, recorded, sent, stored = (int(n) for n in re.findall(r"\d+", line)[:4])
    assert made == recorded and sent == stored, line
    assert "7 of 7 pupils seated" in demo.output, "the pupil who stayed at home has no seat"

    drifting = next(p for p in class_list(2, 4) if p.habit.name == "drifting")
    store = open_store(f"sqlite:///{kit_home / 'demo.db'}")
    try:
        flags.refresh(store, format_ts(datetime.now(UTC)))
        everyone = flags.flags(store)
        told = [(f.pupil, f.rule, f.detail) for f in everyone]
        raised = [f for f in everyone if f.pupil == drifting.pseudonym]
        assert raised, told
        others = [f for f in everyone if f.pupil != drifting.pseudonym]
        assert all(f.rule == "isolation" for f in others), told
        for f in others:
            check_isolation(store, f.pupil, f.numbers)
        by_rule = {f.rule: f for f in raised}
        counts = per_run(store)
        runs = sorted(counts, key=lambda r: int(r.rsplit("-", 1)[1]))
        assert len(runs) == 8
        week = {n: run for n, run in enumerate(runs, 1)}
        mine = {run: c[drifting.pseudonym] for run, c in counts.items()
                if drifting.pseudonym in c}
        assert week[7] not in mine, "absent in week 7, and recorded as absent"

        att = by_rule["attendance"].numbers
        assert (att["attended"], att["held"], att["missed"]) == (3, 4, [week[7]])

        medians = {run: float(statistics.median(c.values())) for run, c in counts.items()}
        if "drop" in by_rule:
            drop = by_rule["drop"].numbers
            order = [r for r in runs if r in mine]
            for run, n, m, base in zip(drop["runs"], drop["contributions"],
                                       drop["class_medians"], drop["baselines"], strict=True):
                assert (n, m) == (mine[run], medians[run])
                before = [mine[r] / medians[r] for r in order if order.index(r) <
                          order.index(run)][-6:]
                assert base == round(statistics.median(before), 3)
                assert 1 - (n / m) / base >= 0.4
        if "share" in by_rule:
            share = by_rule["share"].numbers
            for run, n, total in zip(share["runs"], share["contributions"],
                                     share["team_contributions"], strict=True):
                # A pupil's team in a run is the one their first event with a team names.
                team_of: dict[str, str] = {}
                for e in store.events(run=run):
                    if e.pupil and e.team:
                        team_of.setdefault(e.pupil, e.team)
                mates = {p for p, t in team_of.items() if t == team_of[drifting.pseudonym]}
                team = sum(counts[run][p] for p in mates)
                assert (n, total) == (mine[run], team)
        if "isolation" in by_rule:
            check_isolation(store, drifting.pseudonym, by_rule["isolation"].numbers)
    finally:
        store.close()
    # Recognition from the same eight weeks: every badge issued verifies.
    rec = next(line for line in demo.lines if line.startswith("recognition:"))
    issued = int(re.search(r"issued (\d+)", rec)[1])  # type: ignore[index]
    verified = int(re.search(r"verified (\d+)", rec)[1])  # type: ignore[index]
    assert issued == verified > 0, rec
    assert "failed 0" in rec, rec
