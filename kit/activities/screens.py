"""The screens every activity shares: lobby, pause ("hands up") and the team's end screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from kit.activities.seats import Seat
from kit.activities.ui import INK, PAPER, Ui

if TYPE_CHECKING:
    from kit.activities.session import Session


def seat_grid(surface: pygame.Surface, ui: Ui, seats: list[Seat], top: int, bottom: int,
              highlight: frozenset[int] = frozenset()) -> None:
    """All seats in rows of eight between ``top`` and ``bottom`` (1080p units)."""
    if not seats:
        return
    cols = 8
    rows = (len(seats) + cols - 1) // cols
    cell_w = 1920 / cols
    cell_h = min(230.0, (bottom - top) / max(rows, 1))
    radius = int(min(cell_w, cell_h) * 0.32)
    for i, seat in enumerate(seats):
        cx = (i % cols + 0.5) * cell_w
        cy = top + (i // cols + 0.5) * cell_h
        ui.badge(surface, seat, (ui.s(cx), ui.s(cy)), ui.s(radius),
                 highlight=seat.number in highlight)


def draw(session: Session, surface: pygame.Surface, ui: Ui) -> None:
    w = session.words
    if session.phase == "lobby":
        surface.fill(PAPER)
        ui.blit_text(surface, w.t(session.activity.title), (ui.s(960), ui.s(80)), size=72)
        ui.blit_text(surface, w.t("Press A to join"), (ui.s(960), ui.s(180)))
        n = len(session.seats)
        ui.blit_text(surface, w.n("{n} player", "{n} players", n), (ui.s(960), ui.s(1010)))
        seat_grid(surface, ui, session.seats.seats, 250, 950)
    elif session.phase == "ended":
        surface.fill(PAPER)
        ui.blit_text(surface, w.t("Well done, team!"), (ui.s(960), ui.s(90)), size=80)
        for i, line in enumerate(session.activity.celebration()[:3]):
            ui.blit_text(surface, line, (ui.s(960), ui.s(200 + 70 * i)))
        seat_grid(surface, ui, session.seats.seats, 420, 1060)
    else:
        session.activity.draw(surface, ui)
    if session.locked and session.phase != "ended":
        ui.blit_text(surface, w.t("Joining is closed"), (ui.s(1900), ui.s(1050)),
                     anchor="bottomright")
    if session.paused:
        veil = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        veil.fill((250, 248, 240, 235))
        surface.blit(veil, (0, 0))
        _hand(surface, ui, (ui.s(960), ui.s(430)))
        ui.blit_text(surface, w.t("Hands up!"), (ui.s(960), ui.s(700)), size=96)
        ui.blit_text(surface, w.t("Look at your teacher"), (ui.s(960), ui.s(820)))


def _hand(surface: pygame.Surface, ui: Ui, c: tuple[int, int]) -> None:
    x, y = c
    palm = pygame.Rect(0, 0, ui.s(170), ui.s(170))
    palm.midtop = (x, y)
    pygame.draw.rect(surface, INK, palm, border_radius=ui.s(40))
    for k, h in enumerate((190, 230, 220, 170)):
        finger = pygame.Rect(0, 0, ui.s(36), ui.s(h))
        finger.midbottom = (x - ui.s(64) + k * ui.s(43), y + ui.s(30))
        pygame.draw.rect(surface, INK, finger, border_radius=ui.s(18))
    thumb = pygame.Rect(0, 0, ui.s(110), ui.s(40))
    thumb.midright = (x - ui.s(70), y + ui.s(90))
    pygame.draw.rect(surface, INK, thumb, border_radius=ui.s(20))
