"""The gateway's serial line protocol (firmware/PROTOCOL.md), pure: text in, values out.

Gateway to host::

    K,<dev>,<seq>,<gesture>,<value>,<t_ms>,<rssi>   a controller's press (relayed from radio)
    H,<dev>,<t_ms>,<rssi>                           a controller's heartbeat
    S,<t_ms>,<rx>,<dup>,<gap>,<bad>                 the gateway's counters
    B,<version>                                     the gateway (re)booted

Host to gateway::

    A,<dev>,<seq>              acknowledge a press; the gateway radios it to the controller
    C,<dev>,<cmd>,<arg>        a command for one controller: seat, led or sound
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kit.errors import KitError

GESTURES = frozenset({"A", "B", "AB", "logo", "shake", "tilt", "pair", "hello"})
COMMANDS = frozenset({"seat", "led", "sound"})
_DEV = re.compile(r"^[0-9a-z]{1,12}$")
_INT = re.compile(r"^-?[0-9]{1,9}$")
_ARG = re.compile(r"^[A-Za-z0-9 _.:-]{0,24}$")


class BadLine(KitError, ValueError):
    """A serial line that is not part of the protocol (boot noise, a crash trace, a glitch)."""

    def __init__(self, line: str, reason: str) -> None:
        super().__init__(f"ignored a line from the gateway ({reason}): {line[:60]!r}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class KeyLine:
    dev: str
    seq: int
    gesture: str
    value: int
    t_ms: int
    rssi: int


@dataclass(frozen=True, slots=True)
class BeatLine:
    dev: str
    t_ms: int
    rssi: int


@dataclass(frozen=True, slots=True)
class StatsLine:
    t_ms: int
    rx: int
    dup: int
    gap: int
    bad: int


@dataclass(frozen=True, slots=True)
class BootLine:
    version: str


Line = KeyLine | BeatLine | StatsLine | BootLine


def _ints(line: str, fields: list[str]) -> list[int]:
    if not all(_INT.match(f) for f in fields):
        raise BadLine(line, "a number field is not a number")
    return [int(f) for f in fields]


def decode_line(line: str) -> Line:
    """One line from the gateway (without its line ending). Raises :class:`BadLine`."""
    text = line.strip("\r\n")
    parts = text.split(",")
    kind, n = parts[0], len(parts)
    if kind in ("K", "H") and n > 1 and not _DEV.match(parts[1]):
        raise BadLine(line, "bad device id")
    if kind == "K" and n == 7:
        if parts[3] not in GESTURES:
            raise BadLine(line, f"unknown gesture {parts[3]!r}")
        seq, value, t_ms, rssi = _ints(line, [parts[2], parts[4], parts[5], parts[6]])
        if seq < 0:
            raise BadLine(line, "negative sequence number")
        return KeyLine(parts[1], seq, parts[3], value, t_ms, rssi)
    if kind == "H" and n == 4:
        t_ms, rssi = _ints(line, parts[2:])
        return BeatLine(parts[1], t_ms, rssi)
    if kind == "S" and n == 6:
        t_ms, rx, dup, gap, bad = _ints(line, parts[1:])
        return StatsLine(t_ms, rx, dup, gap, bad)
    if kind == "B" and n == 2 and parts[1]:
        return BootLine(parts[1])
    raise BadLine(line, "not a kit gateway line")


def encode_ack(dev: str, seq: int) -> str:
    _check_dev(dev)
    if seq < 0:
        raise ValueError(f"sequence number {seq} is negative")
    return f"A,{dev},{seq}"


def encode_command(dev: str, command: str, arg: str) -> str:
    _check_dev(dev)
    if command not in COMMANDS:
        raise ValueError(f"unknown controller command {command!r}: use {sorted(COMMANDS)}")
    if not _ARG.match(arg) or "," in arg:
        raise ValueError(f"command argument {arg!r}: up to 24 letters, digits, spaces, _.:-")
    return f"C,{dev},{command},{arg}"


def _check_dev(dev: str) -> None:
    if not _DEV.match(dev):
        raise ValueError(f"device id {dev!r}: 1-12 lower-case letters and digits")


def controller_id(dev: str) -> str:
    """The controller's station id on the hub: ``mb-`` + its radio device id."""
    return f"mb-{dev}"


def device_of(controller: str) -> str | None:
    """The radio device id of a controller station id, or None if it is not a micro:bit's."""
    if controller.startswith("mb-") and _DEV.match(controller[3:]):
        return controller[3:]
    return None
