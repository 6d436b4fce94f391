"""Stand-ins for the micro:bit's ``microbit``, ``radio``, ``machine``, ``music`` and
``micropython`` modules, one set per simulated board, with test verbs on the parts.

The firmware imports them as it would on a board (``from microbit import *``); a
:class:`kit.drivers.sim.board.Board` hands each script its own set.
"""

from __future__ import annotations

import random
import types
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from kit.drivers.sim.air import Air

STR_HEADER = b"\x01\x00\x01"  # what MicroPython's radio.send(str) puts before the text


class SerialEnd(Protocol):
    """The board's end of its USB serial line."""

    def write(self, data: bytes) -> None: ...

    def read(self) -> bytes: ...


class Button:
    def __init__(self) -> None:
        self._presses = 0
        self._held = False

    def was_pressed(self) -> bool:
        p, self._presses = self._presses, 0
        return p > 0

    def is_pressed(self) -> bool:
        return self._held

    def get_presses(self) -> int:
        p, self._presses = self._presses, 0
        return p

    # test verbs
    def press(self) -> None:
        self._presses += 1

    def hold(self, held: bool = True) -> None:
        if held and not self._held:
            self._presses += 1
        self._held = held


class Touch:
    def __init__(self) -> None:
        self.touched = False

    def is_touched(self) -> bool:
        return self.touched


class Accelerometer:
    def __init__(self) -> None:
        self.x = self.y = 0
        self.z = -1024
        self._gestures: list[str] = []

    def get_x(self) -> int:
        return self.x

    def get_y(self) -> int:
        return self.y

    def get_z(self) -> int:
        return self.z

    def get_values(self) -> tuple[int, int, int]:
        return (self.x, self.y, self.z)

    def was_gesture(self, name: str) -> bool:
        if name in self._gestures:
            self._gestures.remove(name)
            return True
        return False

    def current_gesture(self) -> str:
        return self._gestures[-1] if self._gestures else ""

    # test verb
    def gesture(self, name: str) -> None:
        self._gestures.append(name)


class Image:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Image.{self.name}"


for _name in ("HEART", "HAPPY", "SAD", "YES", "NO", "TRIANGLE", "SQUARE", "SMILE", "SURPRISED",
              "ASLEEP", "DIAMOND", "TARGET", "ARROW_N", "ARROW_E", "ARROW_S", "ARROW_W"):
    setattr(Image, _name, Image(_name))


class Display:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def show(self, what: Any, *args: Any, **kwargs: Any) -> None:
        self.shown.append(what.name if isinstance(what, Image) else str(what))

    def scroll(self, text: Any, *args: Any, **kwargs: Any) -> None:
        self.shown.append(str(text))

    def clear(self) -> None:
        self.shown.append("")

    @property
    def current(self) -> str:
        return self.shown[-1] if self.shown else ""


class Uart:
    def __init__(self, end: SerialEnd | None) -> None:
        self.end = end
        self.baudrate = 115200
        self._rx = bytearray()

    def init(self, baudrate: int = 9600, **kwargs: Any) -> None:
        self.baudrate = baudrate

    def _fill(self) -> None:
        if self.end is not None:
            self._rx.extend(self.end.read())

    def any(self) -> int:
        self._fill()
        return len(self._rx)

    def read(self, n: int | None = None) -> bytes | None:
        self._fill()
        if not self._rx:
            return None
        n = len(self._rx) if n is None else n
        data = bytes(self._rx[:n])
        del self._rx[:n]
        return data

    def write(self, data: str | bytes) -> int:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        if self.end is not None:
            self.end.write(raw)
        return len(raw)


class Radio:
    """One board's radio on the shared :class:`Air`."""

    RATE_1MBIT = 0
    RATE_2MBIT = 1
    RATE_250KBIT = 2
    _KEYS = ("length", "queue", "channel", "power", "data_rate", "address", "group")

    def __init__(self, air: Air, clock_us: Callable[[], int]) -> None:
        self.air = air
        self._us = clock_us
        self.group = 0
        self.channel = 7
        self.length = 32
        self.queue_size = 3
        self.enabled = False
        self._queue: deque[tuple[bytes, int, int]] = deque()
        self.overflow = 0
        self.truncated = 0
        self.poll_us = 0  # the board's loop period, set by the simulated board
        self._last_read_us = 0
        self._gap_us = 0  # between the last two reads

    def config(self, **kwargs: Any) -> None:
        for k, v in kwargs.items():
            if k not in self._KEYS:
                raise ValueError(f"unknown argument '{k}'")
            if k == "queue":
                self.queue_size = v
            else:
                setattr(self, k, v)

    def on(self) -> None:
        if not self.enabled:
            self.enabled = True
            self.air.join(self)

    def off(self) -> None:
        self.enabled = False
        self.air.leave(self)

    def reset(self) -> None:
        self.group, self.channel, self.length, self.queue_size = 0, 7, 32, 3

    def send_bytes(self, data: bytes) -> None:
        if not self.enabled:
            raise ValueError("radio is not enabled")
        if len(data) > self.length:
            self.truncated += 1
            data = data[: self.length]
        self.air.transmit(self, bytes(data))

    def send(self, text: str) -> None:
        self.send_bytes(STR_HEADER + text.encode())

    def deliver(self, data: bytes, rssi: int) -> None:
        if len(self._queue) >= self._capacity():
            self.overflow += 1
            return
        self._queue.append((data, rssi, self._us()))

    def _capacity(self) -> int:
        # A real board empties its queue every pass of its loop. Simulated boards share one
        # event loop that the OS sometimes pauses; when the board's last read is older than
        # its loop period, the packets that arrived meanwhile would have been spread over
        # several reads, so the queue holds that many loops' worth instead of dropping them.
        if not self.poll_us:
            return self.queue_size
        late = max(self._us() - self._last_read_us, self._gap_us) // self.poll_us
        return self.queue_size * max(1, int(late))

    def receive_full(self) -> tuple[bytes, int, int] | None:
        now = self._us()
        if now != self._last_read_us:
            self._gap_us, self._last_read_us = now - self._last_read_us, now
        return self._queue.popleft() if self._queue else None

    def receive_bytes(self) -> bytes | None:
        full = self.receive_full()
        return full[0] if full else None

    def receive(self) -> str | None:
        data = self.receive_bytes()
        if data is None:
            return None
        if data[:3] != STR_HEADER:
            raise ValueError("received packet is not a string")
        return data[3:].decode()


def modules(*, air: Air, ms: Callable[[], int], unique_id: bytes, serial: SerialEnd | None,
            seed: int) -> dict[str, Any]:
    """A fresh set of stand-in modules for one board, by import name."""
    mb = types.ModuleType("microbit")
    parts: dict[str, Any] = {
        "button_a": Button(), "button_b": Button(), "pin_logo": Touch(),
        "accelerometer": Accelerometer(), "display": Display(), "Image": Image,
        "uart": Uart(serial), "running_time": ms, "sleep": lambda t: None,
    }
    mb.__dict__.update(parts)
    mb.__dict__["__all__"] = list(parts)
    rd = types.ModuleType("radio")
    r = Radio(air, lambda: ms() * 1000)
    for name in ("config", "on", "off", "reset", "send", "send_bytes", "receive",
                 "receive_bytes", "receive_full"):
        setattr(rd, name, getattr(r, name))
    rd.__dict__.update(RATE_1MBIT=0, RATE_2MBIT=1, RATE_250KBIT=2)
    rd.__dict__["_radio"] = r
    machine = types.ModuleType("machine")
    machine.unique_id = lambda: unique_id  # type: ignore[attr-defined]
    rng = random.Random(seed)
    rnd = types.ModuleType("random")
    for name in ("randint", "random", "choice", "getrandbits", "randrange", "uniform"):
        setattr(rnd, name, getattr(rng, name))
    rnd.seed = rng.seed  # type: ignore[attr-defined]
    mp = types.ModuleType("micropython")
    mp.kbd_intr = lambda c: None  # type: ignore[attr-defined]
    mp.const = lambda x: x  # type: ignore[attr-defined]
    music = types.ModuleType("music")
    music.played = []  # type: ignore[attr-defined]
    music.pitch = lambda f, d=-1, pin=None, wait=True: music.played.append(f)  # type: ignore
    return {"microbit": mb, "radio": rd, "machine": machine, "random": rnd,
            "micropython": mp, "music": music}
