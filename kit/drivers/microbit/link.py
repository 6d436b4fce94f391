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

Writing never blocks the event loop: ``send`` puts the line in a buffer and writes what the
port takes now; the rest goes out when the port is writable again (partial writes resume where
they stopped, so lines are never spliced). When the board stops reading, the buffer fills:
``send`` then waits up to ``write_timeout`` (on the injected clock) for room and otherwise
refuses the line (False, counted in ``stats.unsent`` and ``stats.overflows``). POSIX only: the
port's file descriptor goes into the event loop's reader and writer sets.
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
MAX_PENDING = 2048  # bytes waiting to be written before send() waits for room

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
    overflows: int = 0  # lines refused because the board stopped reading
    partial_writes: int = 0


class GatewayLink:
    def __init__(self, *, finder: PortFinder = usb_ports, clock: Clock | None = None,
                 baudrate: int = BAUD, max_backoff: float = 1.0, write_timeout: float = 0.5,
                 max_pending: int = MAX_PENDING) -> None:
        self.finder = finder
        self.clock: Clock = clock or SystemClock()
        self.baudrate = baudrate
        self.max_backoff = max_backoff
        self.write_timeout = write_timeout
        self.max_pending = max_pending
        self.state = "searching"
        self.port: str | None = None
        self.stats = LinkStats()
        self._serial: serial.Serial | None = None
        self._queue: asyncio.Queue[Line] = asyncio.Queue()
        self._opened = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._out = bytearray()
        self._room = asyncio.Event()
        self._writer_fd: int | None = None
        self._stalled = False

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

    @property
    def pending(self) -> int:
        """Bytes accepted by :meth:`send` that the port has not taken yet."""
        return len(self._out)

    async def send(self, line: str) -> bool:
        """Queue one line for the gateway; False (and counted) if it is not plugged in or has
        stopped reading for longer than ``write_timeout``. Never blocks the event loop."""
        if not line.isascii() or not line.isprintable():
            raise ValueError(f"gateway lines are printable ASCII: {line[:40]!r}")
        data = line.encode("ascii") + b"\n"
        if self._serial is None:
            self.stats.unsent += 1
            return False
        if len(self._out) + len(data) > self.max_pending and (
                self._stalled or not await self._wait_room(data)):
            # refused at once while the board stays stalled; waits again once it reads
            self.stats.unsent += 1
            self.stats.overflows += 1
            if not self._stalled:
                log.warning("the gateway micro:bit on %s has stopped reading; lines for it "
                            "are dropped until it reads again (unplug and replug it if this "
                            "lasts)", self.port)
            self._stalled = True
            return False
        ser = self._serial
        if ser is None:
            self.stats.unsent += 1
            return False
        self._out += data
        self._flush(ser)
        self.stats.sent += 1
        return True

    async def _wait_room(self, data: bytes) -> bool:
        waiter = asyncio.ensure_future(self.clock.sleep(self.write_timeout))
        try:
            while len(self._out) + len(data) > self.max_pending:
                if self._serial is None or waiter.done():
                    return False
                self._room.clear()
                room = asyncio.ensure_future(self._room.wait())
                try:
                    await asyncio.wait({room, waiter}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    room.cancel()  # also when cancelled: no waiter left pending at exit
            return True
        finally:
            waiter.cancel()

    def _flush(self, ser: serial.Serial) -> None:
        """Write what the port takes now; the event loop calls again when it is writable."""
        fd = ser.fileno()
        try:
            n = os.write(fd, self._out)
        except BlockingIOError:
            n = 0
        except OSError as e:  # unplugged: the reader sees it too and looks for the board
            log.info("gateway write failed (%s)", e)
            self._out.clear()
            self._room.set()
            self._stop_writer()
            return
        if 0 < n < len(self._out):
            self.stats.partial_writes += 1
        if n > 0:
            self._stalled = False
        del self._out[:n]
        self._room.set()
        if self._out and self._writer_fd is None:
            self._writer_fd = fd
            asyncio.get_running_loop().add_writer(fd, self._flush, ser)
        elif not self._out:
            self._stop_writer()

    def _stop_writer(self) -> None:
        if self._writer_fd is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_writer(self._writer_fd)
            self._writer_fd = None

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
                self._stop_writer()
                if self._out:
                    self.stats.unsent += 1
                    self._out.clear()
                self._room.set()
                self._stalled = False
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
