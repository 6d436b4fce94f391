"""Teacher controls from the console: a key and Enter pauses, skips, extends, ends."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

KEYS = {"s": "start", "p": "pause", "r": "resume", "n": "skip", "b": "back", "e": "extend",
        "l": "lock", "q": "end"}


def key_command(line: str) -> str | None:
    """The teacher command a console line asks for: 'p' pauses, 'n' skips, ..."""
    text = line.strip().lower()
    return KEYS.get(text[:1]) if text else None


async def keyboard(engine: Any, fd: int | None = None) -> None:
    """Teacher controls from the console: a key and Enter (s, p, r, n, b, e, l, q).

    Reads the terminal with the event loop's reader callback, so the lesson never waits on it.
    """
    fd = sys.stdin.fileno() if fd is None else fd
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()
    buffer = b""

    def readable() -> None:
        nonlocal buffer
        chunk = os.read(fd, 1024)
        if not chunk:
            loop.remove_reader(fd)
            lines.put_nowait("")
            return
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        for raw in complete:
            lines.put_nowait(raw.decode("utf-8", "replace"))

    loop.add_reader(fd, readable)
    try:
        while (line := await lines.get()) != "":
            name = key_command(line)
            if name:
                await engine.command(name)
    finally:
        loop.remove_reader(fd)
