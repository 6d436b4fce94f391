"""kit badge"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kit.cli import _common

if TYPE_CHECKING:
    from kit.badges.definitions import BadgesFile
    from kit.badges.issuer import Issuer
    from kit.hub.store import Store


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    p.add_argument("--badges", type=Path, action="append", default=[],
                   help="a badges file of the school's own (besides the badges kit ships)")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = sub.add_parser("award", help="award the badges pupils have earned, or one by hand")
    a.add_argument("--all", action="store_true", help="every badge each pupil's record earns")
    a.add_argument("pupil", nargs="?", help="pseudonym (with BADGE and --reason: by hand)")
    a.add_argument("badge", nargs="?", help="badge id")
    a.add_argument("--reason", help="why you award it; the family reads this")
    ls = sub.add_parser("list", help="list awards")
    ls.add_argument("--pupil")
    v = sub.add_parser("verify", help="check a credential: signature, issuer, revocation")
    v.add_argument("file", nargs="?",
                   help="a file holding the credential (VC-JWT), or - for stdin")
    v.add_argument("--all", action="store_true", help="check every credential issued")
    r = sub.add_parser("revoke", help="revoke an award (its credential stops verifying)")
    r.add_argument("award", help="award id from 'kit badge list'")
    r.add_argument("--reason", required=True)
    s = sub.add_parser("show", help="print an award's Open Badges 3.0 credential (or 2.0)")
    s.add_argument("award")
    s.add_argument("--ob2", action="store_true", help="the Open Badges 2.0 assertion instead")
    e = sub.add_parser("export", help="write credentials, status lists and the OB 2.0 export")
    e.add_argument("dir", type=Path)
    c = sub.add_parser("check", help="check badges files; every problem as file:line:col")
    c.add_argument("files", nargs="+", type=Path)
    k = sub.add_parser("key", help="the school's signing keys: list, rotate, revoke KID")
    k.add_argument("key_action", choices=["list", "rotate", "revoke"])
    k.add_argument("kid", nargs="?")
    i = sub.add_parser("issuer", help="show or set the school's name and the hub's address")
    i.add_argument("--name")
    i.add_argument("--url", help="the hub's public web address, e.g. https://hub.school.example")
    i.add_argument("--names", choices=["on", "off"],
                   help="put pupils' names in their credentials (off by default)")


def _definitions(args: argparse.Namespace) -> BadgesFile:
    from kit.badges.definitions import load_definitions, merge

    return merge([load_definitions(), *(load_definitions(p) for p in args.badges)])


def run(args: argparse.Namespace) -> int:
    from kit.badges.definitions import BadgesInvalid, load_definitions
    from kit.badges.issuer import Issuer
    from kit.clock import SystemClock

    now = SystemClock().now()
    if args.action == "check":
        bad = 0
        for f in args.files:
            try:
                defs = load_definitions(f)
                print(f"{f}: {len(defs.badges)} badges, all fine")
            except BadgesInvalid as e:
                bad += 1
                print("\n".join(e.problems), file=sys.stderr)
        return 1 if bad else 0
    issuer = Issuer()
    if args.action == "issuer":
        if args.name or args.url or args.names:
            issuer.configure(name=args.name, base_url=args.url,
                             names_in_credentials=None if args.names is None
                             else args.names == "on")
        print(f"issuer: {issuer.name}\naddress: {issuer.base_url}\nnames in credentials: "
              f"{'on' if issuer.names_in_credentials else 'off'}\nkept in: {issuer.dir}")
        return 0
    if args.action == "key":
        return _key(args, issuer, now)
    from kit.hub.store import open_store

    store = open_store(_common.store_url(args.store))
    try:
        return _with_store(args, store, issuer, now)
    finally:
        store.close()


def _key(args: argparse.Namespace, issuer: Issuer, now: datetime) -> int:
    from kit.errors import ConfigError

    if args.key_action == "rotate":
        k = issuer.rotate(now)
        print(f"new signing key {k.kid}; credentials signed before still verify")
    elif args.key_action == "revoke":
        if not args.kid:
            raise ConfigError("say which key to revoke: kit badge key revoke KID")
        k = issuer.revoke_key(args.kid, now)
        print(f"revoked {k.kid}: nothing it signed verifies any more; "
              f"re-award those badges with 'kit badge award --all' after revoking them")
    for k in issuer.signing_keys():
        print(f"{k.kid}\t{k.state}\t{k.created}")
    return 0


def _with_store(args: argparse.Namespace, store: Store, issuer: Issuer, now: datetime) -> int:
    from kit.badges import issuing as aw
    from kit.protocol import check_id

    if args.action == "award":
        if args.all:
            counts = aw.award_all(store, _definitions(args), now, issuer)
            print(f"issued {counts['issued']} new badges ({counts['held']} already held, "
                  f"{counts['pupils']} pupils with a record)")
            return 0
        if not (args.pupil and args.badge and args.reason):
            raise aw.BadgeError("give --all, or PUPIL BADGE --reason '...' to award by hand")
        defs = _definitions(args).by_id()
        if args.badge not in defs:
            raise aw.BadgeError(f"no badge {args.badge!r}; badges: {', '.join(sorted(defs))}")
        got = aw.award(store, issuer, defs[args.badge], check_id(args.pupil, "pseudonym"), now,
                       reason=args.reason)
        print(f"{args.pupil} already holds {args.badge}" if got is None
              else f"awarded {args.badge} to {args.pupil} ({got.id})")
        return 0
    if args.action == "list":
        names = store.names()  # shown on this machine only, as in 'kit pupil list'
        for a in aw.awards(store, pupil=args.pupil):
            state = f"revoked {a.revoked_at}" if a.revoked else "valid"
            how = "by hand" if a.by_hand else "earned"
            print(f"{a.id}\t{a.pupil}\t{names.get(a.pupil, '')}\t{a.badge}\t{a.awarded_at}\t"
                  f"{how}\t{state}")
        return 0
    if args.action == "verify":
        if args.all:
            from kit.recognition import verify_all

            c = verify_all(store, issuer)
            print(f"verified {c['verified']}, revoked {c['revoked']}, failed {c['failed']}")
            return 1 if c["failed"] else 0
        if not args.file:
            raise aw.BadgeError("give the credential's file (or - for stdin), or --all")
        token = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
        verdict = aw.verify(store, issuer, token.strip())
        print(("valid" if verdict.ok else "NOT valid") + f": {verdict.reason}")
        return 0 if verdict.ok else 1
    if args.action == "revoke":
        a = aw.revoke(store, args.award, args.reason, now)
        print(f"revoked {a.badge} of {a.pupil}; publish the status list again "
              "('kit badge export DIR') if it is hosted elsewhere")
        return 0
    if args.action == "show":
        found = [a for a in aw.awards(store) if a.id in (args.award, f"urn:uuid:{args.award}")]
        if not found:
            raise aw.BadgeError(f"no award {args.award!r}; 'kit badge list' shows the ids")
        print(found[0].ob2 if args.ob2 else found[0].credential)
        return 0
    # export
    out: Path = args.dir
    (out / "ob3").mkdir(parents=True, exist_ok=True)
    all_awards = aw.awards(store)
    from kit.badges.baking import badge_svg

    defs = _definitions(args).by_id()
    for a in all_awards:
        stem = out / "ob3" / a.id.removeprefix("urn:uuid:")
        stem.with_suffix(".jwt").write_text(a.credential)
        name = defs[a.badge].text("name", "en") if a.badge in defs else a.badge
        stem.with_suffix(".svg").write_text(badge_svg(a.badge, name, a.credential))
    published = aw.publish(store, issuer, out / "status", now)
    counts = aw.export_ob2(store, issuer, out / "ob2", _definitions(args))
    print(f"wrote {len(all_awards)} Open Badges 3.0 credentials (.jwt, and baked in .svg), "
          f"{len(published) - 1} status "
          f"lists and {counts['assertions']} Open Badges 2.0 assertions "
          f"({counts['revoked']} revoked) to {out}")
    return 0
