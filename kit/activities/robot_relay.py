"""Robot relay maze (rotating roles): squads of three bring the team's robot from flag to flag.

Each leg belongs to one squad. The navigator plans the route (A forward, B turn right, A+B turn
left, tilt removes the last step), the driver presses A to run it, the tester presses A to
check the flag. Roles rotate every leg, so everyone drives, plans and checks. The route is run
by a robot with a simple 2D pose on the maze grid (a built-in simulated robot).

Records: turn-start and turn-end (with the role), contribution (planned step, run, check).
Late joiners watch and cheer (audience) until the next game.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kit.activities.base import Activity, Context
from kit.activities.catalog import RobotRelayParams
from kit.activities.i18n import N_
from kit.activities.seats import Seat
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
ROLE_WORDS = {"driver": N_("Driver"), "navigator": N_("Navigator"), "tester": N_("Tester")}
STEPS = {"A": "forward", "B": "right", "AB": "left"}
HEADINGS = ((1, 0), (0, 1), (-1, 0), (0, -1))  # east, south, west, north
STEP_SECONDS = 0.4
MAX_PLAN = 16


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


class RobotRelay(Activity):
    name = "robot-relay"
    title = N_("Robot relay")
    late_join = "audience"

    def __init__(self, params: RobotRelayParams, ctx: Context) -> None:
        super().__init__(params, ctx)
        self.p = params
        # The moves belong to these three roles; other role names would leave a squad stuck.
        known = set(ROLE_WORDS)
        self.role_names = list(params.roles) if known <= set(params.roles) else list(ROLE_WORDS)
        self.maze = MAZES.get(params.maze, MAZES["school-yard"])
        cells = {c: (x, y) for y, row in enumerate(self.maze) for x, c in enumerate(row)}
        self.start_pos = cells["S"]
        self.flags = [cells[k] for k in sorted(k for k in cells if k.isdigit())]
        self.robot = GridRobot(*self.start_pos)
        self.leg_start = (self.robot.x, self.robot.y, self.robot.heading)
        self.squads: list[list[Seat]] = []
        self.leg = 0  # 0-based
        self.legs_done = 0
        self.roles: dict[str, Seat] = {}
        self.plan: list[str] = []
        self.running: list[str] = []
        self._t = 0.0
        self.message = ""
        self.phase = "plan"  # plan, run, check
        self._maze_img: tuple[int, pygame.Surface] | None = None

    @property
    def target(self) -> tuple[int, int]:
        return self.flags[self.leg % len(self.flags)]

    def start(self) -> None:
        players = self.ctx.seats.players()
        size = max(1, len(self.role_names))
        self.squads = [players[i:i + size] for i in range(0, len(players), size)]
        self._begin_leg()

    def _begin_leg(self) -> None:
        squad = self.squads[self.leg % len(self.squads)] if self.squads else []
        turn = self.leg // max(1, len(self.squads))
        self.roles = {}
        if squad:
            for r, role in enumerate(self.role_names):
                self.roles[role] = squad[(r + turn) % len(squad)]
        for role, seat in self.roles.items():
            self.ctx.rec("turn-start", seat, {"role": role, "leg": self.leg + 1})
        self.plan, self.phase, self.message = [], "plan", ""
        self.leg_start = (self.robot.x, self.robot.y, self.robot.heading)

    def role_of(self, seat: Seat) -> list[str]:
        return [r for r, s in self.roles.items() if s is seat]

    def on_input(self, seat: Seat, inp: Input) -> None:
        roles = self.role_of(seat)
        if "navigator" in roles and self.phase == "plan":
            if inp.gesture in STEPS and len(self.plan) < MAX_PLAN:
                self.plan.append(STEPS[inp.gesture])
                self.ctx.rec("contribution", seat, {"role": "navigator", "step": self.plan[-1]})
                return
            if inp.gesture == "tilt" and self.plan:
                self.plan.pop()
                return
        if "driver" in roles and self.phase == "plan" and inp.gesture == "A" and self.plan:
            self.ctx.rec("contribution", seat, {"role": "driver", "run": len(self.plan)})
            self.running = list(self.plan)
            self.robot.bumped = False
            self.phase, self._t, self.message = "run", 0.0, ""
            return
        if "tester" in roles and self.phase == "check" and inp.gesture == "A":
            reached = (self.robot.x, self.robot.y) == self.target
            self.ctx.rec("contribution", seat,
                         {"role": "tester", "check": "reached" if reached else "not-yet"})
            if reached:
                self._finish_leg()
            else:
                self.robot.x, self.robot.y, self.robot.heading = self.leg_start
                self.phase, self.message = "plan", N_("Not there yet. Try again!")

    def _finish_leg(self) -> None:
        for role, seat in self.roles.items():
            self.ctx.rec("turn-end", seat, {"role": role, "leg": self.leg + 1,
                                            "reason": "done"})
        self.legs_done += 1
        self.leg += 1
        if self.leg >= self.p.legs:
            self.finished = True
        else:
            self._begin_leg()

    def on_lost(self, seat: Seat) -> None:
        """A role whose controller went silent passes to someone present, so the squad can go
        on; the roles come back into rotation next leg."""
        squad = next((q for q in self.squads if seat in q), [])
        stand_in = next((s for s in squad if s.present), None) or next(
            iter(self.ctx.seats.present_players()), None)
        if stand_in is None:
            return
        for role in self.role_of(seat):
            self.roles[role] = stand_in

    def update(self, dt: float) -> None:
        if self.phase != "run":
            return
        self._t += dt
        while self._t >= STEP_SECONDS and self.running:
            self._t -= STEP_SECONDS
            if not self.robot.step(self.running.pop(0), self.maze):
                self.running.clear()
        if not self.running:
            self.phase = "check"

    def focus(self) -> list[Seat]:
        return list(dict.fromkeys(self.roles.values()))

    def celebration(self) -> list[str]:
        return [self.words.n("The robot reached {n} flag together",
                             "The robot reached {n} flags together", self.legs_done)]

    # Drawing ------------------------------------------------------------------------------

    def draw(self, surface: pygame.Surface, ui: Ui) -> None:
        import pygame

        from kit.activities.ui import INK, PAPER, draw_shape

        surface.fill(PAPER)
        w = self.words
        ui.blit_text(surface, w.t(self.title), (ui.s(60), ui.s(20)), anchor="topleft")
        cell = ui.s(120)
        ox, oy = ui.s(60), ui.s(130)
        if self._maze_img is None or self._maze_img[0] != cell:
            img = pygame.Surface((len(self.maze[0]) * cell, len(self.maze) * cell))
            for y, row in enumerate(self.maze):
                for x, c in enumerate(row):
                    pygame.draw.rect(img, (90, 90, 90) if c == "#" else (255, 255, 255),
                                     pygame.Rect(x * cell, y * cell, cell, cell))
            self._maze_img = (cell, img)
        surface.blit(self._maze_img[1], (ox, oy))
        for y, row in enumerate(self.maze):
            for x, c in enumerate(row):
                r = pygame.Rect(ox + x * cell, oy + y * cell, cell, cell)
                if c.isdigit():
                    done = self.flags.index((x, y)) < self.legs_done % max(1, len(self.flags))
                    colour = (0, 158, 115) if (x, y) == self.target else (200, 200, 200)
                    pygame.draw.line(surface, INK, (r.x + cell // 3, r.y + cell // 6),
                                     (r.x + cell // 3, r.bottom - cell // 6), ui.s(6))
                    pygame.draw.polygon(surface, colour, [
                        (r.x + cell // 3, r.y + cell // 6), (r.right - cell // 6, r.y + cell // 3),
                        (r.x + cell // 3, r.y + cell // 2)])
                    ui.blit_text(surface, c, (r.right - cell // 4, r.bottom - cell // 4),
                                 colour=INK if not done else (0, 114, 178))
        rx = ox + self.robot.x * cell + cell // 2
        ry = oy + self.robot.y * cell + cell // 2
        draw_shape(surface, "square", (0, 114, 178), (rx, ry), cell // 3)
        dx, dy = HEADINGS[self.robot.heading]
        pygame.draw.circle(surface, (240, 228, 66), (rx + dx * cell // 5, ry + dy * cell // 5),
                           cell // 8)
        if self.robot.bumped:
            pygame.draw.circle(surface, (213, 94, 0), (rx, ry), cell // 2, ui.s(6))
        # Roles panel.
        x0 = 1330
        for i, role in enumerate(self.role_names):
            seat = self.roles.get(role)
            y = 170 + 190 * i
            if seat is not None:
                ui.badge(surface, seat, (ui.s(x0), ui.s(y)), ui.s(60))
            ui.blit_text(surface, w.t(ROLE_WORDS.get(role, role)), (ui.s(x0 + 90), ui.s(y)),
                         anchor="midleft")
        hint = {"plan": N_("A forward, B right, A+B left"), "run": "",
                "check": N_("Press A to check")}[self.phase]
        if self.phase == "plan" and self.plan:
            hint = N_("Press A to go")
        if self.message and self.phase == "plan":
            hint = self.message
        if hint:
            ui.blit_text(surface, w.t(hint), (ui.s(60), ui.s(1060)), anchor="bottomleft")
        ui.blit_text(surface, w.n("{n} step", "{n} steps", len(self.plan)),
                     (ui.s(x0 - 60), ui.s(760)), anchor="midleft")
        arrows = {"forward": 0, "right": 1, "left": 3}
        for i, move in enumerate(self.plan):
            cx, cy = ui.s(x0 - 30 + 70 * (i % 8)), ui.s(850 + 80 * (i // 8))
            _arrow(surface, (cx, cy), ui.s(30), arrows[move], INK)


def _arrow(surface: pygame.Surface, c: tuple[int, int], r: int, turn: int,
           colour: tuple[int, int, int]) -> None:
    import pygame

    x, y = c
    # Forward points up; right/left are bent arrows pointing right/left.
    if turn == 0:
        pts = [(x, y - r), (x + r, y), (x + r // 3, y), (x + r // 3, y + r),
               (x - r // 3, y + r), (x - r // 3, y), (x - r, y)]
    elif turn == 1:
        pts = [(x + r, y), (x, y - r), (x, y - r // 3), (x - r, y - r // 3),
               (x - r, y + r // 3), (x, y + r // 3), (x, y + r)]
    else:
        pts = [(x - r, y), (x, y - r), (x, y - r // 3), (x + r, y - r // 3),
               (x + r, y + r // 3), (x, y + r // 3), (x, y + r)]
    pygame.draw.polygon(surface, colour, pts)
