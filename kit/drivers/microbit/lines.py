"""The gateway's serial line protocol (firmware/PROTOCOL.md), pure: text in, values out.

Gateway to host (``kit-gw-2``), one line each, ending ``\\n`` (a ``\\r`` before it is ignored)::

    K<dev><seq><codes>[;<dev><seq><codes>...]   new presses, batched: a1b2c3 17 AB...
    N,<dev>,<boot>,<rssi>                       a controller started (its press 0, "hello")
    H,<dev>,<rssi>,<drops>,<retries>            a controller's heartbeat, with its counters
    S,<t_ms>,<rx>,<dup>,<gap>,<bad>,<reack>     the gateway's counters, every 5 s
    B,<version>                                 the gateway (re)booted

Host to gateway::

    A<dev><seq>[;<dev><seq>...]    acknowledgements, cumulative per controller, batched
    C,<dev>,<cmd>,<arg>            a command for one controller: seat, led or sound

A device id is six lower-case hex digits; a press is one character (:data:`CODES`). A ``K``
group is ``<dev><seq><codes>``: the presses numbered ``seq``, ``seq+1``, ... Budget: a press
costs about 12 bytes each way, so 30 controllers x 20 presses/s use about two thirds of
115200 baud (11,520 bytes/s) and one ack line answers many presses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kit.errors import KitError

GESTURES = frozenset({"A", "B", "AB", "logo", "shake", "tilt", "pair", "hello"})
COMMANDS = frozenset({"seat", "led", "sound"})
#: press character -> (gesture, value)
CODES: dict[str, tuple[str, int]] = {
    "A": ("A", 0), "B": ("B", 0), "C": ("AB", 0), "L": ("logo", 0), "S": ("shake", 0),
    "P": ("pair", 0), "l": ("tilt", 1), "r": ("tilt", 2), "f": ("tilt", 3), "b": ("tilt", 4),
}
_CODE_OF = {v: k for k, v in CODES.items()}
_DEV = re.compile(r"^[0-9a-f]{6}$")
_GROUP = re.compile(r"^([0-9a-f]{6})([0-9]{1,9})([ABCLSPlrfb]{1,16})$")
_INT = re.compile(r"^-?[0-9]{1,9}$")
_ARG = re.compile(r"^[A-Za-z0-9 _.:-]{0,24}$")
MAX_ACK_LINE = 100


class BadLine(KitError, ValueError):
    """A serial line that is not part of the protocol (boot noise, a crash trace, a glitch)."""

    def __init__(self, line: str, reason: str) -> None:
        super().__init__(f"ignored a line from the gateway ({reason}): {line[:60]!r}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class KeyLine:
    """One press of one controller (a ``K`` group holds several; ``N`` is press 0)."""

    dev: str
    seq: int
    gesture: str
    value: int
    rssi: int | None = None


@dataclass(frozen=True, slots=True)
class KeyBatch:
    keys: tuple[KeyLine, ...]


@dataclass(frozen=True, slots=True)
class BeatLine:
    dev: str
    rssi: int
    drops: int = 0  # presses the controller could not queue (its queue was full)
    retries: int = 0  # packets it sent again because no ack came


@dataclass(frozen=True, slots=True)
class StatsLine:
    t_ms: int
    rx: int
    dup: int
    gap: int
    bad: int
    reack: int = 0


@dataclass(frozen=True, slots=True)
class BootLine:
    version: str


Line = KeyBatch | BeatLine | StatsLine | BootLine


def _ints(line: str, fields: list[str]) -> list[int]:
    if not all(_INT.match(f) for f in fields):
        raise BadLine(line, "a number field is not a number")
    return [int(f) for f in fields]


def decode_group(group: str) -> list[KeyLine]:
    m = _GROUP.match(group)
    if m is None:
        raise ValueError(group)
    dev, seq, codes = m.group(1), int(m.group(2)), m.group(3)
    return [KeyLine(dev, seq + i, *CODES[c]) for i, c in enumerate(codes)]


def decode_line(line: str) -> Line:
    """One line from the gateway (without its line ending). Raises :class:`BadLine`."""
    text = line.strip("\r\n")
    if text.startswith("K") and len(text) > 1:
        keys: list[KeyLine] = []
        for group in text[1:].split(";"):
            try:
                keys += decode_group(group)
            except ValueError:
                raise BadLine(line, "not a press group") from None
        return KeyBatch(tuple(keys))
    parts = text.split(",")
    kind, n = parts[0], len(parts)
    if kind in ("N", "H") and n > 1 and not _DEV.match(parts[1]):
        raise BadLine(line, "bad device id")
    if kind == "N" and n == 4:
        boot, rssi = _ints(line, parts[2:])
        if boot < 0:
            raise BadLine(line, "negative boot id")
        return KeyBatch((KeyLine(parts[1], 0, "hello", boot, rssi),))
    if kind == "H" and n == 5:
        rssi, drops, retries = _ints(line, parts[2:])
        return BeatLine(parts[1], rssi, drops, retries)
    if kind == "S" and n == 7:
        t_ms, rx, dup, gap, bad, reack = _ints(line, parts[1:])
        return StatsLine(t_ms, rx, dup, gap, bad, reack)
    if kind == "B" and n == 2 and parts[1]:
        return BootLine(parts[1])
    raise BadLine(line, "not a kit gateway line")


def encode_keys(keys: Iterable[KeyLine]) -> str:
    """The ``K`` line for presses (consecutive ones of a controller share a group); the
    simulations and tests use it, the gateway firmware builds the same text."""
    groups: list[str] = []
    prev: KeyLine | None = None
    for k in keys:
        code = _CODE_OF[(k.gesture, k.value)]
        if prev is not None and prev.dev == k.dev and k.seq == prev.seq + 1:
            groups[-1] += code
        else:
            groups.append(f"{k.dev}{k.seq}{code}")
        prev = k
    return "K" + ";".join(groups)


def encode_acks(acks: Mapping[str, int]) -> list[str]:
    """Acknowledgement lines for ``{dev: highest seq published}``, at most 100 characters."""
    lines: list[str] = []
    line = ""
    for dev, seq in acks.items():
        _check_dev(dev)
        if seq < 0:
            raise ValueError(f"sequence number {seq} is negative")
        group = f"{dev}{seq}"
        if line and len(line) + 1 + len(group) > MAX_ACK_LINE:
            lines.append(line)
            line = ""
        line = f"{line};{group}" if line else f"A{group}"
    if line:
        lines.append(line)
    return lines


def encode_ack(dev: str, seq: int) -> str:
    return encode_acks({dev: seq})[0]


def encode_command(dev: str, command: str, arg: str) -> str:
    _check_dev(dev)
    if command not in COMMANDS:
        raise ValueError(f"unknown controller command {command!r}: use {sorted(COMMANDS)}")
    if not _ARG.match(arg) or "," in arg:
        raise ValueError(f"command argument {arg!r}: up to 24 letters, digits, spaces, _.:-")
    return f"C,{dev},{command},{arg}"


def _check_dev(dev: str) -> None:
    if not _DEV.match(dev):
        raise ValueError(f"device id {dev!r}: six lower-case hex digits")


def controller_id(dev: str) -> str:
    """The controller's station id on the hub: ``mb-`` + its radio device id."""
    return f"mb-{dev}"


def device_of(controller: str) -> str | None:
    """The radio device id of a controller station id, or None if it is not a micro:bit's."""
    if controller.startswith("mb-") and _DEV.match(controller[3:]):
        return controller[3:]
    return None
