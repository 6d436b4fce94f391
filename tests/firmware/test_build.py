"""kit firmware build and flash: .hex files holding our scripts, copied to a MICROBIT drive."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.cli import main
from kit.drivers import firmware_build as fb

FIRMWARE = Path(__file__).parents[2] / "kit" / "drivers" / "microbit" / "firmware"


@pytest.mark.parametrize("board", [1, 2])
def test_build_puts_the_scripts_in_the_hex(tmp_path: Path, board: int) -> None:
    path = fb.build("gateway", board, tmp_path)
    assert path.name == f"kit-gateway-v{board}.hex"
    files = fb.files_in(path)
    assert files["main.py"] == (FIRMWARE / "gateway.py").read_text()
    assert files["kitproto.py"] == (FIRMWARE / "kitproto.py").read_text()


def test_cli_build_and_flash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hex"
    assert main(["firmware", "build", "--out", str(out), "--program", "controller",
                 "--board", "2"]) == 0
    assert "kit-controller-v2.hex" in capsys.readouterr().out
    drive = tmp_path / "MICROBIT"
    drive.mkdir()
    assert main(["firmware", "flash", str(out / "kit-controller-v2.hex"),
                 "--drive", str(drive)]) == 0
    assert (drive / "kit-controller-v2.hex").read_bytes() == \
        (out / "kit-controller-v2.hex").read_bytes()


def test_flash_without_a_drive_says_what_to_do(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    hexfile = tmp_path / "x.hex"
    hexfile.write_text(":00000001FF\n")
    assert main(["firmware", "flash", str(hexfile), "--drive", str(tmp_path / "nope")]) == 1
    assert "plug the board in by USB" in capsys.readouterr().out


DETAILS = """# DAPLink Firmware - see https://mbed.com/daplink
Unique ID: {board}0000036ce45b0054300800000036000000009796990b
HIC ID: 9796990b
Auto Reset: 1
Interface Version: 0255
"""


def _drive(tmp_path: Path, board: str) -> Path:
    drive = tmp_path / "MICROBIT"
    drive.mkdir()
    (drive / "DETAILS.TXT").write_text(DETAILS.format(board=board))
    return drive


def test_flash_refuses_a_hex_for_the_other_board(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    v1 = fb.build("controller", 1, tmp_path / "hex")
    drive = _drive(tmp_path, "9904")  # a V2
    assert fb.board_version(drive) == 2 and fb.hex_version(v1) == 1
    assert main(["firmware", "flash", str(v1), "--drive", str(drive)]) == 1
    out = capsys.readouterr().out
    assert "is for a micro:bit V1, but the board" in out and "kit-controller-v2.hex" in out
    assert not (drive / v1.name).exists()


def test_flash_by_program_name_builds_for_the_board_found(tmp_path: Path) -> None:
    drive = _drive(tmp_path, "9900")  # a V1
    assert main(["firmware", "flash", "gateway", "--drive", str(drive)]) == 0
    written = drive / "kit-gateway-v1.hex"
    assert fb.hex_version(written) == 1
    assert fb.files_in(written)["main.py"] == (FIRMWARE / "gateway.py").read_text()


def test_the_firmware_ships_inside_the_package() -> None:
    from kit.drivers.firmware_files import PACKAGED, firmware_dir

    assert firmware_dir() == PACKAGED and PACKAGED.is_relative_to(Path(fb.__file__).parent)
    assert {"controller.py", "kitinput.py", "gateway.py", "kitproto.py", "robot.ts"} <= \
        {p.name for p in PACKAGED.iterdir()}
