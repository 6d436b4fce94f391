"""kit gateway: bridge the radio gateway micro:bit (USB serial) to the classroom hub.

With ``--sim N`` a simulated gateway and N simulated pupils' micro:bits (running the real
firmware) stand in for the hardware: the pupils press now and then while a lesson runs. Lines on
standard input act on them, for rehearsing what happens when a micro:bit goes away:
``off 3`` (pupil 3's micro:bit loses power), ``on 3`` (it comes back), ``press 3 A``.
"""

from __future__ import annotations

import argparse
from typing import Any

from kit.cli._common import add_classroom, add_verbose, setup_logging


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_classroom(p)
    p.add_argument("--port", default="",
                   help="serial port of the gateway micro:bit (default: the set-up's, or find "
                        "it by its USB id)")
    p.add_argument("--sim", type=int, default=0, metavar="N",
                   help="rehearse with a simulated gateway and N simulated pupils' controllers")
    p.add_argument("--presses", type=int, default=0, metavar="K",
                   help="with --sim: each pupil presses K times while a lesson runs, then stops "
                        "(default: on and on)")
    p.add_argument("--leave-after", type=float, default=10.0, metavar="SECONDS",
                   help="a micro:bit silent this long counts as gone (default 10)")
    p.add_argument("--id", default="gateway", help="this gateway's station id on the hub")
    add_verbose(p)


def run(args: argparse.Namespace) -> int:
    import asyncio

    setup_logging(args.verbose)
    asyncio.run(_main(args))
    return 0


async def _main(args: argparse.Namespace) -> None:
    import asyncio
    import contextlib

    from kit.classroom import compose
    from kit.classroom.lesson_cli import broker_address
    from kit.classroom.setup import load_classroom
    from kit.drivers.microbit.link import named_port, usb_ports
    from kit.protocol.ids import check_id

    classroom = load_classroom(args.classroom)
    room = check_id(args.room or classroom.room, "room")
    address = broker_address(args.broker, classroom)
    port = args.port or (classroom.gateway.port if classroom.gateway.port != "auto" else "")
    finder: Any = named_port(port) if port else usb_ports
    async with contextlib.AsyncExitStack() as stack:
        tasks: list[asyncio.Task[Any]] = []
        if args.sim:
            radio = await stack.enter_async_context(compose.sim_radio(args.sim))
            finder = radio.finder
            pupils = SimClass(radio.controllers, presses=args.presses)
            from kit.config import station_address

            watcher = station_address(address, role="gateway", station=f"{args.id}-pupils",
                                      room=room)
            tasks.append(asyncio.create_task(pupils.run(watcher, room), name="sim-pupils"))
            tasks.append(asyncio.create_task(pupils.control(), name="sim-control"))
        print(f"kit gateway: bridging {'the simulated gateway' if args.sim else 'the gateway'}"
              f" to {address.url} room {room}; Ctrl-C stops", flush=True)
        try:
            await compose.run_gateway(address, room=room, finder=finder, station=args.id,
                                      leave_after=args.leave_after)
        finally:
            for t in tasks:
                t.cancel()


class SimClass:
    """Pretend pupils on simulated micro:bits: each presses A or B now and then while the room's
    lesson is running (read from its retained state), up to ``presses`` times each."""

    def __init__(self, controllers: list[Any], *, presses: int = 0, seed: int = 7) -> None:
        import random

        self.controllers = controllers
        self.limit = presses
        self.made = [0] * len(controllers)
        self.rng = random.Random(seed)
        self.running = False

    async def run(self, address: Any, room: str) -> None:
        import asyncio
        import contextlib
        import json

        import aiomqtt

        from kit.link import mqtt
        from kit.protocol import topics

        async def watch() -> None:
            delay = 0.25
            while True:
                # The link comes back after an outage, and a credential made a moment ago
                # may be refused until the hub's broker has reloaded its password file.
                with contextlib.suppress(aiomqtt.MqttError):
                    async with mqtt.client(address) as client:
                        await client.subscribe(topics.lesson_state(room), qos=1)
                        delay = 0.25
                        async for m in client.messages:
                            with contextlib.suppress(ValueError, AttributeError):
                                state = json.loads(bytes(m.payload))
                                self.running = state.get("status") == "running"
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

        watcher = asyncio.create_task(watch(), name="lesson-watch")
        try:
            announced = False
            while True:
                await asyncio.sleep(self.rng.uniform(0.1, 0.4))
                if not self.running:
                    continue
                open_ = [i for i, n in enumerate(self.made) if not self.limit or n < self.limit]
                if not open_:
                    if not announced:
                        print(f"kit gateway: simulated pupils pressed {sum(self.made)} times",
                              flush=True)
                        announced = True
                    continue
                i = self.rng.choice(open_)
                c = self.controllers[i]
                if c.pending < 4 and c.board.powered:
                    c.press(self.rng.choice("AAB"))
                    self.made[i] += 1
        finally:
            watcher.cancel()

    async def control(self) -> None:
        """``off N``, ``on N`` and ``press N A`` lines on standard input."""
        import asyncio
        import sys

        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        try:
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                         sys.stdin)
        except (ValueError, OSError):
            return  # no standard input to read (a terminal or /dev/null is fine too)
        while line := await reader.readline():
            words = line.decode(errors="replace").split()
            if len(words) < 2 or not words[1].isdigit():
                continue
            n = int(words[1])
            if not 1 <= n <= len(self.controllers):
                print(f"kit gateway: there is no pupil {n}", flush=True)
                continue
            c = self.controllers[n - 1]
            if words[0] == "off":
                await c.power_off()
                print(f"kit gateway: {c.controller} is off", flush=True)
            elif words[0] == "on":
                await c.power_on()
                print(f"kit gateway: {c.controller} is on", flush=True)
            elif words[0] == "press" and len(words) > 2:
                c.press(words[2].upper())
