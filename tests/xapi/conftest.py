"""A real learning record store for the tests: Ralph (``ralph-malph[cli,lrs]``) with its file
backend, one fresh store per test. Ralph pins older FastAPI/Starlette than kit uses, so it
lives in its own virtual environment, ``.venv-ralph`` (test.sh makes it), and runs as a
process."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
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
        import json

        if not self.lrs_file.exists():
            return []
        return [json.loads(line) for line in self.lrs_file.read_text().splitlines() if line]


@pytest.fixture
async def ralph(tmp_path: Path) -> AsyncIterator[Ralph]:
    binary = ralph_binary()
    need(binary is not None, "Ralph LRS in .venv-ralph (test.sh installs ralph-malph[cli,lrs])")
    assert binary is not None
    app_dir, data_dir = tmp_path / "ralph-app", tmp_path / "ralph-data"
    app_dir.mkdir()
    data_dir.mkdir()
    env = {**os.environ, "RALPH_APP_DIR": str(app_dir),
           "RALPH_AUTH_FILE": str(app_dir / "auth.json"),
           "RALPH_RUNSERVER_AUTH_BACKENDS": "basic", "RALPH_RUNSERVER_BACKEND": "fs",
           "RALPH_SENTRY_DSN": "", "PYTHONWARNINGS": "ignore"}
    auth = await asyncio.create_subprocess_exec(
        str(binary), "auth", "-u", "kit", "-p", "kit-secret", "-s", "all",
        "-A", "kit-hub", "https://hub.school-a.example", "-w", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(auth.communicate(), 120)
    assert auth.returncode == 0, out.decode()[-2000:]
    port = free_port()
    log_path = tmp_path / "ralph.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            str(binary), "runserver", "-b", "fs", "--fs-default-directory-path", str(data_dir),
            "-h", "127.0.0.1", "-p", str(port), env=env, stdout=log,
            stderr=asyncio.subprocess.STDOUT)
    try:
        async with httpx.AsyncClient() as http, asyncio.timeout(120):  # hang guard
            while True:
                if proc.returncode is not None:
                    pytest.fail(f"Ralph exited: {log_path.read_text()[-2000:]}")
                try:
                    r = await http.get(f"http://127.0.0.1:{port}/__heartbeat__")
                    if r.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)  # waiting for a process to listen, not a sync point
        yield Ralph(f"http://127.0.0.1:{port}/xAPI", "kit", "kit-secret",
                    data_dir / "fs_lrs.jsonl")
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()


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
