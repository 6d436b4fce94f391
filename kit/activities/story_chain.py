"""Story chain (consensus): the team builds a story panel by panel. For each panel a teller
(taking turns) picks one of three parts (A shows the next, B proposes it); everyone else
agrees (A) or asks for another (B). The panel locks only when everyone present agrees.

Records: turn-start and turn-end for the teller, contribution when a part is proposed, vote
(agree true/false) from the others, pass (teller A+B) and timeout. Late joiners join at the
next panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.activities.base import Activity, Context
from kit.activities.catalog import StoryChainParams
from kit.activities.i18n import N_
from kit.activities.seats import SHAPES, Seat
from kit.activities.turns import Turns
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


class StoryChain(Activity):
    name = "story-chain"
    title = N_("Story chain")
    late_join = "next-round"

    def __init__(self, params: StoryChainParams, ctx: Context) -> None:
        super().__init__(params, ctx)
        self.p = params
        self.story: list[int] = []  # indices into PIECES
        self.turns = Turns(ctx, params.panel_seconds)
        self.choice = 0  # 0..2 among options()
        self.proposed: int | None = None  # piece index proposed by the teller
        self.agreed: set[int] = set()  # seat numbers that agree

    def options(self) -> list[int]:
        k = len(self.story)
        base = (THEME_OFFSET[self.p.theme] + 5 * k) % len(PIECES)
        return [(base + 4 * j) % len(PIECES) for j in range(3)]

    def start(self) -> None:
        self.turns.begin()

    def voters(self) -> list[Seat]:
        return [s for s in self.ctx.seats.present_players() if s is not self.turns.current]

    def still_to_agree(self) -> list[Seat]:
        return [s for s in self.voters() if s.number not in self.agreed]

    def on_input(self, seat: Seat, inp: Input) -> None:
        teller = self.turns.current
        if seat is teller:
            if self.proposed is None and inp.gesture == "A":
                self.choice = (self.choice + 1) % 3
            elif self.proposed is None and inp.gesture == "B":
                self.proposed = self.options()[self.choice]
                self.agreed.clear()
                self.ctx.rec("contribution", seat, {"panel": len(self.story) + 1,
                                                    "piece": self.proposed})
                self._maybe_lock()
            elif inp.gesture == "AB":
                self.ctx.rec("pass", seat)
                self._next_teller("pass")
            return
        if self.proposed is None or inp.gesture not in ("A", "B"):
            return
        agree = inp.gesture == "A"
        self.ctx.rec("vote", seat, {"panel": len(self.story) + 1, "agree": agree})
        if agree:
            self.agreed.add(seat.number)
            self._maybe_lock()
        else:  # ask for another part: the teller picks again
            self.proposed = None
            self.agreed.clear()

    def _maybe_lock(self) -> None:
        if self.proposed is None or self.still_to_agree():
            return
        self.story.append(self.proposed)
        self.proposed = None
        self.agreed.clear()
        self.choice = 0
        if len(self.story) >= self.p.panels:
            self.turns.end("done")
            self.finished = True
            return
        self._next_teller("done")

    def _next_teller(self, reason: str) -> None:
        self.turns.end(reason)
        self.proposed = None
        self.agreed.clear()
        self.choice = 0
        self.ctx.admit_waiting()  # late joiners join at the next panel
        self.turns.order = self.ctx.seats.players()
        if self.turns.next() is None:
            self.finished = True

    def on_lost(self, seat: Seat) -> None:
        if seat is self.turns.current:
            self._next_teller("reconnecting")
        else:
            self._maybe_lock()  # an absent pupil never blocks the others

    def update(self, dt: float) -> None:
        if self.turns.current is None:
            if self.ctx.seats.present_players():
                self.turns.index = -1
                self.turns.next()
            return
        if self.proposed is None and self.turns.tick(dt):
            self.ctx.rec("timeout", self.turns.current)
            self._next_teller("timeout")

    def focus(self) -> list[Seat]:
        return [self.turns.current] if self.turns.current else []

    def celebration(self) -> list[str]:
        w = self.words
        lines = [w.n("You wrote a story of {n} part together",
                     "You wrote a story of {n} parts together", len(self.story))]
        if self.story:
            lines.append(", ".join(w.t(PIECES[i]) for i in self.story[:4]))
        return lines

    # Drawing ------------------------------------------------------------------------------

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        import pygame

        from kit.activities.ui import INK, PAPER, draw_shape

        surface.fill(PAPER)
        w = self.words
        colour = THEME_COLOUR[self.p.theme]
        pygame.draw.rect(surface, colour, pygame.Rect(0, 0, surface.get_width(), ui.s(110)))
        ui.blit_text(surface, w.t(self.title), (ui.s(60), ui.s(20)), anchor="topleft",
                     colour=PAPER)
        # The story so far.
        ui.blit_text(surface, w.t("Our story"), (ui.s(60), ui.s(170)), anchor="midleft")
        for i, piece in enumerate(self.story[-6:]):
            r = pygame.Rect(ui.s(60 + 300 * i), ui.s(220), ui.s(280), ui.s(160))
            pygame.draw.rect(surface, (255, 255, 255), r, border_radius=ui.s(16))
            pygame.draw.rect(surface, INK, r, ui.s(3), border_radius=ui.s(16))
            draw_shape(surface, SHAPES[piece % len(SHAPES)], colour,
                       (r.centerx, r.y + ui.s(50)), ui.s(30))
            ui.blit_text(surface, w.t(PIECES[piece]), (r.centerx, r.bottom - ui.s(45)))
        teller = self.turns.current
        if teller is None:
            return
        ui.badge(surface, teller, (ui.s(150), ui.s(560)), ui.s(70), highlight=True)
        if self.proposed is None:
            ui.blit_text(surface, w.t("Pick the next part: A changes, B chooses"),
                         (ui.s(260), ui.s(560)), anchor="midleft")
            chosen = self.options()[self.choice]
            for j, piece in enumerate(self.options()):
                r = pygame.Rect(ui.s(260 + 540 * j), ui.s(680), ui.s(500), ui.s(200))
                pygame.draw.rect(surface, (255, 255, 255), r, border_radius=ui.s(16))
                pygame.draw.rect(surface, INK, r, ui.s(10 if piece == chosen else 3),
                                 border_radius=ui.s(16))
                draw_shape(surface, SHAPES[piece % len(SHAPES)], colour,
                           (r.centerx, r.y + ui.s(60)), ui.s(38))
                ui.blit_text(surface, w.t(PIECES[piece]), (r.centerx, r.bottom - ui.s(50)))
        else:
            ui.blit_text(surface, w.t(PIECES[self.proposed]), (ui.s(260), ui.s(560)),
                         anchor="midleft", size=72)
            ui.blit_text(surface, w.t("Agree? A yes, B change"), (ui.s(260), ui.s(680)),
                         anchor="midleft")
            waiting = self.still_to_agree()
            ui.blit_text(surface, w.n("{n} pupil still to agree", "{n} pupils still to agree",
                                      len(waiting)), (ui.s(260), ui.s(790)), anchor="midleft")
            for i, s in enumerate(waiting[:12]):
                ui.badge(surface, s, (ui.s(320 + 130 * i), ui.s(930)), ui.s(50))
