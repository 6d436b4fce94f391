"""kit page"""

from __future__ import annotations

import argparse
from pathlib import Path

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    _common.add_store(p)
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = sub.add_parser("render", help="write a pupil's own page to an HTML file")
    r.add_argument("pupil")
    r.add_argument("--lang", default="en", help="en lt lv pl it es bg")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--no-name", action="store_true", help="leave the pupil's name off")
    ln = sub.add_parser("link", help="make a link the hub serves (revocable)")
    ln.add_argument("pupil")
    ln.add_argument("--lang", default="en")
    un = sub.add_parser("unlink", help="stop a link (TOKEN) or every link of --pupil")
    un.add_argument("token", nargs="?")
    un.add_argument("--pupil")
    sv = sub.add_parser("serve", help="serve pupil pages at http://HOST:PORT/pupil/TOKEN")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8765)


def run(args: argparse.Namespace) -> int:
    from kit.badges.issuer import Issuer
    from kit.clock import SystemClock
    from kit.errors import ConfigError
    from kit.hub.store import open_store
    from kit.protocol import check_id
    from kit.protocol.envelope import format_ts
    from kit.pupilpage import gather, issue, render, revoke

    url = _common.store_url(args.store)
    if args.action == "serve":
        import uvicorn

        from kit.hub.store import AsyncStore
        from kit.pupilpage.routes import app

        async def serve() -> None:
            async with AsyncStore(url) as store:
                config = uvicorn.Config(app(store), host=args.host, port=args.port,
                                        log_level="warning")
                await uvicorn.Server(config).serve()

        import asyncio

        asyncio.run(serve())
        return 0
    now = SystemClock().now()
    store = open_store(url)
    try:
        if args.action == "render":
            pupil = check_id(args.pupil, "pseudonym")
            html = render(gather(store, pupil, args.lang, with_name=not args.no_name), now)
            args.out.write_text(html, encoding="utf-8")
            print(f"wrote {args.out}")
        elif args.action == "link":
            link = issue(store, check_id(args.pupil, "pseudonym"), args.lang, format_ts(now))
            print(f"{Issuer().base_url}/pupil/{link.token}")
            print("anyone with this link sees the page; 'kit page unlink TOKEN' stops it")
        else:
            if not args.token and not args.pupil:
                raise ConfigError("give the link's TOKEN, or --pupil to stop all their links")
            n = revoke(store, format_ts(now), token=args.token, pupil=args.pupil)
            print(f"stopped {n} link{'s' if n != 1 else ''}")
    finally:
        store.close()
    return 0
