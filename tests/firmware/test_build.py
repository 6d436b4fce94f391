"""kit firmware build and flash: .hex files holding our scripts, copied to a MICROBIT drive."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.cli import main
from kit.drivers import firmware_build as fb

FIRMWARE = Path(__file__).parents[2] / "firmware"


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
