"""kit plan"""

from __future__ import annotations

import argparse
import os

from kit.cli import _common


def _by(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", default=os.environ.get("KIT_TEACHER", ""),
                   help="who makes the change (default: $KIT_TEACHER)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from kit.plans.plans import DOMAINS, MEASURE_KINDS, OUTCOMES, STATUSES

    _common.add_store(p)
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = sub.add_parser("new", help="start a support plan (draft) for a pupil and a term")
    new.add_argument("pupil")
    new.add_argument("--term", required=True, help="e.g. 2026-spring")
    new.add_argument("--room")
    _by(new)
    ls = sub.add_parser("list", help="the plans, with their status")
    ls.add_argument("--pupil")
    ls.add_argument("--term")
    show = sub.add_parser("show", help="one plan: risks, measures, results, history")
    show.add_argument("plan")
    risk = sub.add_parser("risk", help="add a risk with its justification")
    risk.add_argument("plan")
    risk.add_argument("domain", choices=list(DOMAINS))
    risk.add_argument("justification")
    risk.add_argument("--flag", help="a confirmed flag as evidence (kit flag list)")
    _by(risk)
    m = sub.add_parser("measure", help="add a measure answering one or more risks")
    m.add_argument("plan")
    m.add_argument("text")
    m.add_argument("--risk", action="append", default=[], required=True,
                   help="a risk of the plan the measure answers (repeat for several)")
    m.add_argument("--kind", choices=list(MEASURE_KINDS), default="other")
    m.add_argument("--from", dest="starts", help="start day (YYYY-MM-DD; default today)")
    _by(m)
    res = sub.add_parser("result", help="write the result of the plan or of one measure")
    res.add_argument("plan")
    res.add_argument("text")
    res.add_argument("--measure")
    _by(res)
    st = sub.add_parser("status", help="move the plan: " + " → ".join(STATUSES))
    st.add_argument("plan")
    st.add_argument("status", choices=list(STATUSES))
    st.add_argument("--reason", help="required when suspending")
    st.add_argument("--outcome", choices=OUTCOMES, help="when closing")
    _by(st)


def run(args: argparse.Namespace) -> int:
    from kit.clock import SystemClock
    from kit.hub.store import open_store
    from kit.plans import plans
    from kit.protocol import check_id
    from kit.protocol.envelope import format_ts

    now = format_ts(SystemClock().now())
    store = open_store(_common.store_url(args.store))
    try:
        a = args.action
        if a == "new":
            plan = plans.create(store, check_id(args.pupil, "pseudonym"), args.term, by=args.by,
                                now=now, room=args.room)
            print(f"{plan.id}: plan for {plan.pupil}, {plan.term} (draft)")
        elif a == "list":
            for plan in plans.plans(store, pupil=args.pupil, term=args.term):
                print(f"{plan.id}  {plan.pupil}  {plan.term}  {plan.status_text}  "
                      f"{len(plan.risks)} risks, {len(plan.measures)} measures")
        elif a == "show":
            show(plans.get(store, args.plan), store.names())
        elif a == "risk":
            r = plans.add_risk(store, args.plan, args.domain, args.justification, by=args.by,
                               now=now, flag=args.flag)
            print(f"{r.id}: {plans.DOMAINS[r.domain]} risk added to {args.plan}")
        elif a == "measure":
            m = plans.add_measure(store, args.plan, args.text, args.risk, by=args.by, now=now,
                                  kind=args.kind, starts=args.starts)
            print(f"{m.id}: measure added to {args.plan}, from {m.starts}")
        elif a == "result":
            plans.set_result(store, args.plan, args.text, by=args.by, now=now,
                             measure=args.measure)
            print(f"result written on {args.measure or args.plan}")
        else:
            plan = plans.move(store, args.plan, args.status, by=args.by, now=now,
                              reason=args.reason, outcome=args.outcome)
            print(f"{plan.id} is now {plan.status_text}")
    finally:
        store.close()
    return 0


def show(plan: object, names: dict[str, str]) -> None:
    from kit.plans.plans import DOMAINS, MEASURE_KINDS, Plan

    assert isinstance(plan, Plan)
    who = f"{names[plan.pupil]} ({plan.pupil})" if plan.pupil in names else plan.pupil
    print(f"{plan.id}: {who}, {plan.term}, {plan.status_text}")
    print(f"  started by {plan.created_by} on {plan.created_at[:10]}")
    for r in plan.risks:
        ev = f" [evidence: flag {r.flag}]" if r.flag else ""
        print(f"  risk {r.id} ({DOMAINS[r.domain]}): {r.justification}{ev} — {r.by}, "
              f"{r.at[:10]}")
    for m in plan.measures:
        print(f"  measure {m.id} ({MEASURE_KINDS[m.kind]}, from {m.starts}, {m.by}): {m.text}"
              f" → answers {', '.join(m.risks)}")
        if m.result:
            print(f"    result: {m.result}")
    if plan.result:
        print(f"  result: {plan.result}")
    for c in plan.history:
        why = f" ({c.reason})" if c.reason else ""
        print(f"  {c.at[:10]} {c.by}: {c.from_status} → {c.to_status}{why}")
