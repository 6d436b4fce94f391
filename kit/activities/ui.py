"""Drawing helpers: sizes given for a 1920x1080 screen and scaled to the window, the shipped
font, text surfaces rendered once and reused, and seat badges (colour + shape + number)."""

from __future__ import annotations

import math
from pathlib import Path

import pygame

from kit.activities.i18n import Words
from kit.activities.seats import Seat

FONT = Path(__file__).parent / "fonts" / "DejaVuSans-Bold.ttf"
MIN_TEXT = 48  # pixels at 1080p
INK = (20, 20, 20)
PAPER = (250, 248, 240)
GREY = (150, 150, 150)
Colour = tuple[int, int, int]


class Ui:
    def __init__(self, size: tuple[int, int], words: Words) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.size = size
        self.words = words
        self.scale = min(size[0] / 1920, size[1] / 1080)
        self._fonts: dict[int, pygame.font.Font] = {}
        self._text: dict[tuple[str, int, Colour], pygame.Surface] = {}

    def s(self, v: float) -> int:
        """A length given at 1080p, on this screen."""
        return max(1, round(v * self.scale))

    def font(self, size: int = MIN_TEXT) -> pygame.font.Font:
        px = self.s(max(MIN_TEXT, size))
        f = self._fonts.get(px)
        if f is None:
            f = self._fonts[px] = pygame.font.Font(FONT, px)
        return f

    def text(self, text: str, size: int = MIN_TEXT, colour: Colour = INK) -> pygame.Surface:
        key = (text, size, colour)
        surf = self._text.get(key)
        if surf is None:
            if len(self._text) > 2000:
                self._text.clear()
            surf = self._text[key] = self.font(size).render(text, True, colour)
        return surf

    def blit_text(self, surface: pygame.Surface, text: str, pos: tuple[int, int], *,
                  size: int = MIN_TEXT, colour: Colour = INK, anchor: str = "center") -> None:
        img = self.text(text, size, colour)
        rect = img.get_rect(**{anchor: pos})
        surface.blit(img, rect)

    def badge(self, surface: pygame.Surface, seat: Seat, centre: tuple[int, int],
              radius: int, *, highlight: bool = False) -> None:
        """A seat: its shape in its colour, with its number; a reconnecting seat is faded and
        carries a dashed ring and a '…' mark, an away seat is grey."""
        colour: Colour = seat.colour if seat.state == "active" else GREY
        if highlight:
            pygame.draw.circle(surface, INK, centre, radius + self.s(10), self.s(6))
        draw_shape(surface, seat.shape, colour, centre, radius)
        draw_shape(surface, seat.shape, INK, centre, radius, width=max(1, self.s(3)))
        ink = PAPER if seat.colour in ((0, 0, 0), (0, 114, 178)) and seat.state == "active" \
            else INK
        self.blit_text(surface, str(seat.number), centre, colour=ink)
        if seat.state == "reconnecting":
            for k in range(12):
                a0 = k * math.tau / 12
                rect = pygame.Rect(0, 0, 2 * radius + self.s(24), 2 * radius + self.s(24))
                rect.center = centre
                pygame.draw.arc(surface, INK, rect, a0, a0 + math.tau / 24, self.s(5))
            self.blit_text(surface, "…", (centre[0], centre[1] + radius + self.s(34)))


def draw_shape(surface: pygame.Surface, shape: str, colour: Colour, c: tuple[int, int],
               r: int, width: int = 0) -> None:
    x, y = c
    if shape == "circle":
        pygame.draw.circle(surface, colour, c, r, width)
        return
    if shape == "square":
        pygame.draw.rect(surface, colour, pygame.Rect(x - r, y - r, 2 * r, 2 * r), width)
        return
    n, start, inner = {"triangle": (3, -90, 0.0), "diamond": (4, -90, 0.0),
                       "star": (5, -90, 0.5), "hexagon": (6, 0, 0.0)}[shape]
    pts: list[tuple[float, float]] = []
    for k in range(n):
        a = math.radians(start + k * 360 / n)
        pts.append((x + r * math.cos(a), y + r * math.sin(a)))
        if inner:
            b = math.radians(start + (k + 0.5) * 360 / n)
            pts.append((x + r * inner * math.cos(b), y + r * inner * math.sin(b)))
    pygame.draw.polygon(surface, colour, pts, width)
