"""A real learning record store for the tests: Ralph (``ralph-malph[cli,lrs]``) with its file
backend, one fresh store per test. Ralph pins older FastAPI/Starlette than kit uses, so it
lives in its own virtual environment, ``.venv-ralph`` (test.sh makes it), and runs as a
process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kit.hub.service import free_port
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]


def ralph_binary() -> Path | None:
    env = os.environ.get("KIT_RALPH")
    for candidate in ([Path(env)] if env else []) + [ROOT / ".venv-ralph" / "bin" / "ralph"]:
        if candidate.exists():
            return candidate
    return None


@dataclass(frozen=True)
class Ralph:
    endpoint: str
    username: str
    password: str
    lrs_file: Path

    def stored(self) -> list[dict[str, object]]:
        if not self.lrs_file.exists():
            return []
        return [json.loads(line) for line in self.lrs_file.read_text().splitlines() if line]


PASSWORD = "kit-secret"


def _env(app_dir: Path) -> dict[str, str]:
    return {**os.environ, "RALPH_APP_DIR": str(app_dir),
            "RALPH_AUTH_FILE": str(app_dir / "auth.json"),
            "RALPH_RUNSERVER_AUTH_BACKENDS": "basic", "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_SENTRY_DSN": "", "PYTHONWARNINGS": "ignore"}


USERS = 8  # more than the tests that use Ralph: each gets a user and a store of its own


@pytest.fixture(scope="session")
def ralph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, list[int]]]:
    """One Ralph process for the session (it takes seconds to start). Each test logs in as a
    user of its own whose *target* is its own directory, so each test has a fresh store
    (Ralph's file backend refuses a second POST to a store that already has a file)."""
    binary = ralph_binary()
    need(binary is not None, "Ralph LRS in .venv-ralph (test.sh installs ralph-malph[cli,lrs])")
    assert binary is not None
    app_dir = tmp_path_factory.mktemp("ralph-app")
    data_dir = tmp_path_factory.mktemp("ralph-data")
    env = _env(app_dir)
    r = subprocess.run([str(binary), "auth", "-u", "kit1", "-p", PASSWORD, "-s", "all",
                        "-t", "t1", "-A", "kit-hub", "https://hub.school-a.example", "-w"],
                       env=env, capture_output=True, timeout=120)
    assert r.returncode == 0, (r.stdout + r.stderr).decode()[-2000:]
    users = json.loads((app_dir / "auth.json").read_text())
    # The same password for every user: reuse the first user's bcrypt hash.
    users += [{**users[0], "username": f"kit{n}", "target": f"t{n}"}
              for n in range(2, USERS + 1)]
    (app_dir / "auth.json").write_text(json.dumps(users))
    for n in range(1, USERS + 1):
        (data_dir / f"t{n}").mkdir()
    port = free_port()
    log_path = app_dir / "ralph.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(binary), "runserver", "-b", "fs", "--fs-default-directory-path", str(data_dir),
             "-h", "127.0.0.1", "-p", str(port)], env=env, stdout=log,
            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120  # hang guard
        while True:
            if proc.poll() is not None:
                pytest.fail(f"Ralph exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/__heartbeat__").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "Ralph did not start listening in 120 s"
            time.sleep(0.2)  # waiting for a process to listen, not a sync point
        yield port, data_dir, list(range(1, USERS + 1))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _user(ralph_server: tuple[int, Path, list[int]]) -> Ralph:
    port, data_dir, free = ralph_server
    assert free, f"raise USERS in {__file__}"
    n = free.pop(0)
    return Ralph(f"http://127.0.0.1:{port}/xAPI", f"kit{n}", PASSWORD,
                 data_dir / f"t{n}" / "fs_lrs.jsonl")


@pytest.fixture
def ralph(ralph_server: tuple[int, Path, list[int]]) -> Ralph:
    return _user(ralph_server)


@pytest.fixture
def ralph2(ralph_server: tuple[int, Path, list[int]]) -> Ralph:
    """A second fresh store, for a test that POSTs twice (the file backend takes one)."""
    return _user(ralph_server)


class DroppingProxy:
    """A TCP relay to the LRS that, for its first ``drops`` connections, delivers the request
    and then cuts the connection before the answer reaches the client: the LRS stored the
    statements, the client never heard so."""

    def __init__(self, target_port: int, drops: int = 1) -> None:
        self.target_port = target_port
        self.drops = drops
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> DroppingProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        drop = self.connections <= self.drops
        up_r, up_w = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter | None) -> bytes:
            got = b""
            while chunk := await src.read(65536):
                got += chunk
                if dst is not None:
                    dst.write(chunk)
                    await dst.drain()
                if dst is None and b"\r\n\r\n" in got:
                    return got  # the LRS has answered: the answer is dropped
            return got

        async def client_to_lrs() -> None:
            await pipe(reader, up_w)
            if up_w.can_write_eof():
                up_w.write_eof()

        upstream = asyncio.create_task(client_to_lrs())
        try:
            await pipe(up_r, None if drop else writer)
        finally:
            upstream.cancel()
            up_w.close()
            writer.close()


if sys.platform == "win32":  # pragma: no cover
    pytest.skip("Ralph is started as a POSIX process", allow_module_level=True)
