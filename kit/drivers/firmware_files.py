"""Where the firmware scripts live (``firmware/`` beside the package; ``$KIT_FIRMWARE``)."""

from __future__ import annotations

import os
from pathlib import Path

from kit.errors import KitError


class FirmwareMissing(KitError, FileNotFoundError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"the micro:bit firmware scripts are not in {path}; set KIT_FIRMWARE "
                         "to the kit 'firmware' folder")
        self.path = path


def firmware_dir() -> Path:
    env = os.environ.get("KIT_FIRMWARE")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "firmware"
    if not (path / "kitproto.py").exists():
        raise FirmwareMissing(path)
    return path


#: Which scripts make up each program; the first becomes ``main.py`` on the board.
PROGRAMS: dict[str, tuple[str, ...]] = {
    "controller": ("controller.py", "kitproto.py"),
    "gateway": ("gateway.py", "kitproto.py"),
}
