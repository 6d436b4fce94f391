"""A USB serial line made of a real pseudo-terminal: the host opens the slave side by name
(through a symlink that stays the same across replugs), the simulated board owns the master.

A pty moves about a megabyte a second; the real line is 115200 baud 8N1, 11,520 bytes a
second. The board's side therefore keeps to the configured baud rate on the injected clock,
both ways: what the board writes waits in its transmit buffer and reaches the host only as
fast as the wire would carry it; what the host writes waits in the pty (and, when that is
full, in the host's own buffer) and reaches the board at the same pace.
"""

from __future__ import annotations

import contextlib
import os
import tty
from pathlib import Path

from kit.clock import Clock

BAUD = 115200
TX_BUFFER = 4096  # bytes the board's side holds before it drops (and counts) what it writes


class PtySerial:
    def __init__(self, link: Path, *, clock: Clock | None = None, baud: int | None = BAUD
                 ) -> None:
        self.link = link
        self.clock = clock
        self.baud = baud if clock is not None else None
        self._master = -1
        self._slave = -1
        self.dropped = 0
        self.reading = True  # test verb: False = the board stops reading (a full buffer)
        self._tx = bytearray()
        self._tx_t = 0.0  # the wire has carried the board's bytes up to this time
        self._rx_t = 0.0
        self.written = 0
        self.read_bytes = 0

    @property
    def bytes_per_second(self) -> float:
        return (self.baud or 0) / 10  # 8N1: a start bit, 8 data bits, a stop bit

    @property
    def plugged(self) -> bool:
        return self._master >= 0

    @property
    def backlog(self) -> int:
        """Bytes the board has written that the wire has not yet carried."""
        return len(self._tx)

    def plug(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        tmp = self.link.with_suffix(".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(os.ttyname(self._slave))
        tmp.replace(self.link)
        self._tx.clear()
        if self.clock is not None:
            self._tx_t = self._rx_t = self.clock.monotonic()

    def unplug(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.link.unlink()
        for fd in (self._master, self._slave):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = -1
        self._tx.clear()

    # the board's side (microbit_stub.SerialEnd)
    def write(self, data: bytes) -> None:
        if self._master < 0:
            return
        if self.baud is None:
            self._put(bytes(data))
            return
        if not self._tx:
            self._tx_t = max(self._tx_t, self._now())
        room = TX_BUFFER - len(self._tx)
        if len(data) > room:
            self.dropped += len(data) - room
            data = data[:room]
        self._tx += data
        self.pump()

    def pump(self) -> None:
        """Hand the host whatever the wire has carried by now."""
        if self._master < 0 or not self._tx or self.baud is None:
            return
        n = int((self._now() - self._tx_t) * self.bytes_per_second)
        if n <= 0:
            return
        sent = self._put(bytes(self._tx[:n]))
        del self._tx[:sent]
        self._tx_t += sent / self.bytes_per_second

    def _put(self, data: bytes) -> int:
        try:
            n = os.write(self._master, data)
        except BlockingIOError:
            return 0  # the host is not reading: the bytes wait in the board's buffer
        except OSError:
            return len(data)
        self.written += n
        return n

    def read(self) -> bytes:
        self.pump()
        if self._master < 0 or not self.reading:
            return b""
        limit = 4096
        if self.baud is not None:
            now = self._now()
            limit = int((now - self._rx_t) * self.bytes_per_second)
            if limit <= 0:
                return b""
        try:
            data = os.read(self._master, limit)
        except (BlockingIOError, OSError):
            data = b""
        if self.baud is not None:
            # an idle line accrues no credit: the next bytes start their wire time now
            self._rx_t = self._rx_t + len(data) / self.bytes_per_second \
                if len(data) == limit else self._now()
        self.read_bytes += len(data)
        return data

    def _now(self) -> float:
        assert self.clock is not None
        return self.clock.monotonic()
