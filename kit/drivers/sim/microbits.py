"""Simulated micro:bits for a classroom: pupils' controllers and the radio gateway on a pty.

::

    air = Air(loss=0.2)                       # a noisy room; the line keeps to 115200 baud
    gateway = SimGateway(tmp / "ttyKIT0", air=air, clock=clock)
    await gateway.plug()                      # the host finds it at gateway.port
    pupil = SimController(1, air=air, clock=clock)
    await pupil.power_on()
    pupil.press("A"); pupil.tilt("left"); pupil.shake()
    await gateway.unplug(); await gateway.replug()
"""

from __future__ import annotations

import weakref
from pathlib import Path

from kit.clock import Clock
from kit.drivers.microbit.lines import controller_id
from kit.drivers.microbit.link import PortFinder, named_port
from kit.drivers.sim.air import Air
from kit.drivers.sim.board import Board, Ticker
from kit.drivers.sim.pty_serial import BAUD, PtySerial

_TILTS = {"left": (-900, 0), "right": (900, 0), "forward": (0, -900), "back": (0, 900),
          "flat": (0, 0)}


_TICKERS: weakref.WeakKeyDictionary[Air, dict[tuple[int, float], Ticker]] = \
    weakref.WeakKeyDictionary()


def _ticker(air: Air, clock: Clock, tick: float) -> Ticker:
    per_air = _TICKERS.setdefault(air, {})
    key = (id(clock), tick)
    if key not in per_air:
        per_air[key] = Ticker(clock, tick)
    return per_air[key]


class SimController:
    """A pupil's micro:bit running ``kit/drivers/microbit/firmware/controller.py``."""

    def __init__(self, number: int, *, air: Air, clock: Clock, tick: float = 0.005) -> None:
        self.number = number
        uid = bytes([0x5a, 0x17, 0x00, (number >> 16) & 255, (number >> 8) & 255, number & 255])
        self.dev = uid[-3:].hex()
        self.controller = controller_id(self.dev)
        self.air = air
        self.board = Board("controller", air=air, clock=clock, unique_id=uid, tick=tick,
                           seed=number)

    async def power_on(self) -> None:
        # the controllers in one room share one ticker (one timer for the whole class)
        await self.board.start(ticker=_ticker(self.air, self.board.clock, self.board.tick))

    async def power_off(self) -> None:
        await self.board.stop()

    # test verbs
    def press(self, button: str) -> None:
        if button in ("A", "AB"):
            self.board.part("button_a").press()
        if button in ("B", "AB"):
            self.board.part("button_b").press()

    def hold(self, button: str, held: bool = True) -> None:
        if button in ("A", "AB"):
            self.board.part("button_a").hold(held)
        if button in ("B", "AB"):
            self.board.part("button_b").hold(held)

    def touch_logo(self, touched: bool = True) -> None:
        self.board.part("pin_logo").touched = touched

    def shake(self) -> None:
        self.board.part("accelerometer").gesture("shake")

    def tilt(self, direction: str) -> None:
        acc = self.board.part("accelerometer")
        acc.x, acc.y = _TILTS[direction]

    @property
    def pending(self) -> int:
        """Presses not yet acknowledged by the host."""
        script = self.board.script
        return len(script.codes) + (1 if script.hello else 0)

    @property
    def display(self) -> str:
        return str(self.board.part("display").current)

    def __repr__(self) -> str:
        return f"<SimController {self.controller} pending={self.pending} shows={self.display!r}>"


class SimGateway:
    """The gateway micro:bit running ``gateway.py`` (kit/drivers/microbit/firmware) on a pty."""

    def __init__(self, port: Path, *, air: Air, clock: Clock, tick: float = 0.002,
                 baud: int | None = BAUD) -> None:
        self.serial = PtySerial(Path(port), clock=clock, baud=baud)
        self.air, self.clock, self.tick = air, clock, tick
        self.board: Board | None = None
        self.boots = 0

    @property
    def port(self) -> str:
        return str(self.serial.link)

    @property
    def finder(self) -> PortFinder:
        return named_port(self.port)

    @property
    def plugged(self) -> bool:
        return self.serial.plugged

    async def plug(self) -> None:
        self.serial.plug()
        self.board = Board("gateway", air=self.air, clock=self.clock, serial=self.serial,
                           unique_id=b"\x99\x03gw\x00\x01", tick=self.tick, seed=9999)
        self.boots += 1
        await self.board.start()

    async def unplug(self) -> None:
        """Pull the USB cable: the board loses power and the host's port goes away."""
        if self.board is not None:
            await self.board.stop()
            self.board = None
        self.serial.unplug()

    replug = plug

    def stall(self, stalled: bool = True) -> None:
        """Test verb: the board stops reading what the host sends (a busy or hung script);
        the pty fills up and the host's writes back up."""
        self.serial.reading = not stalled

    def garble(self, raw: bytes) -> None:
        """Test verb: put bytes on the serial line as if the board had printed them."""
        self.serial.write(raw)

    def __repr__(self) -> str:
        return f"<SimGateway {self.port} {'plugged' if self.plugged else 'unplugged'}>"
