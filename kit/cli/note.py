"""kit note"""

from __future__ import annotations

import argparse
import os

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    p.add_argument("pupil", help="the pupil's pseudonym, e.g. p-k3v9qa")
    p.add_argument("text", nargs="?",
                   help="what you saw, in quotes; leave out to list the pupil's notes")
    p.add_argument("--by", default=os.environ.get("KIT_TEACHER", ""),
                   help="who writes the note (default: $KIT_TEACHER)")
    p.add_argument("--room", help="the room the note is about")


def run(args: argparse.Namespace) -> int:
    from kit.clock import SystemClock
    from kit.hub.store import open_store
    from kit.plans import notes
    from kit.protocol import check_id
    from kit.protocol.envelope import format_ts

    pupil = check_id(args.pupil, "pseudonym")
    store = open_store(_common.store_url(args.store))
    try:
        if args.text is None:
            found = notes.notes(store, pupil=pupil)
            if not found:
                print(f"no notes about {pupil} yet")
            for n in found:
                print(f"{n.at[:16].replace('T', ' ')}  {n.author}: {n.text}")
            return 0
        note = notes.add(store, pupil, args.text, author=args.by,
                         at=format_ts(SystemClock().now()), room=args.room)
        print(f"noted about {pupil} on {note.at[:10]} by {note.author} ({note.id})")
    finally:
        store.close()
    return 0
