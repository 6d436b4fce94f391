"""The dashboard in a real browser (Debian's Chromium driven by Playwright): a teacher logs in
with the keyboard, watches a live lesson update, writes a note, confirms a flag and moves a
support plan through its states; a wrong password and a station credential get nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kit import config
from kit.link.station import Station
from tests.conftest import need
from tests.web.conftest import PASSWORD, Running

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 30_000  # a hang guard on a busy machine, not a speed requirement

pytest.importorskip("playwright")


@pytest.fixture(autouse=True)
def _patient_expect() -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
async def page(running: Running) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    need(CHROMIUM.exists(), "Chromium (apt-get install chromium)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM),
                                           args=["--no-sandbox"])
        try:
            context = await browser.new_context(base_url=running.url,
                                                viewport={"width": 1024, "height": 768})
            context.set_default_timeout(TIMEOUT_MS)
            yield await context.new_page()
        finally:
            await browser.close()


async def log_in(page: object, name: str, password: str) -> None:
    from playwright.async_api import Page

    assert isinstance(page, Page)
    await page.goto("/")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()


async def test_wrong_password_and_station_credential_get_nothing(page: object,
                                                                 running: Running) -> None:
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    await log_in(page, "ozola", "not the password")
    await expect(page.get_by_role("alert")).to_contain_text("do not match")
    station = running.creds["station"]
    await log_in(page, str(station.username), str(station.password))
    await expect(page.get_by_role("alert")).to_contain_text("do not match")
    await page.goto(f"/pupil/{running.drifting.pseudonym}")
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    assert running.drifting.pseudonym not in await page.locator("main").inner_text()


async def test_keyboard_login_and_a_live_lesson_updates_without_reloading(
        page: object, running: Running) -> None:
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    await page.goto("/live/room-1")
    # The name field has the focus; Tab moves to the password, Enter logs in. (Keys typed
    # before the field has it would go nowhere: on a busy machine, wait for the focus.)
    await expect(page.locator("#name")).to_be_focused()
    await page.keyboard.type("ozola")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/live/room-1$"))
    live = page.locator("#live")
    await expect(live).to_have_attribute("data-following", "yes")

    a, b = running.pupils[0], running.pupils[1]
    screen = config.station_address(running.broker, role="station", station="station-9",
                                    room="room-1")
    async with Station(screen, room="room-1", station="station-9", run="live-1") as st:
        await st.record("join", pupil=a.pseudonym, team=a.team)
        await st.record("join", pupil=b.pseudonym, team=b.team)
        await st.record("step", data={"action": "start", "step": "build"})
        tile_a = page.locator(f'li[data-pupil="{a.pseudonym}"]')
        tile_b = page.locator(f'li[data-pupil="{b.pseudonym}"]')
        await expect(tile_a).to_have_attribute("data-state", "waiting")
        await expect(tile_b).to_have_attribute("data-state", "waiting")
        await expect(page.get_by_role("status")).to_contain_text("2 present, 2 not acted yet")
        await st.record("contribution", pupil=a.pseudonym, team=a.team)
        await expect(tile_a).to_have_attribute("data-state", "acted")
        await expect(page.get_by_role("status")).to_contain_text("2 present, 1 not acted yet")
        await st.record("leave", pupil=b.pseudonym, team=b.team)
        await expect(tile_b).to_have_attribute("data-state", "absent")
        await st.flushed()
    # The flags already raised for the room are on the live page too.
    await expect(page.locator("#flags")).to_contain_text("attendance below 80%")


async def test_note_flag_and_a_plan_through_its_states(page: object, running: Running) -> None:
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    who = running.drifting.pseudonym
    await log_in(page, "ozola", PASSWORD)
    await page.goto(f"/pupil/{who}")
    await page.get_by_label("Add an observation").fill("sat apart, refused the driver role")
    await page.get_by_role("button", name="Save the note").click()
    await expect(page.locator(".note")).to_contain_text("Ms Ozola: sat apart, refused")

    iso = page.locator("section.flag", has_text="no help or compliment")
    await iso.get_by_role("button", name=re.compile("^Confirm flag")).click()
    await expect(iso.locator(".flag-status")).to_have_text("confirmed")

    await page.get_by_label("Start a plan for the term").fill("2026-spring")
    await page.get_by_role("button", name="Start a plan").click()
    status = page.locator("#plan-status")
    await expect(status).to_have_text("draft")
    await page.get_by_label("Domain").select_option("withdrawal")
    await page.get_by_label("Justification").fill("helps nobody and is not helped since week 5")
    await page.get_by_label("Evidence: a confirmed flag").select_option(index=1)
    await page.get_by_role("button", name="Add the risk").click()
    risks = page.get_by_role("table", name="Risks and their justification")
    await expect(risks).to_contain_text("social withdrawal")
    await page.get_by_label("Measure", exact=True).fill("a regular role as navigator with a buddy")
    await page.get_by_role("button", name="Add the measure").click()
    measures = page.get_by_role("table", name=re.compile("^Measures"))
    await expect(measures).to_contain_text("navigator")

    for target in ("approved", "in progress", "under review"):
        await page.get_by_label("Move the plan to").select_option(label=target)
        await page.get_by_role("button", name="Change the status").click()
        await expect(status).to_have_text(target)
    await page.get_by_label("Move the plan to").select_option(label="suspended")
    await page.get_by_role("button", name="Change the status").click()
    await expect(page.get_by_role("status")).to_contain_text("say why")
    await expect(status).to_have_text("under review")
    await page.get_by_label("Move the plan to").select_option(label="suspended")
    await page.get_by_label("Reason").fill("the family is away for a month")
    await page.get_by_role("button", name="Change the status").click()
    await expect(status).to_have_text("suspended")
    await page.get_by_label("Move the plan to").select_option(label="closed")
    await page.get_by_label("Outcome").select_option("improved")
    await page.get_by_role("button", name="Change the status").click()
    await expect(status).to_have_text("closed")
    await expect(page.locator("ol")).to_contain_text("suspended (the family is away")


async def test_flags_appear_on_the_live_page_when_a_lesson_ends(
        tmp_path: Path, creds: dict[str, str]) -> None:
    """The hub (broker, recorder and dashboard) over five recorded weeks, nothing flagged;
    week 6 is recorded and the teacher ends the lesson: the drifting pupil's flags appear on
    the open page without reloading."""
    import asyncio
    from datetime import datetime

    from playwright.async_api import async_playwright, expect

    from kit.clock import SystemClock

    class VirtualTime(SystemClock):
        """Real sleeping, but ``now()`` is whatever time the lesson's events say."""

        def __init__(self, start: datetime) -> None:
            self.current = start

        def now(self) -> datetime:
            return self.current

    from kit.config import BrokerAddress
    from kit.hub.service import HubSettings, free_port, run_hub
    from kit.hub.store import open_store
    from kit.protocol.envelope import parse_ts
    from kit.sim.classlist import class_list
    from kit.sim.history import lesson_run, record_history
    from kit.web import auth

    need(CHROMIUM.exists(), "Chromium (apt-get install chromium)")
    pupils = class_list()
    url = f"sqlite:///{tmp_path / 'kit.db'}"
    store = open_store(url)
    record_history(store, pupils, weeks=5)
    auth.add_teacher(store, "ozola", PASSWORD, display="Ms Ozola", now="2026-03-01T08:00:00.000Z")
    store.close()
    web = free_port()
    ready: asyncio.Future[BrokerAddress] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    hub = asyncio.create_task(run_hub(
        HubSettings(broker="embedded", port=free_port(), store=url, retention_days=None,
                    dashboard_port=web), on_ready=ready.set_result, stop=stop))
    try:
        broker = await asyncio.wait_for(ready, 60)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM),
                                               args=["--no-sandbox"])
            try:
                page = await browser.new_page(base_url=f"http://127.0.0.1:{web}")
                page.set_default_timeout(TIMEOUT_MS)
                await log_in(page, "ozola", PASSWORD)
                await expect(page.locator("#live")).to_have_attribute("data-following", "yes")
                flags = page.locator("#flags")
                await expect(flags).to_have_text("None so far.")
                # Week 6: the teams' events are recorded (here straight into the store, to
                # keep the test short), then the teacher's console runs the lesson's steps
                # and ends it through the broker and the hub's recorder.
                week6 = lesson_run(pupils, 6)
                store = open_store(url)
                store.insert_events([e for e in week6 if e.station != "teacher"], week6[-1].ts)
                store.close()
                clock = VirtualTime(parse_ts(week6[0].ts))
                teacher = config.station_address(broker, role="teacher", station="teacher",
                                                 room="room-1")
                async with Station(teacher, room="room-1",
                                   station="teacher", run="w06-1", clock=clock) as st:
                    for e in week6:
                        if e.station == "teacher":
                            clock.current = parse_ts(e.ts)
                            await st.record(e.kind, data=e.data)
                    await st.flushed()
                who = next(p for p in pupils if p.habit.name == "drifting")
                await expect(flags).to_contain_text(f"{who.name} ({who.pseudonym})")
                await expect(flags).to_contain_text("no help or compliment given or received")
                await expect(flags).to_contain_text("below their own usual")
            finally:
                await browser.close()
    finally:
        stop.set()
        await asyncio.wait_for(hub, 60)
