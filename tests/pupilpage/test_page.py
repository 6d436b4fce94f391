"""The pupil's own page, rendered by real Chromium in all seven languages, served through a
revocable link, and never showing another pupil."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kit.badges import Issuer, award, award_all, awards, load_definitions, revoke
from kit.hub.store import AsyncStore, open_store
from kit.pupilpage import LANGUAGES, forget, gather, issue, render, resolve
from kit.pupilpage import revoke as revoke_link
from kit.pupilpage.words import Words
from tests.badges.classroom import NAMES, make_class
from tests.conftest import need

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: What each language's page must say (a word from the badges heading and the badge name).
HEADINGS = {"en": ("Your badges", "Helping hand"), "lt": ("Tavo ženkleliai", "Pagalbos ranka"),
            "lv": ("Tavas nozīmītes", "Palīdzīgā roka"), "pl": ("Twoje odznaki", "Pomocna dłoń"),
            "it": ("I tuoi badge", "Mano amica"), "es": ("Tus insignias", "Mano amiga"),
            "bg": ("Твоите значки", "Подадена ръка")}


@pytest.fixture
def db(tmp_path: Path, kit_home: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kit.db'}"
    s = open_store(url)
    make_class(s)
    issuer = Issuer()
    award_all(s, load_definitions(), NOW, issuer)
    star = load_definitions().by_id()["teachers-star"]
    award(s, issuer, star, "p-ada001", NOW, reason="Showed Cy Cole how loops work.")
    gone = next(a for a in awards(s, pupil="p-ada001") if a.badge == "kind-words")
    revoke(s, gone.id, "test", NOW)
    s.close()
    return url


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    need(Path(CHROMIUM).exists(), "Chromium (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            await b.close()


async def saved_badges_verify(page: object, db: str) -> None:
    """Each "Save the badge" link is an SVG with the pupil's signed credential baked in."""
    import base64

    from openbadgeslib.ob3.verifier import OB3Verifier

    links = page.locator("a.save")  # type: ignore[attr-defined]
    assert await links.count() == 4
    issuer = Issuer()
    for i in range(4):
        href = await links.nth(i).get_attribute("href")
        svg = base64.b64decode(href.removeprefix("data:image/svg+xml;base64,"))
        token = OB3Verifier.extract_token_from_svg(svg)
        kid = issuer.signing_keys()[0].kid
        OB3Verifier(issuer.public_pem(kid)).verify(token)


def others(pupil: str) -> list[str]:
    return [x for p, n in NAMES.items() if p != pupil for x in (p, n)]


def test_every_message_is_translated_in_every_language() -> None:
    from kit.activities.i18n import parse_po
    from kit.pupilpage.words import LOCALE_DIR

    english = {e.msgid for e in parse_po((LOCALE_DIR / "en.po").read_text()) if e.msgid}
    for lang in LANGUAGES:
        entries = [e for e in parse_po((LOCALE_DIR / f"{lang}.po").read_text()) if e.msgid]
        assert {e.msgid for e in entries} == english, lang
        assert all(all(v.strip() for v in e.msgstr.values()) for e in entries), lang
        w = Words(lang)
        assert "{" not in w.n("You helped a teammate {n} time.", "You helped teammates {n} times.",
                              5)


def test_the_page_shows_only_the_pupils_own_work(db: str) -> None:
    store = open_store(db)
    content = gather(store, "p-ada001", "en")
    html = render(content, NOW)
    for other in others("p-ada001"):
        assert other not in html
    assert "Ada Lovelace" in html
    assert "Helping hand" in html and "Kind words" not in html  # revoked: not shown
    assert "Your teacher wrote: Showed a classmate how loops work." in html
    assert "You played 60 bars of the class song." in html
    assert "You helped teammates 12 times." in html
    assert "You took part in 2 lessons." in html
    # The words a family reads (the saved badges' base64 data can hold any letters).
    words = re.sub(r'href="data:[^"]*"', "", html).lower()
    for word in ("rank", "risk", "warning", "plan", "behind", "average"):
        assert word not in words
    store.close()


async def test_the_page_file_renders_in_chromium_in_all_seven_languages(
        db: str, browser: object, tmp_path: Path) -> None:
    store = open_store(db)
    page = await browser.new_page()  # type: ignore[attr-defined]
    for lang in LANGUAGES:
        path = tmp_path / f"ada-{lang}.html"
        path.write_text(render(gather(store, "p-ada001", lang), NOW), encoding="utf-8")
        await page.goto(path.as_uri())
        text = await page.inner_text("body")
        heading, badge = HEADINGS[lang]
        assert heading in text and badge in text, lang
        assert await page.get_attribute("html", "lang") == lang
        for other in others("p-ada001"):
            assert other not in text
        assert await page.locator("li.badge").count() == 4  # five awarded, one revoked
        if lang == "en":
            await saved_badges_verify(page, db)
        if lang == "lt" and os.environ.get("KIT_SCREENSHOTS"):
            await page.screenshot(path=os.environ["KIT_SCREENSHOTS"] + "/pupil-page-lt.png",
                                  full_page=True)
    store.close()


async def test_a_link_serves_the_page_until_it_is_revoked(db: str, browser: object) -> None:
    import uvicorn

    from kit.pupilpage.routes import app

    s = open_store(db)
    link = issue(s, "p-bo0002", "pl", "2026-03-20T12:00:00.000Z")
    s.close()
    # The socket listens before the server task starts: the browser's connection waits in
    # its backlog, so nothing has to wait for the server to be "ready".
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    async with AsyncStore(db) as astore:
        server = uvicorn.Server(uvicorn.Config(app(astore), log_level="warning",
                                               lifespan="off"))
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            page = await browser.new_page()  # type: ignore[attr-defined]
            url = f"http://127.0.0.1:{port}/pupil/{link.token}"
            resp = await page.goto(url)
            assert resp.status == 200
            assert resp.headers["cache-control"] == "no-store"
            text = await page.inner_text("body")
            assert "Twoje odznaki" in text and "Bo Berg" in text
            for other in others("p-bo0002"):
                assert other not in text
            await astore.call(lambda st: revoke_link(st, "2026-03-21T08:00:00.000Z",
                                                     token=link.token))
            resp = await page.goto(url + "?lang=pl")
            assert resp.status == 404
            assert "Ten link już nie działa" in await page.inner_text("body")
        finally:
            server.should_exit = True
            await asyncio.wait_for(serving, 60)
            sock.close()


def test_forgetting_a_pupil_stops_their_links(db: str) -> None:
    store = open_store(db)
    link = issue(store, "p-cy0003", "es", "2026-03-20T12:00:00.000Z")
    assert resolve(store, link.token) is not None
    assert forget(store, "p-cy0003") == {"pupil_page_tokens": 1}
    assert resolve(store, link.token) is None
    store.close()
