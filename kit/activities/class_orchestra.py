"""Class orchestra (simultaneous): every pupil plays one lane of the song at the same time. The
song is only whole when every part is in it.

A playhead moves along the lanes at the song's tempo; a pupil presses A when it reaches a note
of their lane (a generous window: there are no points for speed and no misses are counted).
Records, for each pupil and bar they played in: contribution (bar, notes); turn-start and
turn-end when the song starts and ends. Late joiners get a new lane at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.activities.base import Activity, Context
from kit.activities.catalog import ClassOrchestraParams
from kit.activities.i18n import N_
from kit.activities.seats import Seat
from kit.protocol.inputs import Input

if TYPE_CHECKING:
    import pygame

    from kit.activities.ui import Ui

BEATS = 4  # per bar
COUNT_IN = 4.0  # beats before the first bar
WINDOW = 0.5  # beats either side of a note
INSTRUMENTS = (N_("drum"), N_("bells"), N_("bass"), N_("shaker"))
# Beats (in eighths of a bar: 0..7) each instrument plays, per bar.
PATTERNS = ((0, 4), (2,), (0, 6), (2, 6))


class ClassOrchestra(Activity):
    name = "class-orchestra"
    title = N_("Class orchestra")
    late_join = "now"

    def __init__(self, params: ClassOrchestraParams, ctx: Context) -> None:
        super().__init__(params, ctx)
        self.p = params
        self.beat = -COUNT_IN  # playhead, in beats from the first bar
        self.lanes: dict[int, list[float]] = {}  # seat number -> note times (beats)
        self.played: dict[int, set[float]] = {}
        self.lane_seats: list[Seat] = []
        self._bar_notes: dict[int, int] = {}
        self._bar = 0
        self._bg: tuple[object, pygame.Surface] | None = None

    @property
    def length(self) -> float:
        return float(self.p.bars * BEATS)

    def _lane(self, seat: Seat) -> None:
        k = len(self.lane_seats)
        pattern = PATTERNS[k % len(PATTERNS)]
        shift = (k // len(PATTERNS)) % 2  # neighbours of the same instrument interleave
        notes = []
        for bar in range(self.p.bars):
            for eighth in pattern:
                t = bar * BEATS + ((eighth + shift * 2) % 8) / 2
                if t >= self.beat + WINDOW:
                    notes.append(t)
        self.lanes[seat.number] = notes
        self.played[seat.number] = set()
        self.lane_seats.append(seat)
        self.ctx.rec("turn-start", seat, {"lane": INSTRUMENTS[k % len(INSTRUMENTS)]})

    def instrument(self, seat: Seat) -> str:
        return INSTRUMENTS[self.lane_seats.index(seat) % len(INSTRUMENTS)]

    def start(self) -> None:
        self.ctx.admit_waiting()
        for seat in self.ctx.seats.players():
            self._lane(seat)

    def on_join(self, seat: Seat) -> None:
        self._lane(seat)

    def on_input(self, seat: Seat, inp: Input) -> None:
        if inp.gesture != "A" or seat.number not in self.lanes:
            return
        done = self.played[seat.number]
        for t in self.lanes[seat.number]:
            if t not in done and abs(t - self.beat) <= WINDOW:
                done.add(t)
                self._bar_notes[seat.number] = self._bar_notes.get(seat.number, 0) + 1
                return

    def update(self, dt: float) -> None:
        self.beat += dt * self.p.tempo_bpm / 60.0
        bar = int(self.beat // BEATS) if self.beat >= 0 else -1
        if bar > self._bar or self.beat >= self.length + WINDOW:
            self._close_bar()
            self._bar = bar
        if self.beat >= self.length + WINDOW:
            for seat in self.lane_seats:
                self.ctx.rec("turn-end", seat, {"lane": self.instrument(seat),
                                                "notes": len(self.played[seat.number])})
            self.finished = True

    def _close_bar(self) -> None:
        for seat in self.lane_seats:
            n = self._bar_notes.get(seat.number, 0)
            if n:
                self.ctx.rec("contribution", seat, {"bar": self._bar + 1, "notes": n})
        self._bar_notes.clear()

    def focus(self) -> list[Seat]:
        return []  # everyone plays at once: cheers go to the whole orchestra

    def notes_played(self) -> int:
        return sum(len(v) for v in self.played.values())

    def celebration(self) -> list[str]:
        lines = [self.words.n("Together you played {n} note", "Together you played {n} notes",
                              self.notes_played())]
        if self.lane_seats and all(self.played[s.number] for s in self.lane_seats):
            lines.append(self.words.t("Every part was in the song!"))
        return lines

    # Drawing ------------------------------------------------------------------------------

    def _layout(self) -> tuple[int, int, float, float]:
        cols = 1 if len(self.lane_seats) <= 12 else 2
        per_col = max(1, -(-len(self.lane_seats) // cols))
        return cols, per_col, (990 - 130) / per_col, 1920 / cols

    def _lane_geometry(self, i: int, ui: Ui) -> tuple[float, int, int, float, float]:
        _, per_col, row_h, col_w = self._layout()
        col, row = divmod(i, per_col)
        x0 = col * col_w + 40
        cy = ui.s(130 + (row + 0.5) * row_h)
        r = ui.s(min(40, row_h * 0.4))
        return x0, cy, r, x0 + 190, (col + 1) * col_w - 40

    def _background(self, ui: Ui) -> pygame.Surface:
        """Everything that does not move: title, lane badges, tracks, the hint."""
        import pygame

        from kit.activities.ui import INK, PAPER, draw_shape

        key = (ui.size, tuple((s.number, s.state) for s in self.lane_seats))
        if self._bg is not None and self._bg[0] == key:
            return self._bg[1]
        bg = pygame.Surface(ui.size)
        bg.fill(PAPER)
        w = self.words
        ui.blit_text(bg, w.t(self.title), (ui.s(60), ui.s(20)), anchor="topleft")
        for i, seat in enumerate(self.lane_seats):
            x0, cy, r, tx0, tx1 = self._lane_geometry(i, ui)
            colour = seat.colour if seat.present else (150, 150, 150)
            draw_shape(bg, seat.shape, colour, (ui.s(x0 + 40), cy), r)
            draw_shape(bg, seat.shape, INK, (ui.s(x0 + 40), cy), r, width=ui.s(2))
            ui.blit_text(bg, str(seat.number), (ui.s(x0 + 100), cy), anchor="midleft")
            pygame.draw.line(bg, (200, 200, 200), (ui.s(tx0), cy), (ui.s(tx1), cy), ui.s(3))
        ui.blit_text(bg, w.t("Press A on your notes"), (ui.s(60), ui.s(1060)),
                     anchor="bottomleft")
        self._bg = (key, bg)
        return bg

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        import pygame

        from kit.activities.ui import INK, draw_shape

        surface.blit(self._background(ui), (0, 0))
        w = self.words
        if self.beat < 0:
            ui.blit_text(surface, w.t("Get ready"), (ui.s(1860), ui.s(20)), anchor="topright")
        else:
            bar = min(self.p.bars, int(self.beat // BEATS) + 1)
            ui.blit_text(surface, w.t("Bar {bar} of {bars}", bar=bar, bars=self.p.bars),
                         (ui.s(1860), ui.s(20)), anchor="topright")
        span = 6.0  # beats visible: 1.5 behind, 4.5 ahead
        for i, seat in enumerate(self.lane_seats):
            _, cy, r, tx0, tx1 = self._lane_geometry(i, ui)
            ppb = (tx1 - tx0) / span
            colour = seat.colour if seat.present else (150, 150, 150)
            done = self.played.get(seat.number, set())
            for t in self.lanes.get(seat.number, ()):
                dx = t - self.beat + 1.5
                if dx < 0 or dx > span:
                    continue
                nx = ui.s(tx0 + dx * ppb)
                if t in done:
                    draw_shape(surface, seat.shape, colour, (nx, cy), r // 2 + 2)
                else:
                    draw_shape(surface, seat.shape, INK, (nx, cy), r // 2, width=ui.s(3))
            px = ui.s(tx0 + 1.5 * ppb)
            pygame.draw.line(surface, INK, (px, cy - r), (px, cy + r), ui.s(4))
