"""The screens every activity shares: lobby, pause, the teacher's "end the game?", refusals,
cheers, and the end screen that shows what the class made."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from kit.activities.seats import Seat
from kit.activities.ui import INK, LABEL, PAPER, Ui, draw_hand, draw_heart

if TYPE_CHECKING:
    from kit.activities.session import Session

TITLE = 80  # px at 1080p
NOTICE_BG = (240, 228, 66)
CHEER_BG = (255, 255, 255)


def seat_grid(surface: pygame.Surface, ui: Ui, seats: list[Seat], top: int, bottom: int,
              highlight: frozenset[int] = frozenset()) -> None:
    """All seats in rows of eight between ``top`` and ``bottom`` (1080p units)."""
    if not seats:
        return
    cols = 8
    rows = (len(seats) + cols - 1) // cols
    cell_w = 1920 / cols
    cell_h = min(230.0, (bottom - top) / max(rows, 1))
    radius = int(min(cell_w, cell_h) * 0.36)
    for i, seat in enumerate(seats):
        cx = (i % cols + 0.5) * cell_w
        cy = top + (i // cols + 0.5) * cell_h
        ui.badge(surface, seat, ui.p(cx, cy), ui.s(radius), highlight=seat.number in highlight)


def title(surface: pygame.Surface, ui: Ui, text: str, *, colour: tuple[int, int, int] = INK,
          width: float = 1340) -> None:
    """An activity's title, top left (the top right is kept for cheers)."""
    ui.fit(surface, text, ui.rect(50, 10, width, 100), colour=colour, align="left")


def draw(session: Session, surface: pygame.Surface, ui: Ui) -> None:
    w = session.words
    if session.phase == "lobby":
        surface.fill(PAPER)
        ui.fit(surface, w.t(session.activity.title), ui.rect(60, 20, 1800, 110), size=TITLE)
        ui.fit(surface, w.t("Press A to join"), ui.rect(60, 140, 1800, 90))
        n = len(session.seats)
        seat_grid(surface, ui, session.seats.seats, 240, 880)
        line = w.n("{n} player", "{n} players", n)
        if session.start_pending:
            line = w.t("We start when the first pupil joins")
        ui.fit(surface, line, ui.rect(60, 890, 1800, 170))
    elif session.phase == "ended":
        surface.fill(PAPER)
        ui.fit(surface, w.t("Well done, team!"), ui.rect(60, 10, 1800, 110), size=TITLE)
        lines = session.activity.celebration()
        session.activity.draw_end(surface, ui, ui.rect(60, 130, 1800, 800))
        if lines:
            ui.fit(surface, lines[0], ui.rect(60, 940, 1800, 130))
    else:
        session.activity.draw(surface, ui)
    _cheers(session, surface, ui)
    if session.locked and session.phase != "ended" and not session.notices:
        ui.fit(surface, w.t("Joining is closed"), ui.rect(1100, 990, 800, 80),
               align="right")
    _notices(session, surface, ui)
    if session.paused:
        _veil(surface)
        _hand(surface, ui, ui.p(960, 330))
        ui.fit(surface, w.t("Pause"), ui.rect(60, 600, 1800, 140), size=110)
        ui.fit(surface, w.t("Look at your teacher"), ui.rect(60, 760, 1800, 180))
    elif session.confirming_end is not None:
        _veil(surface)
        ui.fit(surface, w.t("End the game?"), ui.rect(60, 300, 1800, 160), size=TITLE)
        ui.fit(surface, w.t("Press Esc again to end it. Any other key: go on."),
               ui.rect(60, 500, 1800, 260))


def _veil(surface: pygame.Surface) -> None:
    veil = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    veil.fill((250, 248, 240, 235))
    surface.blit(veil, (0, 0))


def _notices(session: Session, surface: pygame.Surface, ui: Ui) -> None:
    """Why a controller could not sit, at the bottom of the screen, the newest first."""
    if not session.notices:
        return
    n = session.notices[-1]
    w = session.words
    text = {"full": w.t("Controller {id}: every seat is taken. Share with a neighbour.",
                        id=n.controller),
            "locked": w.t("Controller {id}: joining is closed. Ask your teacher.",
                          id=n.controller),
            "ended": w.t("Controller {id}: the game is over.", id=n.controller)}[n.reason]
    box = ui.rect(0, 900, 1920, 180)
    pygame.draw.rect(surface, NOTICE_BG, box)
    pygame.draw.line(surface, INK, box.topleft, box.topright, ui.s(4))
    ui.fit(surface, text, box.inflate(-ui.s(80), -ui.s(10)))
    more = len(session.notices) - 1
    if more:
        ui.blit_text(surface, f"+{more}", (box.right - ui.s(20), box.top + ui.s(10)),
                     size=LABEL, anchor="topright")


def _cheers(session: Session, surface: pygame.Surface, ui: Ui) -> None:
    """Recent cheers, top right: the cheering seat with a heart (compliment) or an open hand
    (offer of help)."""
    shown = list(session.cheers)[-4:]
    for i, cheer in enumerate(reversed(shown)):
        s = cheer.seat
        card = ui.layer(("cheer", s.number, s.shape, s.colour, s.state, cheer.kind),
                        lambda c=cheer: _cheer_card(ui, c.seat, c.kind))  # type: ignore[misc]
        surface.blit(card, ui.p(1840 - 125 * i - 58, 8))


def _cheer_card(ui: Ui, seat: Seat, kind: str) -> pygame.Surface:
    img = pygame.Surface((ui.s(116), ui.s(100)), pygame.SRCALPHA)
    card = img.get_rect()
    pygame.draw.rect(img, CHEER_BG, card, border_radius=ui.s(16))
    pygame.draw.rect(img, INK, card, ui.s(3), border_radius=ui.s(16))
    ui.badge(img, seat, (ui.s(40), ui.s(50)), ui.s(34))
    mark = draw_heart if kind == "compliment" else draw_hand
    mark(img, (213, 94, 0) if kind == "compliment" else (0, 114, 178), (ui.s(92), ui.s(54)),
         ui.s(20))
    return img


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
