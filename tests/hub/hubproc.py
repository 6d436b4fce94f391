"""Running kit hub processes from tests, and waiting on what they print (never on the clock)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: Every hub process a test started, stopped at the end of the test whatever happened.
RUNNING: list[HubProcess] = []


def _die_with_test() -> None:
    """In the child: SIGKILL it if the test process dies (no orphan keeps a port)."""
    import ctypes

    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)


class HubProcess:
    """``kit hub`` in a process of its own, printing JSON progress lines."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: asyncio.subprocess.Process | None = None
        self.last: dict[str, Any] = {}
        self._waiters: list[tuple[Callable[[dict[str, Any]], bool], asyncio.Future[None]]] = []
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> HubProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kit", "hub", "--progress", *self.args, env=env,
            stdout=asyncio.subprocess.PIPE, preexec_fn=_die_with_test)
        RUNNING.append(self)
        self.last = {}
        self._reader = asyncio.create_task(self._read())
        await self.until(lambda line: line.get("ready") is True)
        return self

    async def _read(self) -> None:
        assert self.proc and self.proc.stdout
        async for raw in self.proc.stdout:
            # Everything said so far, the latest value of each key: a recorder that resumes
            # its session may commit (and print its total) before it prints that it is ready.
            self.last = {**self.last, **json.loads(raw)}
            for cond, fut in list(self._waiters):
                if not fut.done() and cond(self.last):
                    fut.set_result(None)
        for _, fut in self._waiters:
            if not fut.done():
                fut.set_exception(RuntimeError(f"kit hub {self.args} exited"))

    async def until(self, cond: Callable[[dict[str, Any]], bool], limit_s: float = 120) -> None:
        if self.last and cond(self.last):
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((cond, fut))
        await asyncio.wait_for(fut, limit_s)

    async def kill(self) -> None:
        """SIGKILL: no goodbye, no flush, like a laptop lid closing on a running process."""
        assert self.proc
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        if self._reader:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
            await self.proc.wait()
        if self._reader:
            await asyncio.gather(self._reader, return_exceptions=True)
