"""A USB serial line made of a real pseudo-terminal: the host opens the slave side by name
(through a symlink that stays the same across replugs), the simulated board owns the master."""

from __future__ import annotations

import contextlib
import os
import tty
from pathlib import Path


class PtySerial:
    def __init__(self, link: Path) -> None:
        self.link = link
        self._master = -1
        self._slave = -1
        self.dropped = 0

    @property
    def plugged(self) -> bool:
        return self._master >= 0

    def plug(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        tmp = self.link.with_suffix(".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(os.ttyname(self._slave))
        tmp.replace(self.link)

    def unplug(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.link.unlink()
        for fd in (self._master, self._slave):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = -1

    # the board's side (microbit_stub.SerialEnd)
    def write(self, data: bytes) -> None:
        if self._master < 0:
            return
        try:
            os.write(self._master, data)
        except BlockingIOError:
            self.dropped += len(data)  # nobody reads: the USB bridge drops it too
        except OSError:
            pass

    def read(self) -> bytes:
        if self._master < 0:
            return b""
        try:
            return os.read(self._master, 4096)
        except (BlockingIOError, OSError):
            return b""
