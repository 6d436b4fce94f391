"""kit pupil"""

from __future__ import annotations

import argparse

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="give a pseudonym a display name (kept on this machine)")
    add.add_argument("pseudonym")
    add.add_argument("name")
    add.add_argument("--room")
    sub.add_parser("list", help="list the roster")
    forget = sub.add_parser("forget", help="erase every record about a pupil")
    forget.add_argument("pseudonym")


def run(args: argparse.Namespace) -> int:
    from kit.clock import SystemClock
    from kit.hub.store import open_store
    from kit.protocol import check_id
    from kit.protocol.envelope import format_ts

    store = open_store(_common.store_url(args.store))
    try:
        if args.action == "add":
            pupil = check_id(args.pseudonym, "pseudonym")
            store.set_name(pupil, args.name, args.room, format_ts(SystemClock().now()))
            print(f"{pupil} is {args.name} (kept in {store.url} only)")
        elif args.action == "list":
            for pupil, name in sorted(store.names().items()):
                print(f"{pupil}\t{name}")
        else:
            from kit.classroom import erasure

            pupil = check_id(args.pseudonym, "pseudonym")
            erasure.register()
            counts = store.forget(pupil)
            total = counts["events"] + counts["roster"] + counts["rejected"]
            print(f"forgot {pupil}: deleted {total} rows ({counts['events']} events, "
                  f"{counts['roster']} roster, {counts['rejected']} rejected messages); "
                  f"redacted mentions in {counts['events_redacted']} other events")
            others = {k: v for k, v in counts.items() if k not in (
                "events", "roster", "rejected", "events_redacted") and v}
            if others:
                print("also erased: " + ", ".join(f"{v} {k}" for k, v in others.items()))
            pending = _forget_in_outboxes(pupil, store.url)
            if pending:
                print(f"and {pending} events not yet sent from this machine's stations")
    finally:
        store.close()
    return 0


def _forget_in_outboxes(pupil: str, store_url: str) -> int:
    """Stations on this machine keep events in outboxes under the data directory until the
    hub has stored them: erase the pupil's there too, so none arrives after the erasure."""
    import sqlite3

    from kit import config
    from kit.link.outbox import forget_in

    n = 0
    for path in sorted(config.home().rglob("*.db")):
        if store_url.endswith(str(path)):
            continue
        try:
            n += forget_in(path, pupil)
        except sqlite3.DatabaseError:
            continue  # not an outbox (Mosquitto's persistence file, for one)
    return n
