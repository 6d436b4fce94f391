"""Teacher controls from the console: one key pauses, skips, extends, locks, ends.

In a terminal a key acts at once (no Enter); from a pipe or a file (``kit lesson run ... <
keys.txt``, or another program writing to our stdin) each line is one key, optionally with an
argument (``e 120`` adds two minutes). The keys are listed when the reader starts, and every
key answers with one line saying what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

KEYS = {"s": "start", "p": "pause", "r": "resume", "n": "skip", "b": "back", "e": "extend",
        "l": "lock", "q": "end"}

_LABELS = {"s": "start", "p": "pause all", "r": "resume", "n": "next step", "b": "back",
           "e": "+1 minute", "l": "lock/unlock joining", "q": "end"}


def legend() -> str:
    """The line that lists the keys, for the console."""
    return "keys: " + "  ".join(f"[{k}] {label}" for k, label in _LABELS.items())


def key_command(line: str) -> str | None:
    """The teacher command a console line asks for: 'p' pauses, 'n' skips, ..."""
    text = line.strip().lower()
    return KEYS.get(text[:1]) if text else None


def key_argument(line: str) -> str:
    """What follows the key on a line (``e 120`` -> ``120``)."""
    return line.strip()[1:].strip()


def answer(engine: Any, name: str, done: bool) -> str:
    """One line telling the teacher what the key did."""
    if not done:
        return f"{name}: {getattr(engine, 'notice', None) or 'not done'}"
    status = getattr(engine, "status", "")
    match name:
        case "lock":
            roster = getattr(engine, "roster", None)
            locked = bool(getattr(roster, "locked", False))
            return "joining locked: new controllers are turned away" if locked else \
                "joining open: new controllers may join"
        case "pause":
            return "paused: every robot stopped, hands up" if status == "paused" else \
                "pause: the lesson is not running"
        case "extend":
            return f"extended: {getattr(engine, 'extra', 0):.0f}s added to this step"
        case _:
            return f"{name}: ok"


async def keyboard(engine: Any, fd: int | None = None, *,
                   out: Callable[[str], None] | None = None) -> None:
    """Read teacher keys from ``fd`` (default: stdin) until it ends, and apply them.

    ``out`` shows a line to the teacher (default: standard error). Works with a terminal (keys
    act at once), a pipe and a regular file; the lesson never waits on the reader."""
    fd = sys.stdin.fileno() if fd is None else fd
    show = out or _stderr(sys.stderr)
    show(legend())
    with _terminal_keys(fd) as single:
        async for line in _lines(fd, single=single):
            name = key_command(line)
            if name is None:
                if line.strip():
                    show(f"'{line.strip()[:10]}' is not a key; {legend()}")
                continue
            done = await engine.command(name, key_argument(line))
            show(answer(engine, name, done))


def _stderr(stream: TextIO) -> Callable[[str], None]:
    def show(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    return show


@contextlib.contextmanager
def _terminal_keys(fd: int) -> Iterator[bool]:
    """In a terminal: keys without Enter (cbreak mode), restored afterwards. Yields whether
    each character is a key of its own."""
    if not os.isatty(fd):
        yield False
        return
    try:
        import termios
        import tty
    except ImportError:  # pragma: no cover (no termios: Windows)
        yield False
        return
    try:
        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
    except termios.error:
        yield False
        return
    try:
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


async def _lines(fd: int, *, single: bool) -> Any:
    """Lines (or, in a terminal, single keys) from ``fd`` until end of input."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    def readable() -> None:
        try:
            chunk = os.read(fd, 1024)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        queue.put_nowait(chunk)
        if not chunk:
            loop.remove_reader(fd)

    try:
        loop.add_reader(fd, readable)
        watched = True
    except (PermissionError, OSError, ValueError):
        # a regular file (``< keys.txt``) cannot be watched by the event loop, and never
        # blocks: read it as it is
        watched = False
    buffer = b""
    try:
        while True:
            if watched:
                chunk = await queue.get()
            else:
                try:
                    chunk = os.read(fd, 1024)
                except OSError:  # stdin closed (e.g. a service with no terminal)
                    chunk = b""
            if not chunk:
                break
            if single:
                for key in chunk.decode("utf-8", "replace"):
                    if not key.isspace():
                        yield key
                continue
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            for raw in complete:
                yield raw.decode("utf-8", "replace")
            if not watched:
                await asyncio.sleep(0)
        if buffer.strip():
            yield buffer.decode("utf-8", "replace")
    finally:
        if watched:
            loop.remove_reader(fd)
