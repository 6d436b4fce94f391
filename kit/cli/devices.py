"""kit devices: list micro:bits and robots, real and simulated, with their state."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sim", action="store_true",
                   help="show a simulated classroom (gateway, controllers, robots) instead")
    p.add_argument("--scan", type=float, default=2.0, metavar="SECONDS",
                   help="how long to listen for Bluetooth robots (0: do not scan)")
    p.add_argument("--json", action="store_true", help="one JSON object per device")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    from dataclasses import asdict

    from kit.drivers import inventory

    if args.sim:
        devices = asyncio.run(inventory.simulated(seconds=max(args.scan, 0.5)))
    else:
        devices = inventory.serial_microbits()
        if args.scan > 0:
            devices += asyncio.run(inventory.ble_devices(seconds=args.scan))
    if args.json:
        for d in devices:
            print(json.dumps(asdict(d)))
        return 0
    if not devices:
        print("no micro:bits or robots found: plug the gateway in by USB, switch robots on")
        return 0
    widths = [max(len(getattr(d, f)) for d in devices) for f in ("kind", "name", "where")]
    for d in devices:
        print(f"{d.kind:<{widths[0]}}  {d.name:<{widths[1]}}  {d.where:<{widths[2]}}  {d.state}")
    shorts = [d.short for d in devices if d.kind == "robot" and d.short]
    if shorts:
        print(f"bind a team to a robot by its five letters ({', '.join(shorts)}), its full "
              "name or its address in the classroom set-up")
    return 0
