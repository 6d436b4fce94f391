"""kit gateway: bridge the radio gateway micro:bit (USB serial) to the classroom hub."""

from __future__ import annotations

import argparse
from typing import Any

from kit.cli._common import add_broker, add_room, add_verbose, setup_logging


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_broker(p)
    add_room(p)
    add_verbose(p)
    p.add_argument("--port", default="",
                   help="serial port of the gateway micro:bit (default: find it by USB id)")
    p.add_argument("--sim", type=int, default=0, metavar="N",
                   help="rehearse with a simulated gateway and N simulated pupils' controllers")
    p.add_argument("--id", default="gateway-1", help="this gateway's station id on the hub")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from kit.errors import KitError

    setup_logging(args.verbose)
    try:
        asyncio.run(_main(args))
    except KeyboardInterrupt:
        return 0
    except KitError as e:
        print(f"kit gateway: {e}")
        return 1
    return 0


async def _rehearse(pupils: list[Any], clock: Any) -> None:
    """Simulated pupils press now and then, as a class would."""
    import random

    rng = random.Random()
    while True:
        await clock.sleep(rng.uniform(0.2, 1.0))
        rng.choice(pupils).press(rng.choice(["A", "B", "AB"]))


async def _main(args: argparse.Namespace) -> None:
    import asyncio
    import contextlib
    import tempfile
    from pathlib import Path

    from kit.config import BrokerAddress, station_address
    from kit.drivers.bridge import GatewayBridge
    from kit.drivers.microbit.link import GatewayLink, named_port, usb_ports
    from kit.link.station import Station
    from kit.protocol import topics

    address = station_address(BrokerAddress.parse(args.broker), role="gateway", station=args.id,
                              room=args.room)
    finder = named_port(args.port) if args.port else usb_ports
    async with contextlib.AsyncExitStack() as stack:
        if args.sim:
            from kit.clock import SystemClock
            from kit.drivers.sim.air import Air
            from kit.drivers.sim.microbits import SimController, SimGateway

            clock = SystemClock()
            air = Air()
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            gw = SimGateway(folder / "ttyKIT0", air=air, clock=clock)
            await gw.plug()
            stack.push_async_callback(gw.unplug)
            pupils = [SimController(i + 1, air=air, clock=clock) for i in range(args.sim)]
            for pupil in pupils:
                await pupil.power_on()
            rehearsal = asyncio.create_task(_rehearse(pupils, clock), name="sim-pupils")
            stack.callback(rehearsal.cancel)
            finder = gw.finder
        station = await stack.enter_async_context(Station(
            address, room=args.room, station=args.id,
            subscriptions=(f"{topics.PREFIX}/{args.room}/station/+/+/set",)))
        link = await stack.enter_async_context(GatewayLink(finder=finder))
        bridge = GatewayBridge(link, station, room=args.room)
        print(f"kit gateway: bridging {'the simulated gateway' if args.sim else 'the gateway'} "
              f"to {address.url} room {args.room}; Ctrl-C stops")
        await bridge.run(station.messages())
