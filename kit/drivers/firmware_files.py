"""Where the firmware scripts live: inside the package (``kit/drivers/microbit/firmware``),
so an installed kit can build and flash them; ``$KIT_FIRMWARE`` points elsewhere (a folder
with changed scripts)."""

from __future__ import annotations

import os
from pathlib import Path

from kit.errors import KitError

PACKAGED = Path(__file__).resolve().parent / "microbit" / "firmware"


class FirmwareMissing(KitError, FileNotFoundError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"the micro:bit firmware scripts are not in {path}; set KIT_FIRMWARE "
                         "to a folder holding controller.py, kitinput.py, gateway.py and "
                         "kitproto.py, or reinstall kit")
        self.path = path


def firmware_dir() -> Path:
    env = os.environ.get("KIT_FIRMWARE")
    path = Path(env) if env else PACKAGED
    if not (path / "kitproto.py").exists():
        raise FirmwareMissing(path)
    return path


#: Which scripts make up each program; the first becomes ``main.py`` on the board.
PROGRAMS: dict[str, tuple[str, ...]] = {
    "controller": ("controller.py", "kitinput.py"),
    "gateway": ("gateway.py", "kitproto.py"),
}
