"""Drawing helpers: sizes given for a 1920x1080 screen and scaled to the window, the shipped
font, text surfaces rendered once and reused, text fitted into boxes, and seat badges (colour +
shape + number).

Main text is 60 px at 1080p: DejaVu Sans Bold's lower case is 0.55 em, so its x-height is 33 px,
which reads from the back of a classroom (about 8 m from a 2 m wide image). Seat numbers and
small labels are 40 px (their capitals and digits are 29 px). Every piece of main text is drawn
into a box: :meth:`Ui.fit` wraps it at spaces and notes any text that still does not fit in
:attr:`Ui.overflows`, which the tests check for every screen in every language.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pygame

from kit.activities.i18n import Words
from kit.activities.seats import Seat

FONT = Path(__file__).parent / "fonts" / "DejaVuSans-Bold.ttf"
MIN_TEXT = 60  # pixels at 1080p: main text; lower case 33 px high
LABEL = 40  # pixels at 1080p: seat numbers and small labels
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
        # Centre the 16:9 design on screens of another shape.
        self.ox = (size[0] - round(1920 * self.scale)) // 2
        self.oy = (size[1] - round(1080 * self.scale)) // 2
        self._fonts: dict[int, pygame.font.Font] = {}
        self._text: dict[tuple[str, int, Colour], pygame.Surface] = {}
        self._wrapped: dict[tuple[str, int, int], list[str]] = {}
        self._badges: dict[tuple[object, ...], pygame.Surface] = {}
        self._layers: dict[object, pygame.Surface] = {}
        #: (text, box width, box height) of text that did not fit its box; tests read it
        self.overflows: set[tuple[str, int, int]] = set()

    def s(self, v: float) -> int:
        """A length given at 1080p, on this screen."""
        return max(1, round(v * self.scale))

    def x(self, v: float) -> int:
        """A horizontal position given at 1080p, on this screen."""
        return self.ox + round(v * self.scale)

    def y(self, v: float) -> int:
        """A vertical position given at 1080p, on this screen."""
        return self.oy + round(v * self.scale)

    def p(self, x: float, y: float) -> tuple[int, int]:
        return self.x(x), self.y(y)

    def rect(self, x: float, y: float, w: float, h: float) -> pygame.Rect:
        """A box given at 1080p, on this screen."""
        return pygame.Rect(self.x(x), self.y(y), self.s(w), self.s(h))

    def font(self, size: int = MIN_TEXT) -> pygame.font.Font:
        px = self.s(size)
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
        """One line at a point (for numbers and labels that cannot outgrow their place)."""
        img = self.text(text, size, colour)
        rect = img.get_rect(**{anchor: pos})
        surface.blit(img, rect)

    def layer(self, key: object, build: Callable[[], pygame.Surface]) -> pygame.Surface:
        """A drawing that changes rarely (a background, a card), built once per ``key``."""
        img = self._layers.get(key)
        if img is None:
            if len(self._layers) > 200:
                self._layers.clear()
            img = self._layers[key] = build()
        return img

    def wrap(self, text: str, width: int, size: int = MIN_TEXT) -> list[str]:
        """``text`` in lines no wider than ``width`` screen pixels where spaces allow."""
        key = (text, width, size)
        lines = self._wrapped.get(key)
        if lines is not None:
            return lines
        font = self.font(size)
        lines = []
        for para in text.split("\n"):
            line = ""
            for word in para.split(" "):
                trial = f"{line} {word}" if line else word
                if line and font.size(trial)[0] > width:
                    lines.append(line)
                    line = word
                else:
                    line = trial
            lines.append(line)
        if len(self._wrapped) > 2000:
            self._wrapped.clear()
        self._wrapped[key] = lines
        return lines

    def fit(self, surface: pygame.Surface, text: str, box: pygame.Rect, *,
            size: int = MIN_TEXT, colour: Colour = INK, align: str = "center",
            min_size: int | None = None) -> bool:
        """Draw ``text`` wrapped inside ``box`` (screen pixels), centred vertically; ``align``
        is left, center or right. A label may shrink down to ``min_size`` to fit; main text
        never does. False (and noted in :attr:`overflows`) if it spills."""
        while True:
            lines = self.wrap(text, box.width, size)
            font = self.font(size)
            step = font.get_linesize()
            widest = max(self.text(line, size, colour).get_width() for line in lines)
            fits = widest <= box.width and step * len(lines) <= box.height + self.s(4)
            if fits or min_size is None or size - 2 < min_size:
                break
            size -= 2
        if not fits:
            self.overflows.add((text, box.width, box.height))
        top = box.centery - step * len(lines) // 2
        for i, line in enumerate(lines):
            img = self.text(line, size, colour)
            r = img.get_rect()
            r.top = top + i * step
            if align == "left":
                r.left = box.left
            elif align == "right":
                r.right = box.right
            else:
                r.centerx = box.centerx
            surface.blit(img, r)
        return fits

    def badge(self, surface: pygame.Surface, seat: Seat, centre: tuple[int, int],
              radius: int, *, highlight: bool = False) -> None:
        """A seat: its shape in its colour, with its number; a reconnecting seat is faded and
        carries a dashed ring and a '…' mark, an away seat is grey. Each look is drawn once
        and kept."""
        key = (seat.number, seat.shape, seat.colour, seat.state, radius, highlight)
        img = self._badges.get(key)
        if img is None:
            if len(self._badges) > 1000:
                self._badges.clear()
            img = self._badges[key] = self._badge(seat, radius, highlight)
        surface.blit(img, img.get_rect(center=centre))

    def _badge(self, seat: Seat, radius: int, highlight: bool) -> pygame.Surface:
        pad = self.s(24) + (self.s(40) if seat.state == "reconnecting" else 0)
        size = 2 * (radius + pad)
        img = pygame.Surface((size, size), pygame.SRCALPHA)
        centre = (size // 2, size // 2)
        colour: Colour = seat.colour if seat.state == "active" else GREY
        if highlight:
            pygame.draw.circle(img, INK, centre, radius + self.s(10), self.s(6))
        draw_shape(img, seat.shape, colour, centre, radius)
        draw_shape(img, seat.shape, INK, centre, radius, width=max(1, self.s(3)))
        ink = PAPER if seat.colour in ((0, 0, 0), (0, 114, 178)) and seat.state == "active" \
            else INK
        halo = INK if ink == PAPER else PAPER
        size_px = MIN_TEXT if radius >= self.s(70) else LABEL
        # A halo keeps the number readable where it spills over a star's or triangle's edge.
        d = max(1, self.s(3))
        for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d), (-d, -d), (d, d), (-d, d), (d, -d)):
            self.blit_text(img, str(seat.number), (centre[0] + dx, centre[1] + dy),
                           colour=halo, size=size_px)
        self.blit_text(img, str(seat.number), centre, colour=ink, size=size_px)
        if seat.state == "reconnecting":
            for k in range(12):
                a0 = k * math.tau / 12
                rect = pygame.Rect(0, 0, 2 * radius + self.s(24), 2 * radius + self.s(24))
                rect.center = centre
                pygame.draw.arc(img, INK, rect, a0, a0 + math.tau / 24, self.s(5))
            self.blit_text(img, "…", (centre[0], centre[1] + radius + self.s(20)), size=LABEL)
        return img


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


def draw_heart(surface: pygame.Surface, colour: Colour, c: tuple[int, int], r: int) -> None:
    """A compliment's mark."""
    x, y = c
    pygame.draw.circle(surface, colour, (x - r // 2, y - r // 4), r // 2 + 1)
    pygame.draw.circle(surface, colour, (x + r // 2, y - r // 4), r // 2 + 1)
    pygame.draw.polygon(surface, colour, [(x - r, y - r // 8), (x + r, y - r // 8), (x, y + r)])


def draw_hand(surface: pygame.Surface, colour: Colour, c: tuple[int, int], r: int) -> None:
    """An offer of help's mark: an open hand."""
    x, y = c
    palm = pygame.Rect(0, 0, r, r)
    palm.midtop = (x, y - r // 4)
    pygame.draw.rect(surface, colour, palm, border_radius=max(1, r // 4))
    for k, h in enumerate((0.9, 1.05, 1.0, 0.8)):
        finger = pygame.Rect(0, 0, max(2, r // 5), round(r * h))
        finger.midbottom = (x - r * 3 // 8 + k * r // 4, y)
        pygame.draw.rect(surface, colour, finger, border_radius=max(1, r // 10))
