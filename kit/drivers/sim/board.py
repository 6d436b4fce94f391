"""A simulated micro:bit that runs a real firmware script under the stand-in modules.

The script is loaded as a module (so its ``if __name__ == "__main__": main()`` does not run);
the board calls its ``setup()`` once and then its ``step()`` on every tick of the injected
clock, which is what ``main()`` does on a real board.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kit.clock import Clock
from kit.drivers.firmware_files import PROGRAMS, firmware_dir
from kit.drivers.sim import microbit_stub
from kit.drivers.sim.air import Air
from kit.drivers.sim.microbit_stub import SerialEnd

log = logging.getLogger(__name__)


class Board:
    def __init__(self, program: str, *, air: Air, clock: Clock, unique_id: bytes,
                 serial: SerialEnd | None = None, tick: float = 0.005, seed: int = 0,
                 folder: Path | None = None) -> None:
        self.program = program
        self.clock = clock
        self.tick = tick
        self.folder = folder or firmware_dir()
        self._boot = clock.monotonic()
        self.mods = microbit_stub.modules(air=air, ms=self.running_time, unique_id=unique_id,
                                          serial=serial, seed=seed)
        self._loaded: dict[str, types.ModuleType] = {}
        self._builtins = dict(builtins.__dict__)
        self._builtins["__import__"] = self._import
        self.radio.poll_us = int(tick * 1_000_000)
        self.script = self._load(PROGRAMS[program][0].removesuffix(".py"))
        self.crashed: BaseException | None = None
        self._task: asyncio.Task[None] | None = None
        self._ticker: Ticker | None = None

    def running_time(self) -> int:
        return int((self.clock.monotonic() - self._boot) * 1000)

    def _import(self, name: str, globals: Any = None, locals: Any = None,
                fromlist: Any = (), level: int = 0) -> Any:
        if name in self.mods:
            return self.mods[name]
        if (self.folder / f"{name}.py").exists():
            return self._loaded.get(name) or self._load(name)
        return builtins.__import__(name, globals, locals, fromlist, level)

    def _load(self, name: str) -> types.ModuleType:
        path = self.folder / f"{name}.py"
        mod = types.ModuleType(name)
        mod.__dict__["__builtins__"] = self._builtins
        mod.__file__ = str(path)
        self._loaded[name] = mod
        exec(compile(path.read_text(), str(path), "exec"), mod.__dict__)
        return mod

    # parts, for test verbs
    def part(self, name: str) -> Any:
        return self.mods["microbit"].__dict__[name]

    @property
    def radio(self) -> microbit_stub.Radio:
        return self.mods["radio"].__dict__["_radio"]  # type: ignore[no-any-return]

    # power
    @property
    def powered(self) -> bool:
        return self._task is not None or self._ticker is not None

    async def start(self, ticker: Ticker | None = None) -> None:
        self._boot = self.clock.monotonic()
        self.crashed = None
        self.script.setup()
        if ticker is not None:
            self._ticker = ticker
            ticker.add(self)
        else:
            self._task = asyncio.create_task(self._run(), name=f"board-{self.program}")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.remove(self)
            self._ticker = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.mods["radio"].off()

    def step(self) -> bool:
        """One pass of the script's loop; False once it has crashed."""
        try:
            self.script.step()
        except Exception as e:  # a real board scrolls the error and stops
            self.crashed = e
            log.exception("simulated %s crashed", self.program)
            return False
        return True

    async def _run(self) -> None:
        await _cadence(self.clock, self.tick, lambda: self.step())


async def _cadence(clock: Clock, tick: float, step: Callable[[], bool]) -> None:
    # Steps keep to the board's own cadence: a timer that wakes late (an event loop running
    # thirty boards oversleeps by a millisecond or more) is made up by a shorter wait next
    # time, so a simulated board polls its radio as often as a real one.
    due = clock.monotonic()
    while step():
        due += tick
        now = clock.monotonic()
        if due < now - tick:
            due = now  # far behind: do not race to catch up
        await clock.sleep(max(0.0, due - now))


class Ticker:
    """Steps many boards from one task, each in turn, every ``tick``: thirty controllers cost
    the event loop one timer instead of thirty."""

    def __init__(self, clock: Clock, tick: float) -> None:
        self.clock, self.tick = clock, tick
        self._boards: list[Board] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, board: Board) -> None:
        self._boards.append(board)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(_cadence(self.clock, self.tick, self._step),
                                             name="boards")

    def remove(self, board: Board) -> None:
        if board in self._boards:
            self._boards.remove(board)
        if not self._boards and self._task is not None:
            self._task.cancel()
            self._task = None

    def _step(self) -> bool:
        for board in list(self._boards):
            if not board.step():
                self._boards.remove(board)
        return True
