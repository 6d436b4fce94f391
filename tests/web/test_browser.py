"""The dashboard in a real browser (Debian's Chromium driven by Playwright): a teacher logs in
with the keyboard, watches a live lesson update, writes a note, confirms a flag and moves a
support plan through its states; a wrong password and a station credential get nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

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
    await log_in(page, "station", running.creds["station"])
    await expect(page.get_by_role("alert")).to_contain_text("do not match")
    await page.goto(f"/pupil/{running.drifting.pseudonym}")
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    assert running.drifting.pseudonym not in await page.locator("main").inner_text()


async def test_keyboard_login_and_a_live_lesson_updates_without_reloading(
        page: object, running: Running) -> None:
    from playwright.async_api import Page, expect

    assert isinstance(page, Page)
    await page.goto("/live/room-1")
    # The name field has the focus; Tab moves to the password, Enter logs in.
    await page.keyboard.type("ozola")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/live/room-1$"))
    live = page.locator("#live")
    await expect(live).to_have_attribute("data-following", "yes")

    a, b = running.pupils[0], running.pupils[1]
    async with Station(running.broker.as_role("station", running.creds), room="room-1",
                       station="station-9", run="live-1") as st:
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
