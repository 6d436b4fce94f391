"""The dashboard app (Starlette + Jinja2), and :func:`serve` to run it with uvicorn.

Every page but the login form needs a teacher session; every form and script request carries
the session's CSRF token. Store calls run on the store's own thread (:class:`AsyncStore`).
Other modules add pages through ``create_app(routes=[...])`` and reach the shared parts
through :func:`dashboard` (the store, the templates, :func:`require_teacher`).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from kit.clock import Clock, SystemClock
from kit.config import BrokerAddress
from kit.errors import KitError
from kit.hub.store import AsyncStore, Store
from kit.protocol.envelope import Event, format_ts
from kit.web import auth
from kit.web.live import LiveRooms, follow

log = logging.getLogger(__name__)
T = TypeVar("T")

COOKIE = "kit_session"
LOGIN_COOKIE = "kit_login"


@dataclass(frozen=True)
class DashboardSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    store: str = ""
    #: the hub's broker address (without role); None: no live view
    broker: BrokerAddress | None = None
    room: str = "+"
    #: refresh flags at least this often (seconds), and at every step or lesson event
    flag_interval_s: float = 60.0
    secure_cookies: bool = False


@dataclass
class Dashboard:
    settings: DashboardSettings
    store: AsyncStore
    clock: Clock
    templates: jinja2.Environment
    sessions: auth.Sessions = field(default_factory=auth.Sessions)
    throttle: auth.Throttle = field(default_factory=auth.Throttle)
    live: LiveRooms = field(default_factory=LiveRooms)
    live_ready: asyncio.Event = field(default_factory=asyncio.Event)
    refresh_now: asyncio.Event = field(default_factory=asyncio.Event)
    #: ids of step and lesson events seen live, to find in the store before looking for flags
    awaited: set[str] = field(default_factory=set)

    def nudge(self, ev: Event) -> None:
        """A step or lesson event went by: look for flags once the recorder has stored it."""
        self.awaited.add(ev.id)
        self.refresh_now.set()

    def now(self) -> str:
        return format_ts(self.clock.now())

    async def call(self, fn: Callable[[Store], T]) -> T:
        return await self.store.call(fn)


def dashboard(request: Request) -> Dashboard:
    d: Dashboard = request.app.state.kit
    return d


def require_teacher(request: Request) -> auth.Session:
    """The logged-in teacher's session; anyone else is sent to the login page."""
    d = dashboard(request)
    session = d.sessions.get(request.cookies.get(COOKIE), d.clock.monotonic())
    if session is None:
        wants_html = "text/html" in request.headers.get("accept", "")
        if request.method == "GET" and wants_html:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": target})})
        raise HTTPException(401, "log in first")
    return session


async def checked_form(request: Request) -> tuple[auth.Session, FormData]:
    """The teacher's session and the posted form, if its CSRF token is the session's."""
    session = require_teacher(request)
    form = await request.form()
    token = form.get("csrf") or request.headers.get("x-csrf-token")
    if not auth.same(str(token) if token else None, session.csrf):
        raise HTTPException(403, "the form is out of date: reload the page and try again")
    return session, form


def _text(form: FormData, name: str) -> str:
    v = form.get(name)
    return v.strip() if isinstance(v, str) else ""


def render(request: Request, template: str, *, status: int = 200, **context: Any
           ) -> HTMLResponse:
    d = dashboard(request)
    session = d.sessions.get(request.cookies.get(COOKIE), d.clock.monotonic())
    context.setdefault("msg", request.query_params.get("msg"))
    html = d.templates.get_template(template).render(
        request=request, teacher=session.teacher if session else None,
        csrf=session.csrf if session else "", **context)
    return HTMLResponse(html, status_code=status)


def _back(path: str, message: str | None = None) -> RedirectResponse:
    return RedirectResponse(path + (("?" + urlencode({"msg": message})) if message else ""),
                            status_code=303)


# Pages -------------------------------------------------------------------------------------

async def login_page(request: Request) -> Response:
    import secrets

    token = secrets.token_urlsafe(16)
    response = render(request, "login.html", next=request.query_params.get("next", "/"),
                      login_csrf=token, error=None)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


async def login(request: Request) -> Response:
    import secrets

    d = dashboard(request)
    form = await request.form()
    nxt = _text(form, "next")
    nxt = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/"
    if not auth.same(_text(form, "login_csrf"), request.cookies.get(LOGIN_COOKIE)):
        raise HTTPException(403, "the login form is out of date: reload the page")
    name, password = _text(form, "name"), str(form.get("password") or "")
    key = (request.client.host if request.client else "-", name.lower())
    if not d.throttle.allowed(key, d.clock.monotonic()):
        teacher = None
        error = "Too many wrong passwords: wait five minutes, then try again."
    else:
        teacher = await d.call(lambda s: auth.check_password(s, name, password))
        error = "That name and password do not match a teacher account."
    if teacher is None:
        d.throttle.failed(key, d.clock.monotonic())
        token = secrets.token_urlsafe(16)
        page = render(request, "login.html", status=401, next=nxt, login_csrf=token,
                      error=error)
        page.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/login")
        return page
    d.throttle.succeeded(key)
    token, _ = d.sessions.open(teacher, d.clock.monotonic())
    response = RedirectResponse(nxt, status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=d.settings.secure_cookies, max_age=int(d.sessions.idle_s))
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


async def logout(request: Request) -> Response:
    await checked_form(request)
    dashboard(request).sessions.close(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _rooms(store: Store) -> list[str]:
    from kit.insight import rollup

    return sorted({r.room for r in rollup.runs(store)})


async def home(request: Request) -> Response:
    require_teacher(request)
    d = dashboard(request)
    rooms = sorted(set(await d.call(_rooms)) | set(d.live.rooms))
    if len(rooms) == 1:
        return RedirectResponse(f"/live/{rooms[0]}", status_code=303)
    return render(request, "home.html", rooms=rooms)


def _room(request: Request) -> str:
    from kit.protocol.ids import is_id

    room = request.path_params["room"]
    if not is_id(room):
        raise HTTPException(404, "no such room")
    return str(room)


async def live_page(request: Request) -> Response:
    require_teacher(request)
    room = _room(request)
    return render(request, "live.html", room=room)


async def _snapshot(d: Dashboard, room: str) -> dict[str, Any]:
    names = await d.call(lambda s: s.names())
    return {**d.live.room(room).snapshot(names), "following": d.live.following}


async def live_state(request: Request) -> Response:
    require_teacher(request)
    d = dashboard(request)
    return Response(json.dumps(await _snapshot(d, _room(request))),
                    media_type="application/json")


async def live_stream(request: Request) -> Response:
    """Server-sent events: the room's snapshot now and after every change."""
    require_teacher(request)
    d = dashboard(request)
    room = _room(request)
    queue = d.live.watch(room)

    async def stream() -> AsyncIterator[str]:
        try:
            yield f"retry: 3000\ndata: {json.dumps(await _snapshot(d, room))}\n\n"
            while True:
                try:
                    await asyncio.wait_for(queue.get(), 15)
                except TimeoutError:
                    yield ": still here\n\n"  # keeps proxies and tablets from closing it
                    continue
                yield f"data: {json.dumps(await _snapshot(d, room))}\n\n"
        finally:
            d.live.unwatch(room, queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _scope(request: Request) -> Any:
    from kit.insight.report import Scope
    from kit.protocol.ids import is_id

    q = request.query_params

    def day(name: str) -> str | None:
        v = q.get(name) or None
        if v is None:
            return None
        try:
            return date.fromisoformat(v).isoformat()
        except ValueError as e:
            raise HTTPException(400, f"{name}: write the day as YYYY-MM-DD") from e

    ids = {k: (q.get(k) or None) for k in ("room", "pupil", "run")}
    for k, v in ids.items():
        if v is not None and not is_id(v):
            raise HTTPException(400, f"{k} {v!r} is not a valid id")
    return Scope(room=ids["room"], pupil=ids["pupil"], run=ids["run"], since=day("since"),
                 until=day("until"))


async def report_page(request: Request) -> Response:
    from kit.insight import html
    from kit.insight import report as insight

    require_teacher(request)
    d = dashboard(request)
    scope = _scope(request)
    now = d.now()
    r = await d.call(lambda s: insight.build(s, scope, now=now))
    query = request.url.query
    return render(request, "web_report.html", query=query, **html.report_context(r))


async def report_file(request: Request) -> Response:
    from kit.insight import html
    from kit.insight import report as insight

    require_teacher(request)
    d = dashboard(request)
    scope = _scope(request)
    now = d.now()
    r = await d.call(lambda s: insight.build(s, scope, now=now))
    kind = request.path_params["kind"]
    if kind == "csv":
        return PlainTextResponse(insight.to_csv(r), media_type="text/csv", headers={
            "Content-Disposition": 'attachment; filename="kit-report.csv"'})
    return HTMLResponse(html.render(r, generated=now[:16]), headers={
        "Content-Disposition": 'attachment; filename="kit-report.html"'})


def _pupil(request: Request) -> str:
    from kit.protocol.ids import is_id

    pupil = request.path_params["pupil"]
    if not is_id(pupil):
        raise HTTPException(404, "no such pupil")
    return str(pupil)


async def pupil_page(request: Request) -> Response:
    from kit.insight import flags
    from kit.plans import notes, plans

    require_teacher(request)
    d = dashboard(request)
    pupil = _pupil(request)

    def load(s: Store) -> dict[str, Any]:
        return {"flags": flags.flags(s, pupil=pupil), "notes": notes.notes(s, pupil=pupil),
                "plans": plans.plans(s, pupil=pupil), "name": s.names().get(pupil, "")}

    data = await d.call(load)
    return render(request, "pupil.html", pupil=pupil, msg=request.query_params.get("msg"),
                  **data)


async def add_note(request: Request) -> Response:
    from kit.plans import notes

    session, form = await checked_form(request)
    d = dashboard(request)
    pupil = _pupil(request)
    text, now = _text(form, "text"), d.now()
    try:
        await d.call(lambda s: notes.add(s, pupil, text, author=session.teacher.display,
                                         at=now, room=_text(form, "room") or None))
    except KitError as e:
        return _back(f"/pupil/{pupil}", str(e))
    return _back(f"/pupil/{pupil}", "Note saved.")


async def decide_flag(request: Request) -> Response:
    from kit.insight import flags

    session, form = await checked_form(request)
    d = dashboard(request)
    fid = request.path_params["fid"]
    status, reason, now = _text(form, "status"), _text(form, "reason") or None, d.now()
    try:
        f = await d.call(lambda s: flags.decide(s, fid, status, by=session.teacher.display,
                                                now=now, reason=reason))
    except KitError as e:
        raise HTTPException(400, str(e)) from e
    d.refresh_now.set()
    return _back(_text(form, "back") or f"/pupil/{f.pupil}", f"Flag {f.id} is now {f.status}.")


async def plans_page(request: Request) -> Response:
    from kit.plans import plans

    require_teacher(request)
    d = dashboard(request)
    found = await d.call(lambda s: (plans.plans(s), s.names()))
    return render(request, "plans.html", plans=found[0], names=found[1],
                  msg=request.query_params.get("msg"))


async def new_plan(request: Request) -> Response:
    from kit.plans import plans
    from kit.protocol.ids import is_id

    session, form = await checked_form(request)
    d = dashboard(request)
    pupil, term, now = _text(form, "pupil"), _text(form, "term"), d.now()
    if not is_id(pupil):
        return _back("/plans", f"{pupil!r} is not a pupil's pseudonym")
    try:
        plan = await d.call(lambda s: plans.create(s, pupil, term, by=session.teacher.display,
                                                   now=now))
    except KitError as e:
        return _back(f"/pupil/{pupil}", str(e))
    return _back(f"/plans/{plan.id}", "Plan started (draft).")


async def plan_page(request: Request) -> Response:
    from kit.insight import flags
    from kit.plans import plans

    require_teacher(request)
    d = dashboard(request)
    pid = request.path_params["pid"]
    try:
        plan = await d.call(lambda s: plans.get(s, pid))
    except KitError as e:
        raise HTTPException(404, str(e)) from e
    confirmed, names = await d.call(lambda s: (
        flags.flags(s, pupil=plan.pupil, status="confirmed"), s.names()))
    return render(request, "plan.html", plan=plan, confirmed=confirmed,
                  name=names.get(plan.pupil, ""), domains=plans.DOMAINS,
                  kinds=plans.MEASURE_KINDS, statuses=plans.STATUSES,
                  moves=plans.MOVES[plan.status], outcomes=plans.OUTCOMES,
                  msg=request.query_params.get("msg"))


async def change_plan(request: Request) -> Response:
    from kit.plans import plans

    session, form = await checked_form(request)
    d = dashboard(request)
    pid, what, now = request.path_params["pid"], request.path_params["what"], d.now()
    by = session.teacher.display
    actions: dict[str, Callable[[Store], object]] = {
        "risk": lambda s: plans.add_risk(s, pid, _text(form, "domain"),
                                         _text(form, "justification"), by=by, now=now,
                                         flag=_text(form, "flag") or None),
        "measure": lambda s: plans.add_measure(
            s, pid, _text(form, "text"),
            [str(r) for r in form.getlist("risks") if isinstance(r, str)], by=by, now=now,
            kind=_text(form, "kind") or "other", starts=_text(form, "starts") or None),
        "result": lambda s: plans.set_result(s, pid, _text(form, "text"), by=by, now=now,
                                             measure=_text(form, "measure") or None),
        "status": lambda s: plans.move(s, pid, _text(form, "status"), by=by, now=now,
                                       reason=_text(form, "reason") or None,
                                       outcome=_text(form, "outcome") or None),
    }
    if what not in actions:
        raise HTTPException(404, "no such change")
    try:
        await d.call(actions[what])
    except KitError as e:
        return _back(f"/plans/{pid}", str(e))
    return _back(f"/plans/{pid}", "Saved.")


async def stats_page(request: Request) -> Response:
    from kit.insight.stats import MIN_CELL, school_statistics

    require_teacher(request)
    d = dashboard(request)
    tables = await d.call(school_statistics)
    return render(request, "stats.html", tables=tables, min_cell=MIN_CELL)


async def flags_csv(request: Request) -> Response:
    from kit.insight import flags

    require_teacher(request)
    d = dashboard(request)
    found = await d.call(lambda s: flags.flags(s))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "room", "pupil", "rule", "first_run", "last_run", "status", "detail"])
    for f in found:
        w.writerow([f.id, f.room, f.pupil, f.rule, f.first_run, f.last_run, f.status, f.detail])
    return PlainTextResponse(out.getvalue(), media_type="text/csv")


async def style(request: Request) -> Response:
    from kit.insight.html import css

    return Response(css(), media_type="text/css", headers={"Cache-Control": "max-age=3600"})


# Composition -------------------------------------------------------------------------------

#: how long (seconds) to wait for the recorder to store an event the dashboard saw
STORED_WAIT_S = 20


def _not_stored(s: Store, ids: list[str]) -> set[str]:
    marks = ", ".join("?" * len(ids))
    found = {r[0] for r in s.query(f"SELECT id FROM events WHERE id IN ({marks})", ids)}
    return set(ids) - found


def _load_flags(s: Store, now: str) -> tuple[list[Any], dict[str, str]]:
    from kit.insight import flags

    flags.refresh(s, now)
    return flags.flags(s), s.names()


async def _flag_refresher(d: Dashboard) -> None:
    """Roll up and look for new flags now and then, and at each step or lesson event; new
    flags are put into the live view of their room."""

    async def wait() -> None:
        sleeper = asyncio.ensure_future(d.clock.sleep(d.settings.flag_interval_s))
        nudged = asyncio.ensure_future(d.refresh_now.wait())
        try:
            await asyncio.wait({sleeper, nudged}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            nudged.cancel()
        d.refresh_now.clear()
        # The dashboard sees an event on MQTT as the recorder does; wait (a little) until the
        # recorder has committed it, or a lesson's end would be looked at before it is stored.
        for _ in range(STORED_WAIT_S):
            ids = list(d.awaited)
            if not ids:
                break
            missing = await d.call(partial(_not_stored, ids=ids))
            d.awaited.difference_update(set(ids) - missing)
            if not missing:
                break
            await d.clock.sleep(1.0)
        d.awaited.clear()

    while True:
        try:
            found, names = await d.call(partial(_load_flags, now=d.now()))
        except KitError as e:
            log.warning("could not refresh flags: %s", e)
            found, names = [], {}
        by_room: dict[str, list[dict[str, Any]]] = {}
        for f in found:
            if f.status == "dismissed":
                continue
            by_room.setdefault(f.room, []).append({
                "id": f.id, "pupil": f.pupil, "name": names.get(f.pupil, ""), "rule": f.rule,
                "rule_text": f.rule_text, "detail": f.detail, "status": f.status,
                "since": f.first_run})
        for room in set(by_room) | set(d.live.rooms):
            live = d.live.room(room)
            fresh = by_room.get(room, [])
            if fresh != live.flags:
                live.flags = fresh
                live.version += 1
                d.live.changed(room)
        await wait()


def templates(extra: Sequence[str] = ()) -> jinja2.Environment:
    """kit's templates, then those of the ``extra`` packages (each a ``templates`` folder);
    an extra page can ``{% extends "base.html" %}``."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("kit.web", "templates"),
                                    jinja2.PackageLoader("kit.insight", "templates"),
                                    *(jinja2.PackageLoader(p, "templates") for p in extra)]),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined)
    return env


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(settings: DashboardSettings | None = None, *,
               routes: Sequence[BaseRoute] = (), clock: Clock | None = None,
               store: AsyncStore | None = None,
               template_packages: Sequence[str] = ()) -> Starlette:
    """The dashboard. ``routes`` are added after kit's own (e.g. a pupil's own page); they
    reach the store and the session through :func:`dashboard` and :func:`require_teacher`,
    and draw pages with :func:`render` from kit's templates or those of
    ``template_packages``."""
    from importlib import resources

    from kit import config

    settings = settings or DashboardSettings()
    clock = clock or SystemClock()
    static = resources.files("kit.web").joinpath("static")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            s = store
            if s is None:
                s = await stack.enter_async_context(
                    AsyncStore(settings.store or config.default_store_url()))
            d = Dashboard(settings, s, clock, templates(template_packages))
            d.live.on_step = d.nudge
            app.state.kit = d
            async with asyncio.TaskGroup() as tg:
                tasks = [tg.create_task(_flag_refresher(d), name="dashboard-flags")]
                if settings.broker is not None:
                    address = config.station_address(settings.broker, role="hub",
                                                     station="dashboard", room="*")
                    tasks.append(tg.create_task(
                        follow(address, d.live, clock, room=settings.room, ready=d.live_ready),
                        name="dashboard-live"))
                else:
                    d.live_ready.set()
                try:
                    yield
                finally:
                    for t in tasks:
                        t.cancel()

    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware

    kit_routes: list[BaseRoute] = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", home),
        Route("/live/{room}", live_page),
        Route("/live/{room}/state", live_state),
        Route("/live/{room}/stream", live_stream),
        Route("/report", report_page),
        Route("/report.{kind:str}", report_file),
        Route("/pupil/{pupil}", pupil_page),
        Route("/pupil/{pupil}/notes", add_note, methods=["POST"]),
        Route("/flags.csv", flags_csv),
        Route("/flags/{fid}", decide_flag, methods=["POST"]),
        Route("/plans", plans_page, methods=["GET"]),
        Route("/plans", new_plan, methods=["POST"]),
        Route("/plans/{pid}", plan_page),
        Route("/plans/{pid}/{what}", change_plan, methods=["POST"]),
        Route("/stats", stats_page),
        Route("/kit.css", style),
        Mount("/static", StaticFiles(directory=str(static)), name="static"),
    ]
    return Starlette(routes=[*kit_routes, *routes], lifespan=lifespan,
                     middleware=[Middleware(BaseHTTPMiddleware, dispatch=headers)])


async def serve(settings: DashboardSettings, *, clock: Clock | None = None,
                routes: Sequence[BaseRoute] = (), stop: asyncio.Event | None = None,
                on_ready: Callable[[int], None] | None = None,
                store: AsyncStore | None = None, template_packages: Sequence[str] = ()
                ) -> None:
    """Run the dashboard in this event loop until ``stop`` is set (or cancelled). The socket
    is bound before ``on_ready(port)`` is called, so a client may connect at once (port 0
    picks a free port)."""
    import uvicorn

    app = create_app(settings, routes=routes, clock=clock, store=store,
                     template_packages=template_packages)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(128)
    sock.setblocking(False)
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                           access_log=False))
    # uvicorn installs signal handlers only when it owns the loop; here the caller owns it.
    server_task = asyncio.create_task(server.serve(sockets=[sock]), name="dashboard-http")
    try:
        if on_ready:
            on_ready(port)
        if stop is not None:
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({server_task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
        else:
            await asyncio.shield(server_task)
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await server_task
        sock.close()


__all__ = ["Dashboard", "DashboardSettings", "checked_form", "create_app", "dashboard",
           "render", "require_teacher", "serve"]
