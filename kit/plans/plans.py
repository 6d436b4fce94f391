"""Individual support plans, shaped like the PuMPuRS individual plan: one per pupil per term;
risks in its domains (plus social withdrawal), each with a justification; measures, each linked
to at least one risk, dated and signed; results as text; and a status that moves

    draft → approved → in progress → under review → (in progress again, or closed)

with ``suspended`` (a reason is required) possible from approved, in progress or under review,
and ``closed`` the end. Kit supplies *evidence for* a plan, never a risk score: a risk may cite
a flag, and only a flag a facilitator has confirmed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kit.errors import KitError
from kit.insight import flags as flag_store
from kit.insight.tables import ensure

if TYPE_CHECKING:
    from kit.hub.store import Store

DDL = """
CREATE TABLE IF NOT EXISTS plans (
    id TEXT PRIMARY KEY,
    pupil TEXT NOT NULL,
    room TEXT,
    term TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    result TEXT NOT NULL,
    outcome TEXT,
    UNIQUE (pupil, term)
);
CREATE TABLE IF NOT EXISTS plan_risks (
    id TEXT PRIMARY KEY,
    plan TEXT NOT NULL,
    domain TEXT NOT NULL,
    justification TEXT NOT NULL,
    flag TEXT,
    by_whom TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_measures (
    id TEXT PRIMARY KEY,
    plan TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    starts TEXT NOT NULL,
    by_whom TEXT NOT NULL,
    at TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_measure_risks (
    measure TEXT NOT NULL,
    risk TEXT NOT NULL,
    PRIMARY KEY (measure, risk)
);
CREATE TABLE IF NOT EXISTS plan_history (
    plan TEXT NOT NULL,
    at TEXT NOT NULL,
    by_whom TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT
)
"""

#: Risk domains: the four PuMPuRS categories, and social withdrawal.
DOMAINS: dict[str, str] = {
    "learning": "learning and school",
    "economic": "economic",
    "family": "family",
    "social-health": "social environment and health",
    "withdrawal": "social withdrawal",
}
#: Kinds of measure, for school statistics (the text says what exactly).
MEASURE_KINDS: dict[str, str] = {
    "tutoring": "subject tutoring",
    "psychologist": "psychologist",
    "social-pedagogue": "social pedagogue",
    "mentoring": "mentoring",
    "club": "club or group activity",
    "role": "a role in the team",
    "family-contact": "contact with the family",
    "compensation": "transport, meals or materials",
    "other": "other",
}
STATUSES: dict[str, str] = {
    "draft": "draft",
    "approved": "approved",
    "in-progress": "in progress",
    "under-review": "under review",
    "suspended": "suspended",
    "closed": "closed",
}
MOVES: dict[str, tuple[str, ...]] = {
    "draft": ("approved", "closed"),
    "approved": ("in-progress", "suspended", "closed"),
    "in-progress": ("under-review", "suspended", "closed"),
    "under-review": ("in-progress", "approved", "suspended", "closed"),
    "suspended": ("in-progress", "closed"),
    "closed": (),
}
OUTCOMES = ("improved", "unchanged", "worse", "unknown")


class PlanError(KitError, ValueError):
    """A plan change that cannot be made, with what to do instead."""


@dataclass(frozen=True, slots=True)
class Risk:
    id: str
    domain: str
    justification: str
    flag: str | None
    by: str
    at: str


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    kind: str
    text: str
    starts: str
    by: str
    at: str
    result: str
    risks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Change:
    at: str
    by: str
    from_status: str
    to_status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Plan:
    id: str
    pupil: str
    room: str | None
    term: str
    status: str
    created_by: str
    created_at: str
    updated_at: str
    result: str
    outcome: str | None
    risks: tuple[Risk, ...] = field(default=())
    measures: tuple[Measure, ...] = field(default=())
    history: tuple[Change, ...] = field(default=())

    @property
    def status_text(self) -> str:
        return STATUSES[self.status]


def _ensure(store: Store) -> None:
    ensure(store, "plans", DDL)


def _who(by: str) -> str:
    if not by.strip():
        raise PlanError("say who makes the change (the teacher's name, --by NAME)")
    return by.strip()


def _text(value: str, what: str) -> str:
    if not value.strip():
        raise PlanError(f"{what} is empty: write it in a sentence or two")
    return value.strip()


def create(store: Store, pupil: str, term: str, *, by: str, now: str,
           room: str | None = None) -> Plan:
    """A new plan in ``draft`` for ``pupil`` in ``term`` (one per pupil per term)."""
    _ensure(store)
    term = _text(term, "the term")
    if store.query("SELECT id FROM plans WHERE pupil = ? AND term = ?", (pupil, term)):
        raise PlanError(f"{pupil} already has a plan for {term}; add to it, or review it")
    pid = "plan-" + uuid.uuid4().hex[:8]
    store.execute("INSERT INTO plans VALUES (?,?,?,?,?,?,?,?,?,?)",
                  (pid, pupil, room, term, "draft", _who(by), now, now, "", None))
    return get(store, pid)


def _open(store: Store, pid: str) -> Plan:
    plan = get(store, pid)
    if plan.status == "closed":
        raise PlanError(f"plan {pid} is closed; start a plan for the next term instead")
    return plan


def add_risk(store: Store, pid: str, domain: str, justification: str, *, by: str, now: str,
             flag: str | None = None) -> Risk:
    plan = _open(store, pid)
    if domain not in DOMAINS:
        raise PlanError(f"risk domain {domain!r} is not one of: {', '.join(DOMAINS)}")
    if flag is not None:
        f = flag_store.get(store, flag)
        if f.pupil != plan.pupil:
            raise PlanError(f"flag {flag} is about another pupil, not {plan.pupil}")
        if f.status != "confirmed":
            raise PlanError(f"flag {flag} is {f.status}: only a flag a facilitator has "
                            "confirmed can enter a plan")
    risk = Risk("risk-" + uuid.uuid4().hex[:8], domain, _text(justification, "the justification"),
                flag, _who(by), now)
    store.execute_many([
        ("INSERT INTO plan_risks VALUES (?,?,?,?,?,?,?)",
         [(risk.id, pid, risk.domain, risk.justification, risk.flag, risk.by, risk.at)]),
        ("UPDATE plans SET updated_at = ? WHERE id = ?", [(now, pid)])])
    return risk


def add_measure(store: Store, pid: str, text: str, risks: Sequence[str], *, by: str, now: str,
                kind: str = "other", starts: str | None = None) -> Measure:
    plan = _open(store, pid)
    if kind not in MEASURE_KINDS:
        raise PlanError(f"measure kind {kind!r} is not one of: {', '.join(MEASURE_KINDS)}")
    if not risks:
        raise PlanError("a measure must answer at least one of the plan's risks (--risk ID)")
    known = {r.id for r in plan.risks}
    for r in risks:
        if r not in known:
            raise PlanError(f"risk {r!r} is not in plan {pid} (its risks: "
                            f"{', '.join(sorted(known)) or 'none yet'})")
    m = Measure("measure-" + uuid.uuid4().hex[:8], kind, _text(text, "the measure"),
                starts or now[:10], _who(by), now, "", tuple(dict.fromkeys(risks)))
    store.execute_many([
        ("INSERT INTO plan_measures VALUES (?,?,?,?,?,?,?,?)",
         [(m.id, pid, m.kind, m.text, m.starts, m.by, m.at, "")]),
        ("INSERT INTO plan_measure_risks VALUES (?,?)", [(m.id, r) for r in m.risks]),
        ("UPDATE plans SET updated_at = ? WHERE id = ?", [(now, pid)])])
    return m


def set_result(store: Store, pid: str, text: str, *, by: str, now: str,
               measure: str | None = None) -> Plan:
    """Write the result of one measure, or of the whole plan, as text."""
    plan = get(store, pid)
    _who(by)
    text = _text(text, "the result")
    if measure is None:
        store.execute("UPDATE plans SET result = ?, updated_at = ? WHERE id = ?",
                      (text, now, pid))
    else:
        if measure not in {m.id for m in plan.measures}:
            raise PlanError(f"measure {measure!r} is not in plan {pid}")
        store.execute_many([
            ("UPDATE plan_measures SET result = ? WHERE id = ?", [(text, measure)]),
            ("UPDATE plans SET updated_at = ? WHERE id = ?", [(now, pid)])])
    return get(store, pid)


def move(store: Store, pid: str, status: str, *, by: str, now: str, reason: str | None = None,
         outcome: str | None = None) -> Plan:
    """Move a plan to its next status; says which moves are possible when this one is not."""
    plan = get(store, pid)
    if status not in STATUSES:
        raise PlanError(f"status {status!r} is not one of: {', '.join(STATUSES)}")
    if status not in MOVES[plan.status]:
        allowed = ", ".join(MOVES[plan.status]) or "none (the plan is closed)"
        raise PlanError(f"plan {pid} is {plan.status_text}; it can move to: {allowed}")
    if status == "suspended" and not (reason and reason.strip()):
        raise PlanError("say why the plan is suspended (--reason)")
    if status == "approved" and not (plan.risks and plan.measures):
        raise PlanError("a plan needs at least one risk and one measure before approval")
    if outcome is not None and outcome not in OUTCOMES:
        raise PlanError(f"outcome {outcome!r} is not one of: {', '.join(OUTCOMES)}")
    steps: list[tuple[str, Sequence[Sequence[object]]]] = [
        ("INSERT INTO plan_history VALUES (?,?,?,?,?,?)",
         [(pid, now, _who(by), plan.status, status, reason.strip() if reason else None)]),
        ("UPDATE plans SET status = ?, updated_at = ? WHERE id = ?", [(status, now, pid)])]
    if status == "closed":
        steps.append(("UPDATE plans SET outcome = ? WHERE id = ?", [(outcome or "unknown", pid)]))
    store.execute_many(steps)
    return get(store, pid)


_PLAN_COLS = ("id, pupil, room, term, status, created_by, created_at, updated_at, result, "
              "outcome")


def get(store: Store, pid: str) -> Plan:
    _ensure(store)
    rows = store.query(f"SELECT {_PLAN_COLS} FROM plans WHERE id = ?", (pid,))
    if not rows:
        raise PlanError(f"there is no plan {pid!r}; 'kit plan list' shows the plans")
    return _full(store, rows[0])


def _full(store: Store, row: Sequence[object]) -> Plan:
    pid = str(row[0])
    risks = tuple(Risk(*r) for r in store.query(
        "SELECT id, domain, justification, flag, by_whom, at FROM plan_risks WHERE plan = ? "
        "ORDER BY at, id", (pid,)))
    links: dict[str, list[str]] = {}
    for m, r in store.query("SELECT l.measure, l.risk FROM plan_measure_risks l JOIN "
                            "plan_measures m ON m.id = l.measure WHERE m.plan = ? "
                            "ORDER BY l.risk", (pid,)):
        links.setdefault(m, []).append(r)
    measures = tuple(Measure(m[0], m[1], m[2], m[3], m[4], m[5], m[6],
                             risks=tuple(links.get(m[0], ()))) for m in store.query(
        "SELECT id, kind, text, starts, by_whom, at, result FROM plan_measures WHERE plan = ? "
        "ORDER BY at, id", (pid,)))
    history = tuple(Change(*h) for h in store.query(
        "SELECT at, by_whom, from_status, to_status, reason FROM plan_history WHERE plan = ? "
        "ORDER BY at", (pid,)))
    r = [str(v) if v is not None else None for v in row]
    return Plan(str(r[0]), str(r[1]), r[2], str(r[3]), str(r[4]), str(r[5]), str(r[6]),
                str(r[7]), str(r[8]), r[9], risks=risks, measures=measures, history=history)


def plans(store: Store, *, pupil: str | None = None, room: str | None = None,
          term: str | None = None) -> list[Plan]:
    _ensure(store)
    where, params = [], []
    for col, val in (("pupil", pupil), ("room", room), ("term", term)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return [_full(store, r) for r in store.query(
        f"SELECT {_PLAN_COLS} FROM plans{clause} ORDER BY term, pupil", params)]


def forget(store: Store, pupil: str) -> dict[str, int]:
    """Erase every plan of the pupil with its risks, measures and history."""
    _ensure(store)
    ids = [r[0] for r in store.query("SELECT id FROM plans WHERE pupil = ?", (pupil,))]
    counts = {"plans": 0, "plan_risks": 0, "plan_measures": 0, "plan_history": 0}
    for pid in ids:
        store.execute("DELETE FROM plan_measure_risks WHERE measure IN "
                      "(SELECT id FROM plan_measures WHERE plan = ?)", (pid,))
        counts["plan_measures"] += store.execute("DELETE FROM plan_measures WHERE plan = ?",
                                                 (pid,))
        counts["plan_risks"] += store.execute("DELETE FROM plan_risks WHERE plan = ?", (pid,))
        counts["plan_history"] += store.execute("DELETE FROM plan_history WHERE plan = ?", (pid,))
        counts["plans"] += store.execute("DELETE FROM plans WHERE id = ?", (pid,))
    return counts
