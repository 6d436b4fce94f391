"""Class orchestra (simultaneous, in sections): the class plays a song together, and it sounds.

Pupils form four sections (drum, bells, bass, shaker); each section's notes are dealt in turn
to its members, so in a section everyone plays the same number of notes, and nobody goes long
without one. The song is played ``verses`` times; after each verse every pupil moves on to the
next section, so over four verses everyone plays every part and the same share of notes. A
playhead moves along each pupil's lane at the song's tempo; **A** when it reaches one of your
notes (half a beat either way) plays it: it sounds (synthesised) and lights up in your colour.
Missed notes are not counted against anyone; there are no points. The end screen replays what
the class played.

Records, for each pupil and bar they played in: contribution (bar, notes); turn-start (lane)
when the song starts and turn-end (notes) when it ends. Late joiners get a lane at once.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from kit.activities.base import Activity, Context
from kit.activities.catalog import ClassOrchestraParams
from kit.activities.i18n import N_
from kit.activities.seats import Seat
from kit.activities.songs import Note, bars_of, parts
from kit.protocol.inputs import Input

if TYPE_CHECKING:
    import pygame

    from kit.activities.ui import Ui

BEATS = 4  # per bar
COUNT_IN = 4.0  # beats before the first verse
BREAK = 4.0  # beats between verses, to see one's new instrument
WINDOW = 0.5  # beats either side of a note
SECTIONS = ("drum", "bells", "bass", "shaker")
INSTRUMENTS = (N_("drum"), N_("bells"), N_("bass"), N_("shaker"))
SECTION_SHAPE = {"drum": "circle", "bells": "star", "bass": "square", "shaker": "triangle"}
SECTION_INK = {"drum": (213, 94, 0), "bells": (230, 159, 0), "bass": (0, 114, 178),
               "shaker": (0, 158, 115)}


class ClassOrchestra(Activity):
    name = "class-orchestra"
    title = N_("Class orchestra")
    late_join = "now"
    time_box = 10 * 60.0

    def __init__(self, params: ClassOrchestraParams, ctx: Context) -> None:
        super().__init__(params, ctx)
        self.p = params
        self.bars = params.bars or bars_of(params.song)
        self.verse_parts = parts(params.song, self.bars)
        self.beat = -COUNT_IN  # playhead, in beats from the first verse
        self.lane_seats: list[Seat] = []
        self.lanes: dict[int, list[Note]] = {}  # seat number -> notes (song beats), by time
        self._times: dict[int, list[float]] = {}
        self.played: dict[int, set[float]] = {}
        self.log: list[tuple[float, int, Note]] = []  # (beat, seat number, note) as played
        self._bar_notes: dict[int, int] = {}
        self._bar = 0
        self.replay = -1.0  # playhead of the end screen's replay, in beats
        self._bg: tuple[object, pygame.Surface] | None = None
        self._score: tuple[object, pygame.Surface] | None = None

    # The song -----------------------------------------------------------------------------

    @property
    def verse_beats(self) -> float:
        return float(self.bars * BEATS + BREAK)

    @property
    def length(self) -> float:
        return self.p.verses * self.verse_beats - BREAK

    def verse_at(self, beat: float) -> int:
        return max(0, min(self.p.verses - 1, int(beat // self.verse_beats)))

    def section(self, seat: Seat, verse: int | None = None) -> str:
        i = self.lane_seats.index(seat)
        v = self.verse_at(self.beat) if verse is None else verse
        return SECTIONS[(i + v) % len(SECTIONS)]

    def instrument(self, seat: Seat) -> str:
        return self.section(seat)

    def _deal(self, since: float) -> None:
        """Deal every note from ``since`` on to the lanes: each section's notes in turn to its
        members, verse by verse."""
        for s in self.lane_seats:
            kept = [n for n in self.lanes.get(s.number, []) if n.t < since]
            self.lanes[s.number] = kept
        for v in range(self.p.verses):
            offset = v * self.verse_beats
            for sec in SECTIONS:
                members = [s for s in self.lane_seats if self.section(s, v) == sec]
                if not members:
                    continue
                k = 0
                for n in self.verse_parts[sec]:
                    t = offset + n.t
                    if t < since:
                        continue
                    self.lanes[members[k % len(members)].number].append(
                        Note(t, n.pitch, n.instrument))
                    k += 1
        for s in self.lane_seats:
            self._times[s.number] = [n.t for n in self.lanes[s.number]]

    def _lane(self, seat: Seat) -> None:
        self.lane_seats.append(seat)
        self.played[seat.number] = set()
        seat.role = self.section(seat)
        self.ctx.rec("turn-start", seat, {"lane": seat.role})

    def start(self) -> None:
        self.ctx.admit_waiting()
        for seat in self.ctx.seats.players():
            self._lane(seat)
        self._deal(-COUNT_IN)
        self.ctx.sound.prepare((n.instrument, n.pitch) for part in self.verse_parts.values()
                               for n in part)

    def on_join(self, seat: Seat) -> None:
        self._lane(seat)
        self._deal(self.beat + WINDOW)

    # Play ---------------------------------------------------------------------------------

    def _note_now(self, seat: Seat) -> Note | None:
        times = self._times.get(seat.number, [])
        done = self.played.get(seat.number, set())
        i = bisect_left(times, self.beat - WINDOW)
        lane = self.lanes[seat.number]
        while i < len(times) and times[i] <= self.beat + WINDOW:
            if times[i] not in done:
                return lane[i]
            i += 1
        return None

    def on_input(self, seat: Seat, inp: Input) -> None:
        if inp.gesture != "A" or seat.number not in self.lanes:
            return
        note = self._note_now(seat)
        if note is None:
            return
        self.played[seat.number].add(note.t)
        self.log.append((note.t, seat.number, note))
        self.ctx.sound.play(note.instrument, note.pitch)
        self._bar_notes[seat.number] = self._bar_notes.get(seat.number, 0) + 1

    def update(self, dt: float) -> None:
        before = self.verse_at(self.beat)
        self.beat += dt * self.p.tempo_bpm / 60.0
        if self.verse_at(self.beat) != before:
            for s in self.lane_seats:
                s.role = self.section(s)
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

    def update_end(self, dt: float) -> None:
        """The end screen plays back what the class played, once."""
        if self.replay > self.length + 2:
            return
        before = self.replay
        self.replay += dt * self.p.tempo_bpm / 60.0
        for t, _, note in self.log:
            if before < t <= self.replay:
                self.ctx.sound.play(note.instrument, note.pitch)

    # What pupils may do -------------------------------------------------------------------

    def can_act(self, seat: Seat) -> bool:
        return seat.number in self.lanes and self._note_now(seat) is not None

    def suggest(self, seat: Seat) -> str | None:
        note = self._note_now(seat) if seat.number in self.lanes else None
        return "A" if note is not None and abs(note.t - self.beat) <= WINDOW / 2 else None

    def focus(self, seat: Seat | None = None) -> list[Seat]:
        if seat is None or seat not in self.lane_seats:
            return []
        sec = self.section(seat)
        return [s for s in self.lane_seats if s is not seat and self.section(s) == sec]

    def notes_played(self) -> int:
        return sum(len(v) for v in self.played.values())

    def notes_total(self) -> int:
        return sum(len(v) for v in self.lanes.values())

    def outcome(self) -> dict[str, object]:
        return {"song": self.p.song, "notes": self.notes_played(), "of": self.notes_total(),
                "every_part": self.every_part()}

    def every_part(self) -> bool:
        """Did every section's part sound in the song?"""
        heard = {note.instrument for _, _, note in self.log}
        return heard == set(SECTIONS)

    def celebration(self) -> list[str]:
        lines = [self.words.n("Together you played {n} note", "Together you played {n} notes",
                              self.notes_played())]
        if self.lane_seats and self.every_part():
            lines.insert(0, self.words.t("Every part was in the song!"))
        return lines

    # Drawing ------------------------------------------------------------------------------

    def _layout(self) -> tuple[int, int, float, float]:
        cols = 1 if len(self.lane_seats) <= 12 else 2
        per_col = max(1, -(-len(self.lane_seats) // cols))
        return cols, per_col, (940 - 200) / per_col, 1920 / cols

    def _lane_geometry(self, i: int, ui: Ui) -> tuple[float, int, int, float, float]:
        _, per_col, row_h, col_w = self._layout()
        col, row = divmod(i, per_col)
        x0 = col * col_w + 40
        cy = ui.y(200 + (row + 0.5) * row_h)
        r = ui.s(min(34, row_h * 0.42))
        return x0, cy, r, x0 + 190, (col + 1) * col_w - 40

    def _background(self, ui: Ui) -> pygame.Surface:
        """Everything that changes only between verses: title, legend, lanes, hint."""
        import pygame

        from kit.activities.screens import title
        from kit.activities.ui import INK, LABEL, PAPER, draw_shape

        verse = self.verse_at(self.beat)
        key = (ui.size, verse, tuple((s.number, s.state) for s in self.lane_seats))
        if self._bg is not None and self._bg[0] == key:
            return self._bg[1]
        bg = pygame.Surface(ui.size)
        bg.fill(PAPER)
        w = self.words
        title(bg, ui, w.t(self.title), width=1000)
        for k, (sec, word) in enumerate(zip(SECTIONS, INSTRUMENTS, strict=True)):
            cx = 60 + 470 * k
            draw_shape(bg, SECTION_SHAPE[sec], SECTION_INK[sec], ui.p(cx + 25, 155), ui.s(22))
            ui.fit(bg, w.t(word), ui.rect(cx + 60, 125, 400, 60), size=LABEL, align="left")
        for i, seat in enumerate(self.lane_seats):
            x0, cy, r, tx0, tx1 = self._lane_geometry(i, ui)
            # Seat shape and colour, then its number beside it (lanes are too low for a badge
            # with the number inside when the whole class plays).
            colour = seat.colour if seat.present else (150, 150, 150)
            draw_shape(bg, seat.shape, colour, (ui.x(x0 + 22), cy), r)
            draw_shape(bg, seat.shape, INK, (ui.x(x0 + 22), cy), r, width=max(1, ui.s(2)))
            ui.blit_text(bg, str(seat.number), (ui.x(x0 + 50), cy), size=LABEL,
                         anchor="midleft")
            sec = self.section(seat)
            draw_shape(bg, SECTION_SHAPE[sec], SECTION_INK[sec], (ui.x(x0 + 140), cy),
                       max(4, r * 3 // 4))
            pygame.draw.line(bg, (200, 200, 200), (ui.x(tx0), cy), (ui.x(tx1), cy), ui.s(3))
        self._bg = (key, bg)
        return bg

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        import pygame

        from kit.activities.ui import INK, LABEL, draw_shape

        surface.blit(self._background(ui), (0, 0))
        w = self.words
        verse = self.verse_at(self.beat)
        in_verse = self.beat - verse * self.verse_beats
        # What to do now, in main text at the bottom; where the song is, top right.
        hint = w.t("Press A on your notes")
        if self.beat < 0:
            hint = w.t("Get ready")
        elif in_verse >= self.bars * BEATS:
            hint = w.t("Change instruments!")
        else:
            bar = min(self.bars, int(in_verse // BEATS) + 1)
            ui.fit(surface, w.t("Bar {bar} of {bars}", bar=bar, bars=self.bars),
                   ui.rect(1060, 10, 400, 100), size=LABEL, min_size=30)
        ui.fit(surface, hint, ui.rect(50, 950, 1820, 120))
        span = 6.0  # beats visible: 1.5 behind, 4.5 ahead
        for i, seat in enumerate(self.lane_seats):
            _, cy, r, tx0, tx1 = self._lane_geometry(i, ui)
            ppb = (tx1 - tx0) / span
            colour = seat.colour if seat.present else (150, 150, 150)
            done = self.played.get(seat.number, set())
            times = self._times.get(seat.number, [])
            j = bisect_left(times, self.beat - 1.5)
            while j < len(times) and times[j] <= self.beat + 4.5:
                t = times[j]
                nx = ui.x(tx0 + (t - self.beat + 1.5) * ppb)
                if t in done:
                    draw_shape(surface, seat.shape, colour, (nx, cy), r)
                    draw_shape(surface, seat.shape, INK, (nx, cy), r, width=ui.s(2))
                else:
                    draw_shape(surface, seat.shape, INK, (nx, cy), r * 3 // 4, width=ui.s(3))
                j += 1
            px = ui.x(tx0 + 1.5 * ppb)
            pygame.draw.line(surface, INK, (px, cy - r), (px, cy + r), ui.s(4))

    def _score_img(self, ui: Ui, box: pygame.Rect) -> pygame.Surface:
        """What the class played: a row per section, a dot per note in the player's colour."""
        import pygame

        from kit.activities.ui import INK, PAPER, draw_shape

        key = (box.size, len(self.log))
        if self._score is not None and self._score[0] == key:
            return self._score[1]
        img = pygame.Surface(box.size)
        img.fill(PAPER)
        row_h = box.height / len(SECTIONS)
        scale = box.width / max(1.0, self.length)
        seats = {s.number: s for s in self.lane_seats}
        for k, sec in enumerate(SECTIONS):
            y = int((k + 0.5) * row_h)
            pygame.draw.line(img, (210, 210, 210), (0, y), (box.width, y), ui.s(2))
            draw_shape(img, SECTION_SHAPE[sec], SECTION_INK[sec], (ui.s(30), y), ui.s(24))
        for t, number, note in self.log:
            k = SECTIONS.index(note.instrument)
            y = int((k + 0.5) * row_h - (note.pitch % 12 - 6) * row_h / 30)
            x = int(ui.s(70) + t * scale * (box.width - ui.s(80)) / box.width)
            seat = seats.get(number)
            pygame.draw.circle(img, seat.colour if seat else INK, (x, y), ui.s(9))
            pygame.draw.circle(img, INK, (x, y), ui.s(9), 1)
        self._score = (key, img)
        return img

    def draw_end(self, surface: pygame.Surface, ui: Ui, box: pygame.Rect) -> None:
        import pygame

        from kit.activities.ui import INK

        surface.blit(self._score_img(ui, box), box.topleft)
        if 0 <= self.replay <= self.length:
            x = box.x + ui.s(70) + int(self.replay / max(1.0, self.length)
                                       * (box.width - ui.s(80)))
            pygame.draw.line(surface, INK, (x, box.y), (x, box.bottom), ui.s(5))
