"""Simulated robots and pupils for rehearsals and tests, with test verbs.

``SimRobot`` records every command it is sent (``robot.log``) and can be told ``drop()`` and
``reconnect()``; ``SimPupils`` is an input source of pretend pupils who watch the lesson state
and press their controllers when it is their turn.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from typing import Any

from kit.clock import Clock
from kit.errors import KitError
from kit.protocol.inputs import Input
from kit.robot_api import Capabilities, SpeedLimits, led_image, tone_hz


class RobotLost(KitError, ConnectionError):
    def __init__(self, name: str) -> None:
        super().__init__(f"robot {name} is not connected; switch it on and bring it closer")
        self.name = name


class SimRobot:
    """A robot that only pretends to move."""

    def __init__(self, name: str, limits: SpeedLimits | None = None) -> None:
        self.name = name
        self.capabilities = Capabilities(drive=True, leds=True, sound=True)
        self.limits = limits or SpeedLimits()
        self.log: list[tuple[Any, ...]] = []
        self.moving = False
        self._connected = True

    @property
    def connected(self) -> bool:
        return self._connected

    def _check(self) -> None:
        if not self._connected:
            raise RobotLost(self.name)

    async def drive(self, speed: float, turn: float = 0.0, seconds: float | None = None) -> None:
        self._check()
        speed = max(-self.limits.max_speed, min(self.limits.max_speed, speed))
        turn = max(-self.limits.max_turn, min(self.limits.max_turn, turn))
        if seconds is not None:
            seconds = min(seconds, self.limits.max_seconds)
        self.log.append(("drive", speed, turn, seconds))
        self.moving = speed != 0 or turn != 0

    async def stop(self) -> None:
        self.moving = False
        if self._connected:
            self.log.append(("stop",))

    async def led(self, pattern: str) -> None:
        self._check()
        led_image(pattern)  # a name no robot knows fails here as on a real robot
        self.log.append(("led", pattern))

    async def sound(self, tone: str) -> None:
        self._check()
        tone_hz(tone)
        self.log.append(("sound", tone))

    # Test verbs -----------------------------------------------------------------------------

    def drop(self) -> None:
        """The robot goes out of range (or its battery dies)."""
        self._connected = False
        self.moving = False

    def reconnect(self) -> None:
        self._connected = True

    def __repr__(self) -> str:
        state = "moving" if self.moving else "still"
        return f"<SimRobot {self.name} {'connected' if self._connected else 'lost'} {state}>"


class SimRobots:
    """One simulated robot per team, made on first use."""

    def __init__(self) -> None:
        self.robots: dict[str, SimRobot] = {}

    def __call__(self, team: str) -> SimRobot:
        if team not in self.robots:
            self.robots[team] = SimRobot(f"sim-{team}")
        return self.robots[team]


class SimPupils:
    """Pretend pupils: each controller says hello, then reacts to the lesson state it sees.

    ``state`` is a callable returning the engine's current state (what the shared screen
    shows). Pupils press A on their turn (now and then B, to pass), vote and say they are
    ready. Deterministic for a given ``seed``.
    """

    def __init__(self, count: int, state: Callable[[], dict[str, Any]], *, clock: Clock,
                 seed: int = 7, every: float = 3.0) -> None:
        self.controllers = [f"mb-sim{i + 1:02d}" for i in range(count)]
        self._state = state
        self._clock = clock
        self._rng = random.Random(seed)
        self._every = every
        self._seq = dict.fromkeys(self.controllers, 0)
        self._done: set[tuple[str, str]] = set()

    def _input(self, controller: str, gesture: str, value: int = 0) -> Input:
        self._seq[controller] += 1
        return Input(controller, self._seq[controller], gesture, value)

    def __aiter__(self) -> AsyncIterator[Input]:
        return self._run()

    async def _run(self) -> AsyncIterator[Input]:
        for c in self.controllers:
            yield self._input(c, "hello")
        while True:
            await self._clock.sleep(self._every)
            for inp in self.react(self._state()):
                yield inp

    def react(self, state: dict[str, Any]) -> list[Input]:
        """What the pupils do on seeing ``state`` (pure apart from the random choices)."""
        if state.get("status") != "running":
            return []
        step = state.get("step") or {}
        sid = str(step.get("id"))
        out: list[Input] = []
        seats = {s["pupil"]: s["controller"] for t in state.get("teams", [])
                 for s in t["members"]}
        turns = [t.get("turn") for t in state.get("teams", []) if t.get("turn")]
        if turns:
            for pupil in turns:
                c = seats.get(pupil)
                if c is not None and self._rng.random() < 0.6:
                    out.append(self._input(c, "B" if self._rng.random() < 0.15 else "A"))
            return out
        kind = step.get("type")
        for pupil, c in seats.items():
            if (pupil, sid) in self._done or self._rng.random() < 0.5:
                continue
            self._done.add((pupil, sid))
            if kind in ("vote", "poll"):
                n = len(step.get("options") or [None, None])
                out.append(self._input(c, ("A", "B", "AB", "logo")[self._rng.randrange(n)]))
            else:
                out.append(self._input(c, "A"))
        return out
