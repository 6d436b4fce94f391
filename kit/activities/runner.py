"""The frame loop: drain the input queue, ``update(dt)`` from the injected clock, draw, show.
Runs in a window or headless (``SDL_VIDEODRIVER=dummy``); screenshots on demand."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pygame

from kit.activities.inputs import InputQueue, KeySets, SimPupils
from kit.activities.session import Session
from kit.clock import Clock, SystemClock

log = logging.getLogger(__name__)


def init_display(size: tuple[int, int], *, headless: bool,
                 fullscreen: bool = False) -> pygame.Surface:
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ["SDL_AUDIODRIVER"] = "dummy"
        pygame.display.init()
        pygame.font.init()
        return pygame.Surface(size)
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_caption("kit")
    if fullscreen:
        return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
    return pygame.display.set_mode(size, pygame.RESIZABLE)


class Runner:
    def __init__(self, session: Session, surface: pygame.Surface, *,
                 queue: InputQueue | None = None, clock: Clock | None = None,
                 sims: SimPupils | None = None, keys: KeySets | None = None,
                 windowed: bool = False, fps: float = 60.0) -> None:
        self.session = session
        self.surface = surface
        # Not `queue or InputQueue()`: an empty queue is falsy (it has __len__), and the screen
        # would drain a different queue from the one network input fills.
        self.queue = InputQueue() if queue is None else queue
        self.clock: Clock = clock or SystemClock()
        self.sims = sims
        self.keys = keys
        self.windowed = windowed
        self.fps = fps
        self.frames = 0
        self.quit = False
        self._last = self.clock.monotonic()

    def frame(self) -> float:
        """One frame; returns the dt it used."""
        now = self.clock.monotonic()
        dt, self._last = max(0.0, now - self._last), now
        if self.windowed:
            self._pump_pygame()
        if self.sims is not None:
            self.sims.step(dt, self.queue.put)
        s = self.session
        while self.queue.commands:
            s.command(self.queue.commands.popleft())
        while self.queue.lost:
            s.disconnect(self.queue.lost.popleft())
        for inp in self.queue.drain():
            s.handle(inp)
        s.update(dt)
        s.draw(self.surface)
        if self.windowed:
            pygame.display.flip()
        self.frames += 1
        return dt

    def _pump_pygame(self) -> None:
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT:
                self.quit = True
            elif ev.type == pygame.VIDEORESIZE:
                self.surface = pygame.display.get_surface() or self.surface
            elif self.keys is not None and ev.type == pygame.KEYDOWN:
                got = self.keys.press(pygame.key.name(ev.key))
                if isinstance(got, str):
                    self.queue.commands.append(got)
                elif got is not None:
                    self.queue.put(got)
            elif self.keys is not None and ev.type == pygame.KEYUP:
                self.keys.release(pygame.key.name(ev.key))

    def screenshot(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.surface, str(path))
        return path

    async def run(self, seconds: float | None = None) -> None:
        """Frames until ``seconds`` pass on the clock, the window closes, or the game ended
        and was shown for a while."""
        start = self.clock.monotonic()
        period = 1.0 / self.fps
        while not self.quit:
            t0 = self.clock.monotonic()
            self.frame()
            if seconds is not None and self.clock.monotonic() - start >= seconds:
                break
            spent = self.clock.monotonic() - t0
            await self.clock.sleep(max(0.0, period - spent))
