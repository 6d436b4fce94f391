"""kit commands as processes of their own, as a teacher starts them: read what they print,
write to their standard input, stop them with Ctrl-C. Waits are on output, never on the clock
(the limits are only there so a hung run fails instead of hanging CI)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT_S = 180.0


class Proc:
    def __init__(self, *args: str, stdin: bool = False) -> None:
        self.args = args
        self.stdin = stdin
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> Proc:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
               "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kit", *self.args, env=env,
            stdin=asyncio.subprocess.PIPE if self.stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc and self.proc.stdout
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())
            self._changed.set()
        self._changed.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def until(self, cond: str | Callable[[str], bool], limit_s: float = LIMIT_S) -> str:
        """The first line printed that contains ``cond`` (or satisfies it)."""
        test = (lambda line: cond in line) if isinstance(cond, str) else cond
        seen = 0

        async def wait() -> str:
            nonlocal seen
            while True:
                for line in self.lines[seen:]:
                    if test(line):
                        return line
                seen = len(self.lines)
                if self._reader is not None and self._reader.done():
                    raise AssertionError(f"kit {' '.join(self.args)} ended without printing "
                                         f"{cond!r}:\n{self.output}")
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(wait(), limit_s)
        except TimeoutError as e:
            raise AssertionError(f"kit {' '.join(self.args)} did not print {cond!r}:\n"
                                 f"{self.output}") from e

    async def send(self, line: str) -> None:
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def wait(self, limit_s: float = LIMIT_S) -> int:
        assert self.proc
        try:
            code = await asyncio.wait_for(self.proc.wait(), limit_s)
        except TimeoutError as e:
            raise AssertionError(f"kit {' '.join(self.args)} did not end:\n{self.output}") from e
        if self._reader:
            await self._reader
        return code

    async def stop(self) -> int:
        """Ctrl-C, as a teacher would; then wait for it to finish."""
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
        return await self.wait()

    async def kill(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


async def start(running: list[Proc], *args: str, stdin: bool = False) -> Proc:
    """Start ``kit *args`` and add it to ``running`` (the ``procs`` fixture), which kills it at
    the test's end whatever happened."""
    p = await Proc(*args, stdin=stdin).start()
    running.append(p)
    return p
