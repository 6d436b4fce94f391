"""Pixel mural relay (round robin): the team paints one picture. Each pupil owns a colour the
picture needs, so the picture is only whole if everyone paints.

On your turn: A paints the next pixel of your colour, B switches to your other colour (if you
own more than one), A+B passes. The turn ends after a few pixels, a pass, or the timer.
Records: turn-start, contribution (pixels, colour), pass, timeout, turn-end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.activities.base import Activity, Context
from kit.activities.catalog import PixelMuralParams
from kit.activities.i18n import N_
from kit.activities.seats import SHAPES, Seat
from kit.activities.turns import Turns
from kit.protocol.inputs import Input

if TYPE_CHECKING:
    import pygame

    from kit.activities.ui import Ui

PICTURES: dict[str, tuple[str, ...]] = {
    "sunflower": (
        "SSSSSSSSSSSSSSSS",
        "SSSSSYYYYYYSSSSS",
        "SSSSYYYYYYYYSSSS",
        "SSSYYYCCCCYYYSSS",
        "SSSYYCCCCCCYYSSS",
        "SSSYYCCCCCCYYSSS",
        "SSSYYYCCCCYYYSSS",
        "SSSSYYYYYYYYSSSS",
        "SSSSSYYGGYYSSSSS",
        "SSSGGSSGGSSGGSSS",
        "SSSSGGGGGGGGSSSS",
        "GGGGGGGGGGGGGGGG",
    ),
    "house": (
        "SSSSSSSSSSSSSSSS",
        "SSSSSSSCCSSSSSSS",
        "SSSSSSCCCCSSSSSS",
        "SSSSSCCCCCCSSSSS",
        "SSSSCCCCCCCCSSSS",
        "SSSCCCCCCCCCCSSS",
        "SSSSYYYYYYYYSSSS",
        "SSSSYSSYYSSYSSSS",
        "SSSSYSSYYSSYSSSS",
        "SSSSYYYCCYYYSSSS",
        "SSSSYYYCCYYYSSSS",
        "GGGGGGGGGGGGGGGG",
    ),
}
# Paint: letter -> (colour, name of the paint for the legend).
PAINTS: dict[str, tuple[tuple[int, int, int], str]] = {
    "S": ((86, 180, 233), "sky"),
    "Y": ((240, 228, 66), "yellow"),
    "C": ((213, 94, 0), "red"),
    "G": ((0, 158, 115), "green"),
}


class PixelMural(Activity):
    name = "pixel-mural"
    title = N_("Pixel mural")
    late_join = "next-round"

    def __init__(self, params: PixelMuralParams, ctx: Context) -> None:
        super().__init__(params, ctx)
        self.p = params
        rows = PICTURES.get(params.picture, PICTURES["sunflower"])
        self.rows = rows
        self.paint_letters = sorted({c for r in rows for c in r})
        self.painted: dict[tuple[int, int], str] = {}  # cell -> pupil who painted it
        self.turns = Turns(ctx, params.turn_seconds)
        self.owns: dict[int, list[str]] = {}  # seat number -> paint letters it owns
        self.brush: dict[int, int] = {}  # seat number -> index into its own paints
        self.used_this_turn = 0
        self._fresh: list[tuple[int, int]] = []  # painted since the mural was last drawn
        self._mural: pygame.Surface | None = None
        self._mural_scale = 0.0

    # Roles --------------------------------------------------------------------------------

    def _share_paints(self) -> None:
        players = self.ctx.seats.players()
        self.owns = {s.number: [] for s in players}
        if not players:
            return
        for k, letter in enumerate(self.paint_letters):
            self.owns[players[k % len(players)].number].append(letter)
        # More pupils than paints: the others share a paint, so everyone owns one.
        for j, s in enumerate(players):
            if not self.owns[s.number]:
                self.owns[s.number].append(self.paint_letters[j % len(self.paint_letters)])

    def start(self) -> None:
        self.ctx.admit_waiting()
        self._share_paints()
        self.turns.begin()
        self.used_this_turn = 0

    # Play ---------------------------------------------------------------------------------

    def cells_left(self, letter: str | None = None) -> list[tuple[int, int]]:
        return [(x, y) for y, row in enumerate(self.rows) for x, c in enumerate(row)
                if (letter is None or c == letter) and (x, y) not in self.painted]

    def on_input(self, seat: Seat, inp: Input) -> None:
        if seat is not self.turns.current:
            return
        mine = self.owns.get(seat.number, [])
        if inp.gesture == "A" and mine:
            letter = mine[self.brush.get(seat.number, 0) % len(mine)]
            left = self.cells_left(letter)
            if not left:
                return
            self.painted[left[0]] = seat.pupil
            self._fresh.append(left[0])
            self.used_this_turn += 1
            self.ctx.rec("contribution", seat, {"pixels": 1, "paint": letter})
            if not self.cells_left():
                self.turns.end("done")
                self.finished = True
            elif self.used_this_turn >= self.p.paints_per_turn:
                self._next("done")
        elif inp.gesture == "B" and len(mine) > 1:
            self.brush[seat.number] = self.brush.get(seat.number, 0) + 1
        elif inp.gesture == "AB":
            self.ctx.rec("pass", seat)
            self._next("pass")

    def _next(self, reason: str) -> None:
        self.turns.end(reason)
        before = self.turns.round
        self.used_this_turn = 0
        seat = self.turns.next()
        if self.turns.round != before:
            if self.turns.round > self.p.rounds:
                self.turns.current = None
                self.finished = True
                return
            self._share_paints()
        if seat is None:
            self.finished = True

    def on_join(self, seat: Seat) -> None:
        self._share_paints()

    def on_lost(self, seat: Seat) -> None:
        if seat is self.turns.current:
            self._next("reconnecting")

    def update(self, dt: float) -> None:
        if self.turns.current is None and not self.finished:
            players = self.ctx.seats.present_players()
            if players:  # everyone was away; someone is back
                self.turns.index = -1
                self.turns.next()
            return
        if self.turns.tick(dt):
            seat = self.turns.current
            self.ctx.rec("timeout", seat)
            self._next("timeout")

    def focus(self) -> list[Seat]:
        return [self.turns.current] if self.turns.current else []

    def celebration(self) -> list[str]:
        n = len(self.painted)
        total = sum(len(r) for r in self.rows)
        lines = [self.words.n("You painted {n} pixel together", "You painted {n} pixels together",
                              n)]
        if n == total:
            lines.append(self.words.t("The picture is complete!"))
        return lines

    # Drawing ------------------------------------------------------------------------------

    def _draw_mural(self, ui: Ui) -> pygame.Surface:
        import pygame

        cell = ui.s(72)
        w, h = len(self.rows[0]) * cell, len(self.rows) * cell
        surf = pygame.Surface((w + 2, h + 2))
        surf.fill((255, 255, 255))
        self._paint_cells(surf, ui, [(x, y) for y, row in enumerate(self.rows)
                                     for x in range(len(row))])
        return surf

    def _paint_cells(self, surf: pygame.Surface, ui: Ui, cells: list[tuple[int, int]]) -> None:
        """Draw these cells: painted ones filled, the others with their paint's shape."""
        import pygame

        from kit.activities.ui import INK, draw_shape

        cell = ui.s(72)
        for x, y in cells:
            c = self.rows[y][x]
            r = pygame.Rect(x * cell, y * cell, cell, cell)
            colour = PAINTS.get(c, ((128, 128, 128), ""))[0]
            if (x, y) in self.painted:
                pygame.draw.rect(surf, colour, r)
            else:
                pygame.draw.rect(surf, (255, 255, 255), r)
                k = self.paint_letters.index(c)
                draw_shape(surf, SHAPES[k % len(SHAPES)], colour, r.center, cell // 5)
            pygame.draw.rect(surf, (210, 210, 210), r, 1)
        pygame.draw.rect(surf, INK, surf.get_rect(), 2)

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        from kit.activities.ui import PAPER, draw_shape

        surface.fill(PAPER)
        if self._mural is None or self._mural_scale != ui.scale:
            self._mural, self._mural_scale = self._draw_mural(ui), ui.scale
            self._fresh.clear()
        elif self._fresh:
            self._paint_cells(self._mural, ui, self._fresh)
            self._fresh.clear()
        surface.blit(self._mural, (ui.s(60), ui.s(120)))
        w = self.words
        ui.blit_text(surface, w.t(self.title), (ui.s(60), ui.s(20)), anchor="topleft")
        cur = self.turns.current
        x0 = 1320
        if cur is not None:
            ui.blit_text(surface, w.t("Your turn"), (ui.s(1600), ui.s(170)))
            ui.badge(surface, cur, (ui.s(1600), ui.s(330)), ui.s(90), highlight=True)
            for i, letter in enumerate(self.owns.get(cur.number, [])):
                colour = PAINTS.get(letter, ((128, 128, 128), ""))[0]
                k = self.paint_letters.index(letter)
                draw_shape(surface, SHAPES[k % len(SHAPES)], colour,
                           (ui.s(1450 + 110 * i), ui.s(520)), ui.s(40))
            secs = max(0, int(self.turns.left + 0.999))
            ui.blit_text(surface, w.n("{n} second left", "{n} seconds left", secs),
                         (ui.s(1600), ui.s(630)))
        ui.blit_text(surface, w.t("Next"), (ui.s(x0), ui.s(760)), anchor="midleft")
        for i, s in enumerate(self.turns.upcoming(3)):
            ui.badge(surface, s, (ui.s(x0 + 60 + 160 * i), ui.s(890)), ui.s(55))
        left = len(self.cells_left())
        ui.blit_text(surface, w.n("{n} pixel to paint", "{n} pixels to paint", left),
                     (ui.s(60), ui.s(1060)), anchor="bottomleft")
