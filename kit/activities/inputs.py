"""Where pupils' presses come from, behind one seam: an :class:`InputQueue` of
:class:`kit.protocol.inputs.Input` that the frame loop drains once per frame.

- :func:`pump_mqtt` (an asyncio task) feeds it controller input from the hub;
- :class:`KeySets` turns keys on the shared keyboard into the same events;
- :class:`SimPupils` plays pretend pupils (for rehearsal, demos and the benchmark).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from kit.protocol import topics
from kit.protocol.envelope import Rejected
from kit.protocol.inputs import Input, decode_input

log = logging.getLogger(__name__)


class InputQueue:
    """Input events waiting for the next frame, plus controllers that went silent."""

    def __init__(self, maxlen: int = 10_000) -> None:
        self._q: deque[Input] = deque(maxlen=maxlen)
        self.lost: deque[str] = deque()
        self.commands: deque[str] = deque()
        self.rejected = 0
        self._arrived: asyncio.Event | None = None

    def put(self, inp: Input) -> None:
        self._q.append(inp)
        self._nudge()

    def command(self, name: str) -> None:
        self.commands.append(name)
        self._nudge()

    def withdraw(self, name: str) -> None:
        """Drop every waiting command ``name``: it was meant for what has since been replaced."""
        self.commands = deque(c for c in self.commands if c != name)

    def _nudge(self) -> None:
        if self._arrived is not None:
            self._arrived.set()

    async def wait(self, count: int = 1) -> None:
        """Until at least ``count`` inputs (or a command) wait here: for a headless runner
        that sleeps between presses, and for tests."""
        if self._arrived is None:
            self._arrived = asyncio.Event()
        while len(self._q) < count and not self.commands:
            self._arrived.clear()
            await self._arrived.wait()

    def drain(self) -> list[Input]:
        out = list(self._q)
        self._q.clear()
        return out

    def __len__(self) -> int:
        return len(self._q)


class _Message(Protocol):
    @property
    def topic(self) -> Any: ...

    @property
    def payload(self) -> Any: ...


async def pump_mqtt(messages: AsyncIterator[_Message], queue: InputQueue) -> None:
    """Sort incoming MQTT messages (a Station's ``messages()``) into the queue: controller
    input, and teacher commands sent to this station (``.../station/<id>/<cmd>/set``)."""
    async for m in messages:
        parsed = topics.parse(str(m.topic))
        if parsed is None:
            continue
        payload = m.payload if isinstance(m.payload, bytes) else str(m.payload).encode()
        if parsed.kind == "input":
            try:
                inp = decode_input(payload)
            except Rejected as e:
                queue.rejected += 1
                log.info("ignored controller input: %s", e)
                continue
            queue.put(inp)
        elif parsed.kind == "station-state" and parsed.station:
            # The gateway's word that a controller went quiet (or the broker's last will):
            # its seat shows "reconnecting" until the controller is heard again.
            try:
                state = json.loads(payload).get("state")
            except (ValueError, AttributeError):
                continue
            if state in ("left", "lost"):
                queue.lost.append(parsed.station)
        elif parsed.kind == "station-command" and parsed.command:
            if parsed.command == "lost":
                controller = payload.decode(errors="replace").strip()
                if controller:
                    queue.lost.append(controller)
            else:
                queue.command(parsed.command)


# Keyboard ---------------------------------------------------------------------------------

# Key sets for pupils sharing the keyboard: (A, B) keys per set; both at once is AB.
DEFAULT_KEY_SETS: tuple[tuple[str, str, str], ...] = (
    ("kb-1", "q", "w"),
    ("kb-2", "o", "p"),
    ("kb-3", "z", "x"),
    ("kb-4", "n", "m"),
)
# Teacher keys on the shared keyboard. Esc asks first ("end the game?") and ends on a second
# press; any other teacher key, or waiting, keeps the game going.
TEACHER_KEYS = {"space": "start", "f5": "pause", "f6": "resume", "f7": "lock", "f8": "unlock",
                "escape": "ask-end", "return": "cancel"}


class KeySets:
    """Key names (as ``pygame.key.name`` gives them) to kit input events."""

    def __init__(self, sets: tuple[tuple[str, str, str], ...] = DEFAULT_KEY_SETS) -> None:
        self.keys: dict[str, tuple[str, str]] = {}
        for controller, a, b in sets:
            self.keys[a] = (controller, "A")
            self.keys[b] = (controller, "B")
        self._seq: dict[str, int] = {}
        self._down: set[str] = set()

    def press(self, key: str) -> Input | str | None:
        """An Input for a pupil's key, a command name for a teacher key, or None."""
        if key in TEACHER_KEYS:
            return TEACHER_KEYS[key]
        hit = self.keys.get(key)
        if hit is None:
            return None
        controller, gesture = hit
        other = "B" if gesture == "A" else "A"
        if any(self.keys.get(k) == (controller, other) for k in self._down):
            gesture = "AB"
        self._down.add(key)
        seq = self._seq[controller] = self._seq.get(controller, -1) + 1
        return Input(controller, seq, gesture)

    def release(self, key: str) -> None:
        self._down.discard(key)


# Simulated pupils -------------------------------------------------------------------------

class SimPupils:
    """Pretend pupils with controllers ``sim-01``.. and pseudonyms ``p-sim01``..; each second
    each presses about ``rate`` times. Deterministic for a given seed."""

    GESTURES = ("A", "A", "A", "B", "AB", "logo", "shake")

    def __init__(self, count: int, *, rate: float = 0.5, seed: int = 7,
                 gestures: tuple[str, ...] = GESTURES) -> None:
        self.controllers = [f"sim-{i + 1:02d}" for i in range(count)]
        self.rate = rate
        self.rng = random.Random(seed)
        self.gestures = gestures
        self._seq = [0] * count
        self._carry = 0.0

    def pupil(self, i: int) -> str:
        return f"p-sim{i + 1:02d}"

    def hello(self) -> list[Input]:
        """Everyone joins (pairs) once."""
        return [Input(c, 0, "pair", pupil=self.pupil(i)) for i, c in enumerate(self.controllers)]

    def press(self, i: int, gesture: str, value: int = 0) -> Input:
        self._seq[i] += 1
        return Input(self.controllers[i], self._seq[i], gesture, value, pupil=self.pupil(i))

    def step(self, dt: float, put: Callable[[Input], None]) -> int:
        """Presses that happen in ``dt`` seconds, handed to ``put``; returns how many."""
        if not self.controllers:
            return 0
        self._carry += dt * self.rate * len(self.controllers)
        n = int(self._carry)
        self._carry -= n
        for _ in range(n):
            i = self.rng.randrange(len(self.controllers))
            put(self.press(i, self.rng.choice(self.gestures), self.rng.randint(-2, 2)))
        return n
