"""Finding micro:bit robots the way they really advertise.

A micro:bit running a MakeCode (or MicroPython-free CODAL/DAL) Bluetooth program advertises
only flags and the name ``BBC micro:bit [zotiv]``: five letters made from the board's serial
number, the same letters the board scrolls when MakeCode's pairing mode is used. Renaming the
MakeCode project does not change it, and no service UUID is advertised, so scanning never
filters on a UUID: a robot is any device with a micro:bit name (or, for home-made firmware,
one that advertises the UART service). A team is bound to its robot by the five letters, the
full name or the Bluetooth address, whichever the teacher has at hand::

    found = await discover_robots(seconds=3)
    for r in found.robots:
        print(r.short, r.advertised, r.address, r.rssi)
    robot = BleRobot("zotiv")          # or "BBC micro:bit [zotiv]", or "E3:5A:...:10"

Pure parts (:func:`short_name`, :func:`friendly_name`, :func:`matches`) need no radio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kit.drivers.ble import nus
from kit.drivers.ble.backend import PLATFORM, BleBackend

MICROBIT_NAME = "BBC micro:bit"
_NAME = re.compile(r"^BBC micro:bit(?: \[([a-z]{5})\])?$")
_SHORT = re.compile(r"^[a-z]{5}$")
_ADDRESS = re.compile(r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")
# microbit-dal / CODAL MicroBitBLEManager: consonants and vowels alternate, last letter first.
_CODEBOOK = ("zvgpt", "uoiea", "zvgpt", "uoiea", "zvgpt")


def short_name(advertised: str | None) -> str | None:
    """``"zotiv"`` for ``"BBC micro:bit [zotiv]"``; ``""`` for a bare ``"BBC micro:bit"``;
    None when the name is not a micro:bit's."""
    m = _NAME.match((advertised or "").strip())
    if m is None:
        return None
    return m.group(1) or ""


def friendly_name(serial: int) -> str:
    """The five letters a micro:bit derives from its 32-bit serial number (as the DAL does)."""
    n = serial & 0xFFFFFFFF
    letters = [""] * 5
    d, ld = 5, 1
    for i in range(5):
        h = (n % d) // ld
        n -= h
        d *= 5
        ld *= 5
        letters[4 - i] = _CODEBOOK[i][h]
    return "".join(letters)


def advertised_name(short: str) -> str:
    return f"{MICROBIT_NAME} [{short}]"


def _norm_address(text: str) -> str:
    return text.strip().upper().replace("-", ":")


def describe_target(target: str) -> str:
    """What kind of robot name the teacher gave: ``short``, ``advertised``, ``address`` or
    ``name`` (anything else: a home-made firmware's own name)."""
    t = target.strip()
    if _SHORT.match(t.lower()):
        return "short"
    if short_name(t) is not None:
        return "advertised"
    if _ADDRESS.match(t) or re.match(r"^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$", t):
        return "address"  # macOS gives a UUID per device instead of a MAC address
    return "name"


def matches(target: str, *, name: str | None, address: str) -> bool:
    """Does a device seen in a scan answer to ``target`` (five letters, full name, address)?"""
    t = target.strip()
    kind = describe_target(t)
    if kind == "address":
        return _norm_address(t) == _norm_address(address)
    if kind == "short":
        return short_name(name) == t.lower()
    return (name or "").strip() == t


@dataclass(frozen=True, slots=True)
class FoundRobot:
    """A micro:bit robot seen in a scan."""

    advertised: str  # "BBC micro:bit [zotiv]"
    short: str  # "zotiv" ("" if the board advertises no letters)
    address: str
    rssi: int | None
    device: Any = field(default=None, compare=False, repr=False)  # bleak BLEDevice

    @property
    def label(self) -> str:
        return self.short or self.advertised or self.address


@dataclass
class Discovery:
    robots: list[FoundRobot]
    others: int  # devices seen that are not micro:bits (phones, bands, headphones)


def is_robot(name: str | None, service_uuids: list[str]) -> bool:
    """A micro:bit by its name, or a home-made robot advertising the UART service."""
    return short_name(name) is not None or nus.SERVICE in [u.lower() for u in service_uuids]


async def discover_robots(*, backend: BleBackend = PLATFORM, seconds: float = 3.0
                          ) -> Discovery:
    """The micro:bit robots around (strongest signal first), and how many other devices."""
    from bleak import BleakScanner

    found = await BleakScanner.discover(timeout=seconds, return_adv=True,
                                        backend=backend.scanner)
    robots: list[FoundRobot] = []
    others = 0
    for device, adv in found.values():
        name = adv.local_name or device.name
        if not is_robot(name, list(adv.service_uuids)):
            others += 1
            continue
        robots.append(FoundRobot(advertised=name or "", short=short_name(name) or "",
                                 address=device.address, rssi=adv.rssi, device=device))
    robots.sort(key=lambda r: (-(r.rssi if r.rssi is not None else -999), r.label))
    return Discovery(robots, others)
