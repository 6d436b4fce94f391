"""Robot relay maze (rotating roles, squads at once): every squad of three drives its own robot
through the same maze, flag to flag, all squads at the same time.

In each try the **navigator** plans up to eight moves (A forward, B turn right, A+B turn left,
tilt removes the last), the **driver** presses A to run the plan, and the **tester** presses A
to check whether the robot is at the flag. The robot stays where the plan took it, so every
try brings the squad closer. After each try the roles rotate (the tester plans next, the
navigator drives, the driver tests), so nobody waits more than one try to act again. Each role
has its time (``turn_seconds`` to plan, ``PRESS_SECONDS`` to go or to check); when a role is
silent the try goes on without it (a plan runs, a check
is made) and a ``timeout`` is recorded, so silence never stalls a squad.

The class goal is shared: ``legs`` flags per squad, counted for the whole class. Squads that
reach their flags early go on to the next flag, so nobody is left watching.
Records: turn-start and turn-end per role and try, contribution (navigator step, driver run,
tester check), timeout. Late joiners play at once in the smallest squad.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kit.activities import squads as sq
from kit.activities.base import Activity, Context
from kit.activities.catalog import RobotRelayParams
from kit.activities.i18n import N_
from kit.activities.seats import OKABE_ITO, Seat
from kit.protocol.inputs import Input

if TYPE_CHECKING:
    import pygame

    from kit.activities.ui import Ui

MAZES: dict[str, tuple[str, ...]] = {
    "school-yard": (
        "##########",
        "#S..#...1#",
        "#.#.#.##.#",
        "#.#...#..#",
        "#.###..#.#",
        "#2.....#3#",
        "##########",
    ),
}
ROLES = ("navigator", "driver", "tester")  # the order of a try; rotation follows it
ROLE_WORDS = {"driver": N_("Driver"), "navigator": N_("Navigator"), "tester": N_("Tester")}
STEPS = {"A": "forward", "B": "right", "AB": "left"}
GESTURE = {v: k for k, v in STEPS.items()}
HEADINGS = ((1, 0), (0, 1), (-1, 0), (0, -1))  # east, south, west, north
STEP_SECONDS = 0.4
MAX_PLAN = 8
MAZE_BOX = (50, 120, 960, 680)  # at 1080p
PANEL_X = 1035  # the squads' rows, right of the maze
PRESS_SECONDS = 10.0  # time for a one-press part: the driver's go, the tester's check
Pose = tuple[int, int, int]


@dataclass
class GridRobot:
    """A simulated robot on the maze grid: position and heading, one step at a time."""

    x: int
    y: int
    heading: int = 0
    bumped: bool = False

    def step(self, move: str, maze: tuple[str, ...]) -> bool:
        """Do one move; False (and ``bumped``) if a wall is in the way."""
        if move == "right":
            self.heading = (self.heading + 1) % 4
        elif move == "left":
            self.heading = (self.heading + 3) % 4
        else:
            dx, dy = HEADINGS[self.heading]
            if maze[self.y + dy][self.x + dx] == "#":
                self.bumped = True
                return False
            self.x, self.y = self.x + dx, self.y + dy
        return True


def after(pose: Pose, moves: list[str], maze: tuple[str, ...]) -> Pose:
    """Where these moves take a robot (it stops at a wall)."""
    r = GridRobot(*pose)
    for m in moves:
        if not r.step(m, maze):
            break
    return r.x, r.y, r.heading


def route(pose: Pose, goal: tuple[int, int], maze: tuple[str, ...]) -> list[str]:
    """The shortest moves from ``pose`` to ``goal`` (breadth first over position and
    heading); empty if already there."""
    start = pose
    prev: dict[Pose, tuple[Pose, str] | None] = {start: None}
    todo = deque([start])
    while todo:
        p = todo.popleft()
        if (p[0], p[1]) == goal:
            out: list[str] = []
            while prev[p] is not None:
                p, m = prev[p]  # type: ignore[misc]
                out.append(m)
            return out[::-1]
        for m in ("forward", "right", "left"):
            q = after(p, [m], maze)
            if q not in prev:
                prev[q] = (p, m)
                todo.append(q)
    return []


@dataclass(eq=False)
class Squad:
    number: int  # 1-based, shown on its robot
    seats: list[Seat]
    robot: GridRobot
    colour: tuple[int, int, int]
    turn: int = 0  # tries so far: roles rotate each try
    phase: str = "plan"  # plan, go, run, check
    plan: list[str] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    left: float = 0.0  # seconds left for the role whose part it is
    flag: int = 0  # index of the flag it heads for
    flags: int = 0  # flags reached
    t: float = 0.0

    def role(self, name: str) -> Seat:
        n = len(self.seats)
        return self.seats[(ROLES.index(name) - self.turn) % n]

    def roles_of(self, seat: Seat) -> list[str]:
        return [r for r in ROLES if self.role(r) is seat]

    def acting(self) -> Seat:
        return self.role({"plan": "navigator", "go": "driver", "run": "driver",
                          "check": "tester"}[self.phase])


class RobotRelay(Activity):
    name = "robot-relay"
    title = N_("Robot relay")
    late_join = "now"
    time_box = 15 * 60.0

    def __init__(self, params: RobotRelayParams, ctx: Context) -> None:
        super().__init__(params, ctx)
        self.p = params
        self.maze = MAZES[params.maze]
        cells = {c: (x, y) for y, row in enumerate(self.maze) for x, c in enumerate(row)}
        self.start_pos = cells["S"]
        self.flags = [cells[k] for k in sorted(k for k in cells if k.isdigit())]
        self.squads: list[Squad] = []
        self.goal = 0
        self._maze_img: tuple[int, pygame.Surface] | None = None

    @property
    def flags_reached(self) -> int:
        return sum(s.flags for s in self.squads)

    # Squads and roles ---------------------------------------------------------------------

    def _new_squad(self, seats: list[Seat]) -> Squad:
        k = len(self.squads)
        squad = Squad(k + 1, seats, GridRobot(*self.start_pos),
                      OKABE_ITO[k % (len(OKABE_ITO) - 1)], left=self.p.turn_seconds)
        self.squads.append(squad)
        return squad

    def start(self) -> None:
        for seats in sq.split(self.ctx.seats.players(), len(ROLES)):
            self._new_squad(seats)
        self.goal = self.p.legs * max(1, len(self.squads))
        for squad in self.squads:
            self._roles_begin(squad)

    def on_join(self, seat: Seat) -> None:
        small = min(self.squads, key=lambda s: len(s.seats), default=None)
        if small is None or len(small.seats) >= len(ROLES):
            squad = self._new_squad([seat])
            self.goal += self.p.legs
        else:
            small.seats.append(seat)
            squad = small
        self._roles_begin(squad)

    def _roles_begin(self, squad: Squad) -> None:
        for seat in squad.seats:
            roles = squad.roles_of(seat)
            seat.role = "+".join(roles) if roles else None
            if roles:
                self.ctx.rec("turn-start", seat, {"role": seat.role, "try": squad.turn + 1})

    def _rotate(self, squad: Squad, reason: str) -> None:
        for seat in squad.seats:
            if seat.role:
                self.ctx.rec("turn-end", seat, {"role": seat.role, "try": squad.turn + 1,
                                                "reason": reason})
        squad.turn += 1
        squad.plan, squad.phase, squad.left = [], "plan", self.p.turn_seconds
        squad.robot.bumped = False
        self._roles_begin(squad)

    def squad_of(self, seat: Seat) -> Squad | None:
        return next((s for s in self.squads if seat in s.seats), None)

    def target(self, squad: Squad) -> tuple[int, int]:
        return self.flags[squad.flag % len(self.flags)]

    # Play ---------------------------------------------------------------------------------

    def on_input(self, seat: Seat, inp: Input) -> None:
        squad = self.squad_of(seat)
        if squad is None:
            return
        roles = squad.roles_of(seat)
        if "navigator" in roles and squad.phase == "plan":
            if inp.gesture in STEPS and len(squad.plan) < MAX_PLAN:
                squad.plan.append(STEPS[inp.gesture])
                self.ctx.rec("contribution", seat, {"role": "navigator", "step": squad.plan[-1]})
                return
            if inp.gesture == "tilt" and squad.plan:
                squad.plan.pop()
                return
        if "driver" in roles and squad.phase in ("plan", "go") and inp.gesture == "A" \
                and squad.plan:
            self.ctx.rec("contribution", seat, {"role": "driver", "run": len(squad.plan)})
            self._run(squad)
            return
        if "tester" in roles and squad.phase == "check" and inp.gesture == "A":
            self._check(squad, seat)

    def _run(self, squad: Squad) -> None:
        squad.running = list(squad.plan)
        squad.robot.bumped = False
        squad.phase, squad.t = "run", 0.0

    def _check(self, squad: Squad, seat: Seat | None) -> None:
        reached = (squad.robot.x, squad.robot.y) == self.target(squad)
        if seat is not None:
            self.ctx.rec("contribution", seat,
                         {"role": "tester", "check": "reached" if reached else "not-yet"})
        if reached:
            squad.flags += 1
            squad.flag += 1
            if self.flags_reached >= self.goal:
                self.finished = True
        self._rotate(squad, "done")

    def update(self, dt: float) -> None:
        for squad in self.squads:
            self._tick(squad, dt)

    def _tick(self, squad: Squad, dt: float) -> None:
        if not any(s.present for s in squad.seats):
            return  # the whole squad is away: its robot waits
        if squad.phase == "run":
            squad.t += dt
            while squad.t >= STEP_SECONDS and squad.running:
                squad.t -= STEP_SECONDS
                if not squad.robot.step(squad.running.pop(0), self.maze):
                    squad.running.clear()
            if not squad.running:
                squad.phase, squad.left = "check", min(PRESS_SECONDS, self.p.turn_seconds)
            return
        acting = squad.acting()
        if not acting.present:
            squad.left = 0.0  # not their fault: the part passes on without a timeout
        else:
            squad.left -= dt
        if squad.left > 0:
            return
        if acting.present:
            self.ctx.rec("timeout", acting, {"role": squad.phase})
        if squad.phase == "plan" and squad.plan:
            squad.phase, squad.left = "go", min(PRESS_SECONDS, self.p.turn_seconds)
        elif squad.phase == "plan":
            self._rotate(squad, "timeout")
        elif squad.phase == "go":
            self._run(squad)
        elif squad.phase == "check":
            self._check(squad, None)

    # What pupils may do -------------------------------------------------------------------

    def can_act(self, seat: Seat) -> bool:
        squad = self.squad_of(seat)
        if squad is None:
            return False
        roles = squad.roles_of(seat)
        return ("navigator" in roles and squad.phase == "plan" and len(squad.plan) < MAX_PLAN) \
            or ("driver" in roles and squad.phase in ("plan", "go") and bool(squad.plan)) \
            or ("tester" in roles and squad.phase == "check")

    def suggest(self, seat: Seat) -> str | None:
        squad = self.squad_of(seat)
        if squad is None:
            return None
        roles = squad.roles_of(seat)
        pose = (squad.robot.x, squad.robot.y, squad.robot.heading)
        planned = after(pose, squad.plan, self.maze)
        there = (planned[0], planned[1]) == self.target(squad)
        if "navigator" in roles and squad.phase == "plan" and len(squad.plan) < MAX_PLAN \
                and not there:
            moves = route(planned, self.target(squad), self.maze)
            return GESTURE[moves[0]] if moves else None
        if "driver" in roles and squad.plan and (
                squad.phase == "go" or (squad.phase == "plan"
                                        and (there or len(squad.plan) >= MAX_PLAN))):
            return "A"
        if "tester" in roles and squad.phase == "check":
            return "A"
        return None

    def focus(self, seat: Seat | None = None) -> list[Seat]:
        squads = [self.squad_of(seat)] if seat is not None else self.squads
        return [s.acting() for s in squads if s is not None]

    def outcome(self) -> dict[str, object]:
        return {"flags": self.flags_reached, "goal": self.goal,
                "complete": self.goal > 0 and self.flags_reached >= self.goal,
                "squads": len(self.squads)}

    def celebration(self) -> list[str]:
        return [self.words.n("The robots reached {n} flag together",
                             "The robots reached {n} flags together", self.flags_reached)]

    # Drawing ------------------------------------------------------------------------------

    def _maze(self, cell: int) -> pygame.Surface:
        import pygame

        from kit.activities.ui import INK

        if self._maze_img is not None and self._maze_img[0] == cell:
            return self._maze_img[1]
        img = pygame.Surface((len(self.maze[0]) * cell, len(self.maze) * cell))
        for y, row in enumerate(self.maze):
            for x, c in enumerate(row):
                r = pygame.Rect(x * cell, y * cell, cell, cell)
                pygame.draw.rect(img, (90, 90, 90) if c == "#" else (255, 255, 255), r)
                if c.isdigit():
                    pygame.draw.line(img, INK, (r.x + cell // 3, r.y + cell // 6),
                                     (r.x + cell // 3, r.bottom - cell // 6), max(2, cell // 20))
                    pygame.draw.polygon(img, (0, 158, 115), [
                        (r.x + cell // 3, r.y + cell // 6), (r.right - cell // 6, r.y + cell // 3),
                        (r.x + cell // 3, r.y + cell // 2)])
        self._maze_img = (cell, img)
        return img

    def _static(self, ui: Ui) -> pygame.Surface:
        """Title, the empty maze, the role headings and the hint: drawn once."""
        import pygame

        from kit.activities.screens import title
        from kit.activities.ui import LABEL, PAPER

        bg = pygame.Surface(ui.size)
        bg.fill(PAPER)
        w = self.words
        title(bg, ui, w.t(self.title))
        box = ui.rect(*MAZE_BOX)
        cell = min(box.width // len(self.maze[0]), box.height // len(self.maze))
        bg.blit(self._maze(cell), box.topleft)
        for y, row in enumerate(self.maze):
            for x, c in enumerate(row):
                if c.isdigit():
                    ui.blit_text(bg, c, (box.x + x * cell + cell * 3 // 4,
                                         box.y + y * cell + cell * 3 // 4), size=LABEL)
        for i, role in enumerate(ROLES):
            cx = PANEL_X + 115 + 270 * i
            ui.fit(bg, w.t(ROLE_WORDS[role]), ui.rect(cx - 133, 115, 266, 60), size=LABEL,
                   min_size=30)
        ui.fit(bg, w.t("A forward, B right, A+B left"), ui.rect(50, 800, 960, 150),
               align="left")
        return bg

    def _robots(self, surface: pygame.Surface, ui: Ui, box: pygame.Rect) -> None:
        """The robots, side by side when they share a cell."""
        import pygame

        from kit.activities.ui import INK, LABEL, draw_shape

        cell = min(box.width // len(self.maze[0]), box.height // len(self.maze))
        at: dict[tuple[int, int], list[Squad]] = {}
        for s in self.squads:
            at.setdefault((s.robot.x, s.robot.y), []).append(s)
        for (x, y), group in at.items():
            per = math.ceil(math.sqrt(len(group)))
            sub = cell / per
            for i, s in enumerate(group):
                cx = box.x + x * cell + int((i % per + 0.5) * sub)
                cy = box.y + y * cell + int((i // per + 0.5) * sub)
                r = max(6, int(sub * 0.38))
                draw_shape(surface, "square", s.colour, (cx, cy), r)
                draw_shape(surface, "square", INK, (cx, cy), r, width=max(1, ui.s(3)))
                dx, dy = HEADINGS[s.robot.heading]
                pygame.draw.circle(surface, INK, (cx + dx * r * 7 // 10, cy + dy * r * 7 // 10),
                                   max(2, r // 4))
                if s.robot.bumped:
                    pygame.draw.circle(surface, (213, 94, 0), (cx, cy), r + ui.s(6), ui.s(5))
                if r >= ui.s(24):
                    ui.blit_text(surface, str(s.number), (cx, cy), size=LABEL)

    def _draw_maze(self, surface: pygame.Surface, ui: Ui, box: pygame.Rect) -> None:
        from kit.activities.ui import LABEL

        cell = min(box.width // len(self.maze[0]), box.height // len(self.maze))
        surface.blit(self._maze(cell), box.topleft)
        for y, row in enumerate(self.maze):
            for x, c in enumerate(row):
                if c.isdigit():
                    ui.blit_text(surface, c, (box.x + x * cell + cell * 3 // 4,
                                              box.y + y * cell + cell * 3 // 4), size=LABEL)
        self._robots(surface, ui, box)

    def _squad_row(self, ui: Ui, s: Squad, row_h: float) -> pygame.Surface:
        """One squad: its robot's mark and number, a badge per role (the one whose part it is
        ringed), and a dot per planned step."""
        import pygame

        from kit.activities.ui import INK, LABEL, PAPER, draw_shape

        img = pygame.Surface((ui.s(1920 - PANEL_X), ui.s(row_h)))  # opaque: blits fast
        img.fill(PAPER)
        cy = ui.s(row_h / 2)
        r = min(44.0, row_h * 0.4)
        draw_shape(img, "square", s.colour, (ui.s(25), cy), ui.s(r * 0.8))
        draw_shape(img, "square", INK, (ui.s(25), cy), ui.s(r * 0.8), width=ui.s(2))
        ui.blit_text(img, str(s.number), (ui.s(25), cy), size=LABEL)
        acting = s.acting()
        for i, role in enumerate(ROLES):
            seat = s.role(role)
            ui.badge(img, seat, (ui.s(115 + 270 * i), cy), ui.s(r),
                     highlight=seat is acting and s.phase != "run")
        for i in range(len(s.plan)):
            pygame.draw.circle(img, INK, (ui.s(720 + (i % 4) * 22), cy + ui.s(-10 + (i // 4)
                                                                                * 22)), ui.s(7))
        return img

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        w = self.words
        surface.blit(ui.layer(("relay-bg", w.lang), lambda: self._static(ui)), (0, 0))
        self._robots(surface, ui, ui.rect(*MAZE_BOX))
        top, bottom = 185, 960
        row_h = (bottom - top) / max(1, len(self.squads))
        for k, s in enumerate(self.squads):
            key = ("relay-row", row_h, s.number, s.turn, s.phase, len(s.plan),
                   tuple((seat.number, seat.state) for seat in s.seats))
            row = ui.layer(key, lambda s=s: self._squad_row(ui, s, row_h))  # type: ignore[misc]
            surface.blit(row, ui.p(PANEL_X, top + k * row_h))
        ui.fit(surface, w.n("{n} flag of {goal}", "{n} flags of {goal}", self.flags_reached,
                            goal=self.goal), ui.rect(PANEL_X, 965, 1900 - PANEL_X, 110),
               align="left")

    def draw_end(self, surface: pygame.Surface, ui: Ui, box: pygame.Rect) -> None:
        self._draw_maze(surface, ui, box.inflate(-box.width // 3, 0))
