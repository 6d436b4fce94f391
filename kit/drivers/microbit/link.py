"""The link to a gateway micro:bit on USB serial: find it, open it, read lines without
blocking the event loop, send lines back, and survive unplug and replug.

::

    async with GatewayLink(finder=usb_ports) as link:
        async for line in link.lines():      # decoded protocol lines; bad ones are counted
            ...
        await link.send("A,a1b2c3,7")

Unplugging shows up as :class:`serial.SerialException` (never as end of file); the link then
looks for the board again with backoff on the injected clock. ``state`` is one of
``searching``, ``open``, ``unplugged``, ``closed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import serial

from kit.clock import Clock, SystemClock
from kit.drivers.microbit.lines import BadLine, Line, decode_line

log = logging.getLogger(__name__)

MICROBIT_VID = 0x0D28
MICROBIT_PID = 0x0204
BAUD = 115200
MAX_LINE = 200

PortFinder = Callable[[], list[str]]


def usb_ports() -> list[str]:
    """Serial ports of plugged-in micro:bits, found by their USB VID:PID (0D28:0204)."""
    from serial.tools import list_ports

    return sorted(p.device for p in list_ports.comports()
                  if p.vid == MICROBIT_VID and p.pid == MICROBIT_PID)


def named_port(name: str) -> PortFinder:
    """A finder for one port given by name (``/dev/ttyACM0``, ``COM4``, a pty symlink)."""

    def find() -> list[str]:
        return [name] if name.upper().startswith("COM") or os.path.exists(name) else []

    return find


@dataclass
class LinkStats:
    lines: int = 0
    bad: int = 0
    bad_reasons: Counter[str] = field(default_factory=Counter)
    opens: int = 0
    unplugs: int = 0
    sent: int = 0
    unsent: int = 0


class GatewayLink:
    def __init__(self, *, finder: PortFinder = usb_ports, clock: Clock | None = None,
                 baudrate: int = BAUD, max_backoff: float = 1.0) -> None:
        self.finder = finder
        self.clock: Clock = clock or SystemClock()
        self.baudrate = baudrate
        self.max_backoff = max_backoff
        self.state = "searching"
        self.port: str | None = None
        self.stats = LinkStats()
        self._serial: serial.Serial | None = None
        self._queue: asyncio.Queue[Line] = asyncio.Queue()
        self._opened = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> GatewayLink:
        self._task = asyncio.create_task(self._run(), name="gateway-link")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.state = "closed"

    async def wait_open(self) -> None:
        await self._opened.wait()

    async def lines(self) -> AsyncIterator[Line]:
        while True:
            yield await self._queue.get()

    async def send(self, line: str) -> bool:
        """Write one line to the gateway; False (and counted) if it is not plugged in."""
        ser = self._serial
        if ser is None:
            self.stats.unsent += 1
            return False
        try:
            ser.write(line.encode("ascii") + b"\n")
        except (serial.SerialException, OSError) as e:
            log.info("gateway write failed (%s)", e)
            self.stats.unsent += 1
            return False
        self.stats.sent += 1
        return True

    # The loop -----------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = 0.05
        while True:
            ports = self.finder()
            ser = None
            if ports:
                try:
                    ser = serial.Serial(ports[0], self.baudrate, timeout=0, write_timeout=0)
                except (serial.SerialException, OSError) as e:
                    log.info("cannot open %s yet (%s)", ports[0], e)
            if ser is None:
                await self.clock.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            delay = 0.05
            self.port = ports[0]
            self.state = "open"
            self.stats.opens += 1
            self._serial = ser
            self._opened.set()
            log.info("gateway open on %s", self.port)
            try:
                err = await self._read(ser)
                log.warning("gateway on %s unplugged (%s); looking for it again", self.port, err)
                self.stats.unplugs += 1
                self.state = "unplugged"
            finally:
                self._serial = None
                self._opened.clear()
                with contextlib.suppress(Exception):
                    ser.close()

    async def _read(self, ser: serial.Serial) -> Exception:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Exception] = loop.create_future()
        buf = bytearray()
        skipping = False  # inside an over-long line, already counted
        fd = ser.fileno()

        def ready() -> None:
            try:
                data = ser.read(max(1, ser.in_waiting))
            except (serial.SerialException, OSError) as e:
                loop.remove_reader(fd)
                if not done.done():
                    done.set_result(e)
                return
            nonlocal skipping
            buf.extend(data)
            while (i := buf.find(b"\n")) >= 0:
                raw = bytes(buf[:i])
                del buf[: i + 1]
                if skipping:
                    skipping = False
                elif len(raw) > MAX_LINE:
                    self._bad("", "line too long")
                else:
                    self._line(raw)
            if len(buf) > MAX_LINE:
                if not skipping:
                    self._bad("", "line too long")
                skipping = True
                buf.clear()

        loop.add_reader(fd, ready)
        try:
            return await done
        finally:
            loop.remove_reader(fd)

    def _line(self, raw: bytes) -> None:
        text = raw.decode("ascii", errors="replace").strip("\r")
        try:
            line = decode_line(text)
        except BadLine as e:
            self._bad(text, e.reason)
            return
        self.stats.lines += 1
        self._queue.put_nowait(line)

    def _bad(self, text: str, reason: str) -> None:
        self.stats.bad += 1
        self.stats.bad_reasons[reason] += 1
        log.debug("bad gateway line (%s): %r", reason, text[:60])

    def __repr__(self) -> str:
        return (f"<GatewayLink {self.state} port={self.port} lines={self.stats.lines} "
                f"bad={self.stats.bad} unplugs={self.stats.unplugs}>")
