"""Who gets what: nothing about pupils without a teacher's login, forms need their CSRF token,
and an MQTT role's password is not a login."""

from __future__ import annotations

import re

import httpx

from tests.web.conftest import PASSWORD, Running


async def login(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    page = await client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token
    return await client.post("/login", data={"name": name, "password": password,
                                             "login_csrf": token.group(1), "next": "/"})


def csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


async def test_nothing_about_pupils_without_a_login(running: Running) -> None:
    who = running.drifting.pseudonym
    async with httpx.AsyncClient(base_url=running.url, timeout=30) as c:
        for path in ("/", "/report", "/report.csv", "/live/room-1", "/live/room-1/state",
                     f"/pupil/{who}", "/plans", "/stats", "/flags.csv"):
            r = await c.get(path, headers={"accept": "text/html"})
            assert r.status_code in (303, 401), path
            assert who not in r.text
        r = await c.get("/live/room-1/state")
        assert r.status_code == 401
        r = await c.post(f"/pupil/{who}/notes", data={"text": "x", "csrf": "guess"})
        assert r.status_code == 401


async def test_a_wrong_password_or_a_station_credential_gets_nothing(running: Running) -> None:
    async with httpx.AsyncClient(base_url=running.url, timeout=30) as c:
        r = await login(c, "ozola", "not the password")
        assert r.status_code == 401 and "do not match" in r.text
        assert "kit_session" not in c.cookies
        for role in ("station", "hub", "teacher"):
            mqtt_login = running.creds[role]
            r = await login(c, str(mqtt_login.username), str(mqtt_login.password))
            assert r.status_code == 401
            assert "kit_session" not in c.cookies
        assert (await c.get("/live/room-1/state")).status_code == 401


async def test_a_teacher_sees_the_class_and_forms_need_the_token(running: Running) -> None:
    who = running.drifting.pseudonym
    async with httpx.AsyncClient(base_url=running.url, timeout=30) as c:
        r = await login(c, "ozola", PASSWORD)
        assert r.status_code == 303
        assert r.headers["location"] == "/"
        report = await c.get("/report?room=room-1")
        assert report.status_code == 200
        assert "Attendance below 80%" in report.text and who in report.text
        assert report.headers["content-security-policy"].startswith("default-src 'self'")
        page = await c.get(f"/pupil/{who}")
        r = await c.post(f"/pupil/{who}/notes", data={"text": "sat apart"})
        assert r.status_code == 403
        r = await c.post(f"/pupil/{who}/notes",
                         data={"text": "sat apart", "csrf": csrf(page.text)})
        assert r.status_code == 303
        assert "sat apart" in (await c.get(f"/pupil/{who}")).text
        csv = await c.get("/report.csv?room=room-1")
        assert csv.text.startswith("week,room,team,pupil")
        file = await c.get("/report.html?room=room-1")
        assert "attachment" in file.headers["content-disposition"]
        # Self-contained: no script, no stylesheet or image fetched from anywhere.
        assert "<script" not in file.text and 'src="http' not in file.text
        assert "<link" not in file.text
        stats = await c.get("/stats")
        assert "School statistics" in stats.text
        # Logging out ends the session.
        r = await c.post("/logout", data={"csrf": csrf(page.text)})
        assert r.status_code == 303
        assert (await c.get("/live/room-1/state")).status_code == 401


async def test_another_module_adds_pages(term_template: object, tmp_path: object,
                                         embedded: object, creds: dict[str, str]) -> None:
    """A page added through ``routes`` shares the login and the store."""
    import asyncio
    import shutil
    from pathlib import Path

    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    from kit.web.app import DashboardSettings, dashboard, require_teacher, serve

    async def badges(request: Request) -> Response:
        session = require_teacher(request)
        names = await dashboard(request).call(lambda s: s.names())
        return PlainTextResponse(f"{session.teacher.display}: {len(names)} pupils")

    db = Path(str(tmp_path)) / "extra.db"
    shutil.copy(Path(str(term_template)), db)
    stop = asyncio.Event()
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(DashboardSettings(port=0, store=f"sqlite:///{db}"),
                                     routes=[Route("/badges", badges)], stop=stop,
                                     on_ready=port.set_result))
    try:
        url = f"http://127.0.0.1:{await asyncio.wait_for(port, 30)}"
        async with httpx.AsyncClient(base_url=url, timeout=30) as c:
            assert (await c.get("/badges")).status_code == 401
            await login(c, "ozola", PASSWORD)
            r = await c.get("/badges")
            assert r.status_code == 200 and r.text == "Ms Ozola: 24 pupils"
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_guessing_a_password_is_slowed_down(running: Running) -> None:
    async with httpx.AsyncClient(base_url=running.url, timeout=30) as c:
        for _ in range(5):
            r = await login(c, "ozola", "a guess")
            assert "do not match" in r.text
        r = await login(c, "ozola", PASSWORD)  # even the right one, for a while
        assert r.status_code == 401 and "Too many wrong passwords" in r.text
        assert "kit_session" not in c.cookies


def test_the_login_throttle_forgets_after_its_window() -> None:
    from kit.web.auth import Throttle

    t = Throttle(limit=2, window_s=300)
    key = ("10.0.0.7", "ozola")
    t.failed(key, 0.0)
    t.failed(key, 10.0)
    assert not t.allowed(key, 20.0)
    assert t.allowed(("10.0.0.8", "ozola"), 20.0)  # another tablet is not locked out
    assert t.allowed(key, 311.0)
