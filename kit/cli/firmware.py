"""kit firmware: build ready-to-flash .hex files and copy one onto a micro:bit."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    b = sub.add_parser("build", help="write .hex files for the controller and gateway")
    b.add_argument("--out", default="firmware-hex", help="folder for the .hex files")
    b.add_argument("--program", choices=["controller", "gateway", "all"], default="all")
    b.add_argument("--board", choices=["1", "2", "all"], default="all",
                   help="micro:bit version (V2 has a touch logo on the front)")
    f = sub.add_parser("flash", help="put a program onto a plugged-in micro:bit")
    f.add_argument("file", help="'controller' or 'gateway' (kit builds the file for the board "
                   "it finds), or a .hex file such as firmware-hex/kit-controller-v2.hex")
    f.add_argument("--drive", default="",
                   help="the MICROBIT drive (default: the only one plugged in)")
    sub.add_parser("drives", help="list plugged-in MICROBIT drives")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kit.drivers import firmware_build as fb
    from kit.errors import KitError

    try:
        if args.action == "build":
            programs = ["controller", "gateway"] if args.program == "all" else [args.program]
            boards = list(fb.VERSIONS) if args.board == "all" else [int(args.board)]
            for program in programs:
                for board in boards:
                    path = fb.build(program, board, Path(args.out))
                    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
            return 0
        if args.action == "drives":
            drives = fb.find_microbit_drives()
            for d in drives:
                print(d)
            if not drives:
                print("no MICROBIT drive found: plug a micro:bit in by USB")
            return 0
        drive = Path(args.drive) if args.drive else None
        if drive is None:
            drives = fb.find_microbit_drives()
            if len(drives) != 1:
                print(f"kit firmware: found {len(drives)} MICROBIT drives; name one with "
                      "--drive (see 'kit firmware drives')")
                return 1
            drive = drives[0]
        if args.file in ("controller", "gateway"):
            import tempfile

            version = fb.board_version(drive)
            if version is None:
                print(f"kit firmware: cannot tell which micro:bit is on {drive} (no "
                      "DETAILS.TXT); name the file: firmware-hex/kit-"
                      f"{args.file}-v1.hex or -v2.hex")
                return 1
            with tempfile.TemporaryDirectory() as tmp:
                target = fb.flash(fb.build(args.file, version, Path(tmp)), drive)
        else:
            target = fb.flash(Path(args.file), drive)
        print(f"copied to {target}; the board's light flashes while it writes, then it "
              "restarts with the new program")
        return 0
    except KitError as e:
        print(f"kit firmware: {e}")
        return 1
