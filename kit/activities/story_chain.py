"""Story chain (consensus in squads, all squads at once): the class builds one story, each
squad of three adding a part in every round, at the same time.

In each squad the teller (a new one each round) shows the three parts on offer with **A** and
picks one with **B**; the others agree with **A** or ask for another with **B**. A part locks
when everyone present in the squad agrees, or when ``VOTE_SECONDS`` pass without a request
for another (silence agrees). Each pupil may ask for another part once per round, and after
two requests the next pick stands, so vetoes cannot stall a squad; a silent teller's
highlighted part is picked for them after ``panel_seconds``; and once one squad has its part,
the others have ``ROUND_GRACE`` seconds before the parts on show stand, so no squad waits long
for another. A round ends when every squad has
its part; there are twice as many rounds as the largest squad has pupils (so everyone tells
twice) and enough for ``panels`` parts.

Records: turn-start and turn-end for the teller, contribution when the teller picks a part,
vote (agree true/false), timeout. Late joiners join the smallest squad at the next round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kit.activities import squads as sq
from kit.activities.base import Activity, Context
from kit.activities.catalog import StoryChainParams
from kit.activities.i18n import N_
from kit.activities.seats import SHAPES, Seat
from kit.protocol.inputs import Input

if TYPE_CHECKING:
    import pygame

    from kit.activities.ui import Ui

PIECES = (N_("a rocket"), N_("a dragon"), N_("a boat"), N_("a tree"), N_("a robot"),
          N_("a cat"), N_("a storm"), N_("a map"), N_("a friend"), N_("a cave"),
          N_("a song"), N_("a key"))
THEME_OFFSET = {"space": 0, "forest": 3, "sea": 2, "city": 4}
THEME_COLOUR = {"space": (0, 114, 178), "forest": (0, 158, 115), "sea": (86, 180, 233),
                "city": (204, 121, 167)}
SQUAD = 3
VOTE_SECONDS = 12.0
ROUND_GRACE = 20.0  # once a squad has its part, the others have this long to settle theirs
MAX_CHANGES = 2  # requests for another part, per squad and round
PAGE = 8  # story parts on one page of the end screen
PAGE_SECONDS = 6.0
TILE = (235, 232, 222)  # a squad's place on the screen


@dataclass(eq=False)
class Table:
    """One squad's part of the current round."""

    seats: list[Seat]
    teller: Seat | None = None
    choice: int = 0
    proposed: int | None = None
    agreed: set[int] = field(default_factory=set)
    asked: set[int] = field(default_factory=set)
    changes: int = 0
    left: float = 0.0
    locked: int | None = None


class StoryChain(Activity):
    name = "story-chain"
    title = N_("Story chain")
    late_join = "next-round"
    time_box = 12 * 60.0

    def __init__(self, params: StoryChainParams, ctx: Context) -> None:
        super().__init__(params, ctx)
        self.p = params
        self.story: list[int] = []  # indices into PIECES
        self.tables: list[Table] = []
        self.round = 0  # 1-based once started
        self.rounds = 0
        self.page = 0
        self._page_t = 0.0
        self.t = 0.0
        self.first_lock: float | None = None  # when the round's first squad locked its part

    # Rounds -------------------------------------------------------------------------------

    def start(self) -> None:
        self.ctx.admit_waiting()
        self.tables = [Table(seats) for seats in sq.split(self.ctx.seats.players(), SQUAD)]
        n = max(1, len(self.tables))
        self.rounds = max(-(-self.p.panels // n), 2 * max((len(t.seats) for t in self.tables),
                                                          default=1))
        self._begin_round()

    def _begin_round(self) -> None:
        self.round += 1
        self.first_lock = None
        for seat in self.ctx.admit_waiting():  # late joiners sit with the smallest squad
            if self.tables:
                min(self.tables, key=lambda t: len(t.seats)).seats.append(seat)
            else:
                self.tables.append(Table([seat]))
        for k, t in enumerate(self.tables):
            t.teller = self._pick_teller(t)
            t.choice, t.proposed, t.locked, t.changes = 0, None, None, 0
            t.agreed.clear()
            t.asked.clear()
            t.left = self.p.panel_seconds
            for s in t.seats:
                s.role = "teller" if s is t.teller else "listener"
            if t.teller is not None:
                self.ctx.rec("turn-start", t.teller, {"panel": self.panel_of(k),
                                                      "round": self.round})

    def _pick_teller(self, t: Table) -> Seat | None:
        """The round's teller: the next in the squad's order who is present."""
        n = len(t.seats)
        for j in range(n):
            s = t.seats[(self.round - 1 + j) % n]
            if s.present:
                return s
        return None

    def panel_of(self, k: int) -> int:
        return (self.round - 1) * len(self.tables) + k + 1

    def options(self, k: int = 0) -> list[int]:
        base = (THEME_OFFSET[self.p.theme] + 5 * (self.panel_of(k) - 1)) % len(PIECES)
        return [(base + 4 * j) % len(PIECES) for j in range(3)]

    def table_of(self, seat: Seat) -> tuple[int, Table] | None:
        for k, t in enumerate(self.tables):
            if seat in t.seats:
                return k, t
        return None

    # Play ---------------------------------------------------------------------------------

    def voters(self, t: Table) -> list[Seat]:
        return [s for s in t.seats if s.present and s.playing and s is not t.teller]

    def on_input(self, seat: Seat, inp: Input) -> None:
        found = self.table_of(seat)
        if found is None:
            return
        k, t = found
        if t.locked is not None:
            return
        if seat is t.teller:
            if t.proposed is None and inp.gesture == "A":
                t.choice = (t.choice + 1) % 3
            elif t.proposed is None and inp.gesture == "B":
                self._propose(k, t, by_teller=True)
            return
        if t.proposed is None or inp.gesture not in ("A", "B"):
            return
        if inp.gesture == "A":
            self.ctx.rec("vote", seat, {"panel": self.panel_of(k), "agree": True})
            t.agreed.add(seat.number)
            self._maybe_lock(k, t)
        elif seat.number not in t.asked and t.changes < MAX_CHANGES:
            self.ctx.rec("vote", seat, {"panel": self.panel_of(k), "agree": False})
            t.asked.add(seat.number)
            t.changes += 1
            t.proposed = None
            t.choice = (t.choice + 1) % 3  # another part is on show
            t.agreed.clear()
            t.left = self.p.panel_seconds

    def _propose(self, k: int, t: Table, *, by_teller: bool = False) -> None:
        """The part on show is put to the squad: picked by the teller, or standing because the
        teller was silent or away (then it is nobody's contribution)."""
        t.proposed = self.options(k)[t.choice]
        t.agreed.clear()
        t.left = VOTE_SECONDS
        if by_teller and t.teller is not None:
            self.ctx.rec("contribution", t.teller, {"panel": self.panel_of(k),
                                                    "piece": t.proposed})
        self._maybe_lock(k, t)

    def _maybe_lock(self, k: int, t: Table, *, silence: bool = False) -> None:
        if t.proposed is None:
            return
        if not silence and any(s.number not in t.agreed for s in self.voters(t)):
            return
        t.locked, t.proposed = t.proposed, None
        if self.first_lock is None:
            self.first_lock = self.t
        if t.teller is not None:
            self.ctx.rec("turn-end", t.teller, {"panel": self.panel_of(k), "reason": "done"})
        if all(x.locked is not None for x in self.tables):
            self.story.extend(x.locked for x in self.tables if x.locked is not None)
            if self.round >= self.rounds:
                self.finished = True
            else:
                self._begin_round()

    def on_lost(self, seat: Seat) -> None:
        found = self.table_of(seat)
        if found is None:
            return
        k, t = found
        if seat is t.teller and t.proposed is None and t.locked is None:
            self._propose(k, t)  # the highlighted part stands; not held against them
        else:
            self._maybe_lock(k, t)  # an absent pupil never blocks the others

    def update(self, dt: float) -> None:
        self.t += dt
        hurry = self.first_lock is not None and self.t - self.first_lock >= ROUND_GRACE
        for k, t in enumerate(list(self.tables)):
            if t.locked is not None:
                continue
            if hurry:  # the rest of the class waits: the part on show stands
                if t.proposed is None:
                    self._propose(k, t)
                self._maybe_lock(k, t, silence=True)
                continue
            t.left -= dt
            if t.left > 0:
                continue
            if t.proposed is None:
                if t.teller is not None and t.teller.present:
                    self.ctx.rec("timeout", t.teller, {"panel": self.panel_of(k)})
                self._propose(k, t)
            else:
                self._maybe_lock(k, t, silence=True)

    def update_end(self, dt: float) -> None:
        self._page_t += dt
        if self._page_t >= PAGE_SECONDS:
            self._page_t = 0.0
            pages = max(1, -(-len(self.story) // PAGE))
            self.page = (self.page + 1) % pages

    # What pupils may do -------------------------------------------------------------------

    def can_act(self, seat: Seat) -> bool:
        found = self.table_of(seat)
        if found is None or not seat.playing:
            return False
        t = found[1]
        if t.locked is not None:
            return False
        if seat is t.teller:
            return t.proposed is None
        return t.proposed is not None and seat.number not in t.agreed

    def suggest(self, seat: Seat) -> str | None:
        if not self.can_act(seat):
            return None
        found = self.table_of(seat)
        assert found is not None
        return "B" if seat is found[1].teller else "A"

    def focus(self, seat: Seat | None = None) -> list[Seat]:
        tables = self.tables
        if seat is not None:
            found = self.table_of(seat)
            tables = [found[1]] if found else []
        return [t.teller for t in tables if t.teller is not None]

    def outcome(self) -> dict[str, object]:
        return {"parts": len(self.story), "rounds": self.rounds, "round": self.round,
                "complete": self.finished, "squads": len(self.tables)}

    def celebration(self) -> list[str]:
        return [self.words.n("You wrote a story of {n} part together",
                             "You wrote a story of {n} parts together", len(self.story))]

    # Drawing ------------------------------------------------------------------------------

    def _card(self, surface: pygame.Surface, ui: Ui, piece: int, r: pygame.Rect, *,
              thick: bool = False, icon: bool = True,
              under: tuple[int, int, int] = TILE) -> None:
        surface.blit(ui.layer(("story-card", piece, r.size, thick, icon, under,
                               self.words.lang),
                              lambda: self._card_img(ui, piece, r.size, thick, icon, under)),
                     r.topleft)

    def _card_img(self, ui: Ui, piece: int, size: tuple[int, int], thick: bool,
                  icon: bool, under: tuple[int, int, int]) -> pygame.Surface:
        """A part of the story: its shape (when ``icon``) above its words. Opaque (on the
        colour ``under`` it), so that a screenful of cards blits fast."""
        import pygame

        from kit.activities.ui import INK, draw_shape

        img = pygame.Surface(size)
        img.fill(under)
        r = img.get_rect()
        pygame.draw.rect(img, (255, 255, 255), r, border_radius=ui.s(16))
        pygame.draw.rect(img, INK, r, ui.s(8 if thick else 3), border_radius=ui.s(16))
        top = r.y + ui.s(8)
        if icon:
            rad = min(r.height // 6, ui.s(40))
            draw_shape(img, SHAPES[piece % len(SHAPES)], THEME_COLOUR[self.p.theme],
                       (r.centerx, r.y + rad + ui.s(14)), rad)
            top = r.y + 2 * rad + ui.s(20)
        words = pygame.Rect(r.x + ui.s(10), top, r.width - ui.s(20), r.bottom - top - ui.s(8))
        ui.fit(img, self.words.t(PIECES[piece]), words)
        return img

    def _tiles(self, ui: Ui) -> tuple[int, int, float, float]:
        cols, rows = sq.grid(len(self.tables), 1820, 790)
        return cols, rows, 1820 / cols, 790 / rows

    def _background(self, ui: Ui) -> pygame.Surface:
        import pygame

        from kit.activities.screens import title
        from kit.activities.ui import PAPER

        bg = pygame.Surface(ui.size)
        bg.fill(PAPER)
        colour = THEME_COLOUR[self.p.theme]
        pygame.draw.rect(bg, colour, pygame.Rect(0, 0, bg.get_width(), ui.y(115)))
        title(bg, ui, self.words.t(self.title), colour=PAPER)
        cols, _, tw, th = self._tiles(ui)
        for k in range(len(self.tables)):
            x0, y0 = 50 + (k % cols) * tw, 130 + (k // cols) * th
            tile = ui.rect(x0 + 8, y0 + 8, tw - 16, th - 16)
            pygame.draw.rect(bg, TILE, tile, border_radius=ui.s(16))
        ui.fit(bg, self.words.t("Teller: A shows another part, B picks it. Others: A yes, "
                                "B another."), ui.rect(50, 925, 1820, 150))
        return bg

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        import pygame

        from kit.activities.ui import INK, LABEL, PAPER, draw_shape

        surface.blit(ui.layer(("story-bg", len(self.tables), self.words.lang, self.p.theme),
                              lambda: self._background(ui)), (0, 0))
        cols, _, tw, th = self._tiles(ui)
        for k, t in enumerate(self.tables):
            x0, y0 = 50 + (k % cols) * tw, 130 + (k // cols) * th
            cy = y0 + 48
            if t.teller is not None:
                ui.badge(surface, t.teller, ui.p(x0 + 50, cy), ui.s(30),
                         highlight=t.locked is None and t.proposed is None)
            for j, s in enumerate(self.voters(t)):
                cx = x0 + 124 + j * 74
                ui.badge(surface, s, ui.p(cx, cy), ui.s(24),
                         highlight=t.proposed is not None and s.number not in t.agreed)
                if s.number in t.agreed:
                    pygame.draw.lines(surface, INK, False, [
                        ui.p(cx + 8, cy + 22), ui.p(cx + 16, cy + 32), ui.p(cx + 32, cy + 8)],
                        ui.s(6))
            piece = t.locked if t.locked is not None else t.proposed \
                if t.proposed is not None else self.options(k)[t.choice]
            draw_shape(surface, SHAPES[piece % len(SHAPES)], THEME_COLOUR[self.p.theme],
                       ui.p(x0 + tw - 50, cy), ui.s(26))
            draw_shape(surface, SHAPES[piece % len(SHAPES)], INK, ui.p(x0 + tw - 50, cy),
                       ui.s(26), width=ui.s(2))
            if t.proposed is None and t.locked is None:
                for j in range(3):
                    pygame.draw.circle(surface, INK, ui.p(x0 + tw - 150 + 24 * j, cy),
                                       ui.s(9), 0 if j == t.choice else ui.s(2))
            card = ui.rect(x0 + 18, y0 + 86, tw - 36, th - 104)
            self._card(surface, ui, piece, card, thick=t.locked is not None, icon=False)
        ui.blit_text(surface, f"{min(self.round, self.rounds)}/{self.rounds}",
                     ui.p(1870, 58), size=LABEL, colour=PAPER, anchor="midright")

    def draw_end(self, surface: pygame.Surface, ui: Ui, box: pygame.Rect) -> None:
        from kit.activities.ui import LABEL, PAPER

        pages = max(1, -(-len(self.story) // PAGE))
        page = self.story[self.page * PAGE:(self.page + 1) * PAGE]
        cw, ch = box.width // 4, (box.height - ui.s(50)) // 2
        for i, piece in enumerate(page):
            r = surface.get_rect().__class__(box.x + (i % 4) * cw + ui.s(10),
                                             box.y + (i // 4) * ch + ui.s(10),
                                             cw - ui.s(20), ch - ui.s(20))
            self._card(surface, ui, piece, r, under=PAPER)
            ui.blit_text(surface, str(self.page * PAGE + i + 1), (r.x + ui.s(30), r.y + ui.s(30)),
                         size=LABEL)
        if pages > 1:
            ui.blit_text(surface, f"{self.page + 1}/{pages}", (box.centerx, box.bottom - ui.s(20)),
                         size=LABEL)
