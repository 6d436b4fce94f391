"""Pixel mural (everyone at once, in squads): the class paints one picture together.

The picture is cut into one region per squad (of up to four), and each region into one equal
share per squad member, most of it in one paint: the region is only whole when every member
has painted their share (Kagan's colour rule, with fair loads). Everyone paints at the same
time. **A** paints the next pixel of your share with your brush, **B** changes the brush's
paint (the pixel's shape shows which paint it needs). When your share is done, **A** helps a
squad mate (then anyone in the class) whose share is a third done, who has been quiet for
``turn_seconds`` or whose controller is away: nobody waits and silence never stalls the
picture. With more than twelve pupils the picture has four times as many pixels.

Records: turn-start (role painter, pixels in the share) when painting starts, contribution
(pixels, paint; ``helped`` when it was someone else's share), turn-end (pixels painted) when
the picture is whole.
Late joiners paint at once: they take half of what is left of the busiest share of the
smallest squad.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.activities import squads as sq
from kit.activities.base import Activity, Context
from kit.activities.catalog import PixelMuralParams
from kit.activities.i18n import N_
from kit.activities.seats import SHAPES, Seat
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
# Paint: letter -> colour. Their greys differ (79, 106, 158, 213), so the paints stay apart
# on a washed-out projector and for every kind of colour vision; unpainted pixels also carry
# their paint's shape.
PAINTS: dict[str, tuple[int, int, int]] = {
    "S": (86, 180, 233),   # sky
    "Y": (240, 228, 66),   # yellow
    "C": (140, 60, 20),    # brown
    "G": (0, 158, 115),    # green
}
SQUAD = 4
BIG_CLASS = 12  # more pupils than this: the picture at double resolution
Cell = tuple[int, int]


class PixelMural(Activity):
    name = "pixel-mural"
    title = N_("Pixel mural")
    late_join = "now"
    time_box = 12 * 60.0

    def __init__(self, params: PixelMuralParams, ctx: Context) -> None:
        super().__init__(params, ctx)
        self.p = params
        self.base = PICTURES[params.picture]
        self.k = 1
        self.rows = self.base
        self.paint_letters = sorted({c for r in self.base for c in r})
        self.painted: dict[Cell, str] = {}  # cell -> pupil who painted it
        self.squads: list[list[Seat]] = []
        self.shares: dict[int, list[Cell]] = {}  # seat number -> its cells, in paint order
        self.owner: dict[Cell, int] = {}
        self.left: dict[int, list[Cell]] = {}  # seat number -> its cells still unpainted
        self.brush: dict[int, int] = {}  # seat number -> index into paint_letters
        self.last_press: dict[int, float] = {}
        self.t = 0.0
        self._fresh: list[Cell] = []
        self._mural: tuple[object, pygame.Surface] | None = None

    # Shares -------------------------------------------------------------------------------

    def letter(self, cell: Cell) -> str:
        return self.rows[cell[1]][cell[0]]

    def start(self) -> None:
        players = self.ctx.seats.players()
        if len(players) > BIG_CLASS:
            self.k = 2
            self.rows = tuple("".join(c * 2 for c in row) for row in self.base for _ in (0, 1))
        self.squads = sq.split(players, SQUAD)
        width, height = len(self.rows[0]), len(self.rows)
        cells = [(x, y) for x in range(width) for y in range(height)]  # column by column
        count = max(1, len(self.squads))
        for k, squad in enumerate(self.squads):
            region = cells[k * len(cells) // count:(k + 1) * len(cells) // count]
            order = "".join(self.paint_letters)
            region.sort(key=lambda c: (order.index(self.letter(c)), c[1], c[0]))
            for j, seat in enumerate(squad):
                part = region[j * len(region) // len(squad):(j + 1) * len(region) // len(squad)]
                self._give(seat, part)
        for seat in players:
            self.ctx.rec("turn-start", seat, {"role": "painter",
                                              "pixels": len(self.shares[seat.number])})

    def _give(self, seat: Seat, cells: list[Cell]) -> None:
        self.shares[seat.number] = cells
        self.left[seat.number] = [c for c in cells if c not in self.painted]
        for c in cells:
            self.owner[c] = seat.number
        seat.role = "painter"
        first = next((c for c in cells if c not in self.painted), None)
        self.brush[seat.number] = self.paint_letters.index(self.letter(first)) if first else 0
        self.last_press[seat.number] = self.t

    def on_join(self, seat: Seat) -> None:
        if not self.squads:
            self.squads = [[seat]]
            self.start_late_alone(seat)
            return
        squad = min(self.squads, key=len)
        busiest = max(squad, key=lambda s: len(self.left_of(s.number)))
        left = self.left_of(busiest.number)
        give = left[len(left) // 2:]
        self.shares[busiest.number] = [c for c in self.shares[busiest.number] if c not in give]
        self.left[busiest.number] = left[:len(left) // 2]
        squad.append(seat)
        self._give(seat, give)
        self.ctx.rec("turn-start", seat, {"role": "painter", "pixels": len(give)})

    def start_late_alone(self, seat: Seat) -> None:
        self._give(seat, [(x, y) for x in range(len(self.rows[0])) for y in range(len(self.rows))
                          if (x, y) not in self.painted])

    def left_of(self, number: int) -> list[Cell]:
        return self.left.get(number, [])

    def cells_left(self) -> int:
        return len(self.rows) * len(self.rows[0]) - len(self.painted)

    def _squad(self, seat: Seat) -> list[Seat]:
        k = sq.squad_of(self.squads, seat)
        return self.squads[k] if k is not None else [seat]

    def _open(self, s: Seat) -> bool:
        """May others help with this pupil's share?"""
        share = self.shares.get(s.number, [])
        left = self.left_of(s.number)
        return bool(left) and (not s.present or self.t - self.last_press.get(s.number, 0.0)
                               >= self.p.turn_seconds or 3 * len(left) <= 2 * len(share))

    def target(self, seat: Seat) -> tuple[Cell, Seat | None] | None:
        """The pixel this pupil paints next, and whose share it is when they help."""
        own = self.left_of(seat.number)
        if own:
            return own[0], None
        for pool in (self._squad(seat), self.ctx.seats.players()):
            cands = [s for s in pool if s is not seat and self._open(s)]
            if cands:
                helped = max(cands, key=lambda s: len(self.left_of(s.number)))
                return self.left_of(helped.number)[-1], helped
        return None

    # Play ---------------------------------------------------------------------------------

    def on_input(self, seat: Seat, inp: Input) -> None:
        if seat.number not in self.shares:
            return
        self.last_press[seat.number] = self.t
        if inp.gesture == "B":
            self.brush[seat.number] = (self.brush.get(seat.number, 0) + 1) % len(
                self.paint_letters)
            return
        if inp.gesture != "A":
            return
        got = self.target(seat)
        if got is None:
            return
        cell, helped = got
        letter = self.letter(cell)
        if self.paint_letters[self.brush.get(seat.number, 0)] != letter:
            return  # the shape on the pixel shows which paint it needs
        self.painted[cell] = seat.pupil
        self.left[self.owner[cell]].remove(cell)
        self._fresh.append(cell)
        data: dict[str, object] = {"pixels": 1, "paint": letter}
        if helped is not None:
            data["helped"] = helped.pupil
        self.ctx.rec("contribution", seat, data)
        if not self.cells_left():
            self.finished = True
            mine: dict[str, int] = {}
            for pupil in self.painted.values():
                mine[pupil] = mine.get(pupil, 0) + 1
            for s in self.ctx.seats.players():
                if s.number in self.shares:
                    self.ctx.rec("turn-end", s, {"reason": "done", "pixels": mine.get(s.pupil, 0)})

    def update(self, dt: float) -> None:
        self.t += dt

    def can_act(self, seat: Seat) -> bool:
        return self.target(seat) is not None

    def suggest(self, seat: Seat) -> str | None:
        got = self.target(seat)
        if got is None:
            return None
        need = self.paint_letters.index(self.letter(got[0]))
        return "A" if self.brush.get(seat.number, 0) == need else "B"

    def focus(self, seat: Seat | None = None) -> list[Seat]:
        return [s for s in self._squad(seat) if s is not seat] if seat else []

    def outcome(self) -> dict[str, object]:
        total = len(self.rows) * len(self.rows[0])
        return {"picture": self.p.picture, "painted": len(self.painted), "pixels": total,
                "complete": len(self.painted) == total}

    def celebration(self) -> list[str]:
        if not self.cells_left():
            return [self.words.t("The picture is complete!")]
        return [self.words.n("You painted {n} pixel together", "You painted {n} pixels together",
                             len(self.painted))]

    # Drawing ------------------------------------------------------------------------------

    def _cell_px(self, ui: Ui, box_w: float = 1180, box_h: float = 860) -> int:
        return ui.s(min(box_w / len(self.rows[0]), box_h / len(self.rows)))

    def _picture(self, ui: Ui, cell: int, *, shapes: bool = True) -> pygame.Surface:
        import pygame

        w, h = len(self.rows[0]) * cell, len(self.rows) * cell
        surf = pygame.Surface((w + 2, h + 2))
        surf.fill((255, 255, 255))
        self._paint_cells(surf, cell, [(x, y) for y in range(len(self.rows))
                                       for x in range(len(self.rows[0]))], shapes=shapes)
        return surf

    def _paint_cells(self, surf: pygame.Surface, cell: int, cells: list[Cell], *,
                     shapes: bool = True) -> None:
        """Draw these cells: painted ones filled, the others with their paint's shape."""
        import pygame

        from kit.activities.ui import INK, draw_shape

        for x, y in cells:
            c = self.rows[y][x]
            r = pygame.Rect(x * cell, y * cell, cell, cell)
            colour = PAINTS.get(c, (128, 128, 128))
            if (x, y) in self.painted:
                pygame.draw.rect(surf, colour, r)
            else:
                pygame.draw.rect(surf, (255, 255, 255), r)
                if shapes:
                    k = self.paint_letters.index(c)
                    draw_shape(surf, SHAPES[k % len(SHAPES)], colour, r.center, max(2, cell // 5))
            pygame.draw.rect(surf, (215, 215, 215), r, 1)
        pygame.draw.rect(surf, INK, surf.get_rect(), 2)

    def _static(self, ui: Ui) -> pygame.Surface:
        """The parts of the screen that do not change while painting."""
        import pygame

        from kit.activities.screens import title
        from kit.activities.ui import PAPER

        bg = pygame.Surface(ui.size)
        bg.fill(PAPER)
        title(bg, ui, self.words.t(self.title))
        ui.fit(bg, self.words.t("A paints, B changes the paint"), ui.rect(50, 1000, 1200, 80),
               align="left")
        return bg

    def _cursor(self, ui: Ui, seat: Seat, cell: int) -> pygame.Surface:
        import pygame

        from kit.activities.ui import INK, draw_shape

        img = pygame.Surface((cell, cell), pygame.SRCALPHA)
        c, r = (cell // 2, cell // 2), max(3, cell * 4 // 10)
        pygame.draw.rect(img, INK, img.get_rect(), max(2, ui.s(4)))
        draw_shape(img, seat.shape, seat.colour, c, r)
        draw_shape(img, seat.shape, INK, c, r, width=ui.s(3))
        return img

    def _squad_row(self, ui: Ui, squad: list[Seat], row_h: float) -> pygame.Surface:
        """One squad: each pupil's badge, brush and how much of their share is left."""
        import pygame

        from kit.activities.ui import INK, PAPER, draw_shape

        img = pygame.Surface((ui.s(620), ui.s(row_h)))  # opaque: blits fast every frame
        img.fill(PAPER)
        cy = row_h / 2
        per = 600 / max(4, len(squad))
        r = min(40.0, row_h * 0.3, per * 0.28)
        for j, s in enumerate(squad):
            cx = per * (j + 0.35)
            ui.badge(img, s, (ui.s(cx), ui.s(cy)), ui.s(r))
            letter = self.paint_letters[self.brush.get(s.number, 0)]
            kk = self.paint_letters.index(letter)
            bx = cx + r + 24
            at = (ui.s(bx), ui.s(cy - r * 0.4))
            draw_shape(img, SHAPES[kk % len(SHAPES)], PAINTS[letter], at, ui.s(r * 0.45))
            draw_shape(img, SHAPES[kk % len(SHAPES)], INK, at, ui.s(r * 0.45), width=ui.s(2))
            share = len(self.shares.get(s.number, [])) or 1
            done = 1 - len(self.left_of(s.number)) / share
            bar = pygame.Rect(ui.s(bx - r * 0.5), ui.s(cy + r * 0.2), ui.s(r), ui.s(r * 0.35))
            pygame.draw.rect(img, (255, 255, 255), bar)
            fill = bar.copy()
            fill.width = round(bar.width * done)
            pygame.draw.rect(img, INK, fill)
            pygame.draw.rect(img, INK, bar, ui.s(2))
        return img

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        from kit.activities.ui import LABEL

        w = self.words
        cell = self._cell_px(ui)
        ox, oy = ui.p(50, 120)
        # One surface holds the still parts and the picture; new pixels are painted into it.
        if self._mural is None or self._mural[0] != (ui.size, w.lang):
            base = self._static(ui)
            base.blit(self._picture(ui, cell), (ox, oy))
            self._mural = ((ui.size, w.lang), base)
            self._fresh.clear()
        elif self._fresh:
            pic = self._mural[1].subsurface((ox, oy, len(self.rows[0]) * cell + 2,
                                             len(self.rows) * cell + 2))
            self._paint_cells(pic, cell, self._fresh)
            self._fresh.clear()
        surface.blit(self._mural[1], (0, 0))
        # Where each pupil paints next: their seat's shape and colour on that pixel.
        for s in self.ctx.seats.present_players():
            own = self.left.get(s.number)
            if own:
                x, y = own[0]
            else:
                got = self.target(s) if s.number in self.shares else None
                if got is None:
                    continue
                (x, y), _ = got
            img = ui.layer(("cursor", s.number, s.shape, s.colour, cell),
                           lambda s=s: self._cursor(ui, s, cell))  # type: ignore[misc]
            surface.blit(img, (ox + x * cell, oy + y * cell))
        top, bottom = 120, 900
        row_h = (bottom - top) / max(1, len(self.squads))
        for k, squad in enumerate(self.squads):
            key = ("mural-row", row_h, tuple(
                (s.number, s.state, self.brush.get(s.number, 0),
                 len(self.left.get(s.number, ())) * 10 // (len(self.shares.get(s.number, ()))
                                                           or 1)) for s in squad))
            row = ui.layer(key, lambda squad=squad: self._squad_row(  # type: ignore[misc]
                ui, squad, row_h))
            surface.blit(row, ui.p(1270, top + k * row_h))
        ui.fit(surface, w.n("{n} pixel to paint", "{n} pixels to paint", self.cells_left()),
               ui.rect(1260, 910, 640, 160), size=LABEL)

    def draw_end(self, surface: pygame.Surface, ui: Ui, box: pygame.Rect) -> None:
        cell = max(2, min(box.width // len(self.rows[0]), box.height // len(self.rows)))
        img = self._picture(ui, cell, shapes=False)
        surface.blit(img, img.get_rect(center=box.center))
