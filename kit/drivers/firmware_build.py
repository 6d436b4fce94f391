"""Ready-to-flash ``.hex`` files: the MicroPython runtime for a board version plus our scripts
(``main.py`` and ``kitproto.py``), written with micropython-microbit-fs. One file per board
version (V1, V2): that package cannot make a universal hex.

Flashing is a file copy onto the board's ``MICROBIT`` drive; :func:`find_microbit_drives`
looks for it by volume name. The drive's ``DETAILS.TXT`` says which board it is (the first four
digits of its ``Unique ID``: 9900/9901 a V1, 9903-9906 a V2), so :func:`flash` refuses a file
built for the other version instead of leaving a board that does nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from kit.drivers.firmware_files import PROGRAMS, firmware_dir
from kit.errors import KitError

VERSIONS = (1, 2)


class FirmwareError(KitError, RuntimeError):
    pass


class WrongBoard(FirmwareError):
    def __init__(self, hex_path: Path, hex_version: int, board_version: int,
                 drive: Path) -> None:
        right = re.sub(r"-v[12]\.hex$", f"-v{board_version}.hex", hex_path.name)
        hint = (f"use {right}" if right != hex_path.name else
                f"build one with 'kit firmware build --board {board_version}'")
        super().__init__(
            f"{hex_path.name} is for a micro:bit V{hex_version}, but the board on {drive} is "
            f"a V{board_version}: {hint}, or let kit choose: 'kit firmware flash controller' "
            "(or gateway)")
        self.hex_version, self.board_version = hex_version, board_version


_BOARD_IDS = {"9900": 1, "9901": 1, "9903": 2, "9904": 2, "9905": 2, "9906": 2}


def board_version(drive: Path) -> int | None:
    """1 or 2 from the drive's DETAILS.TXT, or None if it does not say."""
    try:
        text = (drive / "DETAILS.TXT").read_text(errors="replace")
    except OSError:
        return None
    m = re.search(r"^\s*(?:Unique ID|Board ID)\s*:\s*([0-9A-Fa-f]{4})", text, re.MULTILINE)
    return _BOARD_IDS.get(m.group(1)) if m else None


def hex_version(hex_path: Path) -> int | None:
    """1 or 2 for a MicroPython hex built for one board version; None for anything else (a
    universal hex, a MakeCode program), which every board takes."""
    import micropython_microbit_fs as mfs

    try:
        info = mfs.get_device_info(hex_path.read_text(errors="replace"))
    except (mfs.InvalidHexError, mfs.NotMicroPythonError, ValueError):
        return None
    version = str(getattr(info.device_version, "value", info.device_version))
    return {"V1": 1, "V2": 2}.get(version)


def hex_name(program: str, version: int) -> str:
    return f"kit-{program}-v{version}.hex"


def build(program: str, version: int, out_dir: Path, *, folder: Path | None = None) -> Path:
    """Write ``kit-<program>-v<version>.hex`` into ``out_dir`` and return its path."""
    import micropython_microbit_fs as mfs

    if program not in PROGRAMS:
        raise FirmwareError(f"unknown program {program!r}: choose {', '.join(PROGRAMS)}")
    if version not in VERSIONS:
        raise FirmwareError(f"micro:bit version {version}: choose 1 or 2 (see the back of "
                            "the board: V2 has a logo you can touch)")
    folder = folder or firmware_dir()
    main, *libs = PROGRAMS[program]
    files = [mfs.File.from_text("main.py", (folder / main).read_text())]
    files += [mfs.File.from_text(lib, (folder / lib).read_text()) for lib in libs]
    runtime = mfs.get_bundled_hex(version)
    try:
        text = mfs.add_files(runtime.content, files)
    except mfs.StorageFullError as e:
        raise FirmwareError(f"the {program} scripts do not fit on a V{version} board: {e}") from e
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / hex_name(program, version)
    path.write_text(text)
    return path


def files_in(hex_path: Path) -> dict[str, str]:
    """The scripts inside a built ``.hex`` (to check what a file holds)."""
    import micropython_microbit_fs as mfs

    return {f.name: f.content.decode() if isinstance(f.content, bytes) else str(f.content)
            for f in mfs.get_files(hex_path.read_text())}


def find_microbit_drives() -> list[Path]:
    """Mounted ``MICROBIT`` drives (a board plugged in by USB shows up as one)."""
    if sys.platform == "win32":
        return _windows_drives()
    roots = [Path("/Volumes")]
    user = os.environ.get("USER", "")
    roots += [Path("/media") / user, Path("/run/media") / user, Path("/media"), Path("/mnt")]
    found: list[Path] = []
    for root in roots:
        try:
            entries = list(root.iterdir())
        except OSError:
            continue
        found += [p for p in entries if p.name.upper().startswith("MICROBIT") and p.is_dir()]
    return sorted(set(found))


def _windows_drives() -> list[Path]:  # pragma: no cover - needs Windows
    import ctypes
    import string

    k32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    old = k32.SetErrorMode(1)  # no "no disk" pop-ups
    try:
        found = []
        for letter in string.ascii_uppercase:
            root = f"{letter}:\\"
            if k32.GetDriveTypeW(root) != 2:  # removable
                continue
            label = ctypes.create_unicode_buffer(64)
            if k32.GetVolumeInformationW(root, label, 64, None, None, None, None, 0) and \
                    label.value.upper() == "MICROBIT":
                found.append(Path(root))
        return found
    finally:
        k32.SetErrorMode(old)


def flash(hex_path: Path, drive: Path) -> Path:
    """Copy a ``.hex`` onto a ``MICROBIT`` drive; the board flashes itself and restarts."""
    if not hex_path.is_file() or hex_path.suffix.lower() != ".hex":
        raise FirmwareError(f"{hex_path} is not a .hex file; make one with 'kit firmware build'")
    if not drive.is_dir():
        raise FirmwareError(f"{drive} is not a mounted MICROBIT drive; plug the board in by "
                            "USB and wait for the drive to appear")
    board, made_for = board_version(drive), hex_version(hex_path)
    if board is not None and made_for is not None and board != made_for:
        raise WrongBoard(hex_path, made_for, board, drive)
    fail = drive / "FAIL.TXT"
    target = drive / hex_path.name
    shutil.copyfile(hex_path, target)
    if fail.exists():
        raise FirmwareError(f"the board says: {fail.read_text().strip()[:200]}")
    return target
