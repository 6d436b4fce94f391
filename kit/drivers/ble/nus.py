"""The robot command protocol over the Nordic UART Service, pure (firmware/PROTOCOL.md).

Host to robot, one command per line, each at most 20 bytes (one BLE write)::

    D,<speed>,<turn>,<ms>    drive: speed and turn in percent (-100..100); ms=0 until stopped
    S                        stop
    L,<pattern>              show an LED pattern (an Image name such as HEART)
    T,<tone>                 play a tone (Hz)
    P                        ping (keeps the watchdog fed without changing anything)

Robot to host::

    R,<1>                    ready (after connect)
    E,<event>                something happened: watchdog (it stopped itself), bumped ...
    V,<millivolts>           battery voltage

A micro:bit's UART service is wired opposite to Nordic's: ``6E400002`` is the micro:bit's TX
(indicate) and ``6E400003`` its RX (write). Pick characteristics by property, not by UUID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kit.errors import KitError

SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e"
CHAR_2 = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"
CHAR_3 = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"
MAX_WRITE = 20
_PATTERN = re.compile(r"^[A-Z0-9_]{1,16}$")
_TONE = re.compile(r"^[0-9]{1,5}$")


class BadReport(KitError, ValueError):
    def __init__(self, raw: bytes, reason: str) -> None:
        super().__init__(f"ignored a message from a robot ({reason}): {raw[:24]!r}")
        self.raw = raw
        self.reason = reason


def _pct(x: float) -> int:
    return max(-100, min(100, round(x * 100)))


def drive(speed: float, turn: float, seconds: float | None) -> bytes:
    ms = 0 if seconds is None else max(1, min(99999, round(seconds * 1000)))
    return f"D,{_pct(speed)},{_pct(turn)},{ms}\n".encode()


def stop() -> bytes:
    return b"S\n"


def ping() -> bytes:
    return b"P\n"


def led(pattern: str) -> bytes:
    if not _PATTERN.match(pattern):
        raise ValueError(f"LED pattern {pattern!r}: an image name such as HEART")
    return f"L,{pattern}\n".encode()


def sound(tone: str) -> bytes:
    if not _TONE.match(tone):
        raise ValueError(f"tone {tone!r}: a frequency in Hz such as 440")
    return f"T,{tone}\n".encode()


@dataclass(frozen=True, slots=True)
class Command:
    verb: str  # drive, stop, led, sound, ping
    speed: int = 0
    turn: int = 0
    ms: int = 0
    arg: str = ""


def decode_command(line: bytes) -> Command:
    """What the robot firmware makes of one command line (the simulated robot uses this)."""
    parts = line.decode("ascii", errors="replace").strip().split(",")
    match parts:
        case ["D", s, t, ms] if all(re.match(r"^-?[0-9]{1,5}$", x) for x in (s, t, ms)):
            return Command("drive", max(-100, min(100, int(s))), max(-100, min(100, int(t))),
                           int(ms))
        case ["S"]:
            return Command("stop")
        case ["P"]:
            return Command("ping")
        case ["L", p] if _PATTERN.match(p):
            return Command("led", arg=p)
        case ["T", tone] if _TONE.match(tone):
            return Command("sound", arg=tone)
    raise BadReport(line, "not a robot command")


@dataclass(frozen=True, slots=True)
class Report:
    kind: str  # ready, event, battery
    value: int | str


def encode_report(report: Report) -> bytes:
    tag = {"ready": "R", "event": "E", "battery": "V"}[report.kind]
    return f"{tag},{report.value}\n".encode()


def decode_report(raw: bytes) -> Report:
    text = raw.decode("ascii", errors="replace").strip()
    match text.split(","):
        case ["R", v] if v.isdigit():
            return Report("ready", int(v))
        case ["V", v] if v.isdigit():
            return Report("battery", int(v))
        case ["E", v] if re.match(r"^[a-z-]{1,16}$", v):
            return Report("event", v)
    raise BadReport(raw, "not a robot report")


def chunks(data: bytes) -> list[bytes]:
    """Split a message into writes of at most 20 bytes (ATT MTU 23)."""
    return [data[i : i + MAX_WRITE] for i in range(0, len(data), MAX_WRITE)]
