"""The bridge through a real broker: presses arrive on the input topics once, in order, and
a teacher's command reaches a pupil's controller."""

from __future__ import annotations

import asyncio
import contextlib

from kit.clock import FakeClock
from kit.config import BrokerAddress, station_address
from kit.drivers.bridge import GatewayBridge
from kit.drivers.microbit.link import GatewayLink
from kit.drivers.sim.air import Air
from kit.drivers.sim.microbits import SimController, SimGateway
from kit.link import mqtt
from kit.link.station import Station
from kit.protocol import topics
from kit.protocol.inputs import Input, decode_input

from .conftest import run_until


async def test_presses_through_the_embedded_broker(
        embedded: BrokerAddress, creds: dict[str, str], gateway: SimGateway, air: Air,
        clock: FakeClock) -> None:
    room = "room-1"
    got: list[Input] = []
    listener = mqtt.client(station_address(embedded, role="hub", station="hub-listener", room=room))
    async with listener:
        await listener.subscribe(topics.all_inputs(room), qos=1)

        async def listen() -> None:
            async for m in listener.messages:
                got.append(decode_input(bytes(m.payload)))  # type: ignore[arg-type]

        listening = asyncio.create_task(listen())
        async with (Station(station_address(embedded, role="gateway",
                                            station="gateway-1", room=room),
                room=room, station="gateway-1",
                            subscriptions=(f"{topics.PREFIX}/{room}/station/+/+/set",)) as st,
                    GatewayLink(finder=gateway.finder, clock=clock) as link):
            await st.connected()
            bridge = GatewayBridge(link, st, room=room, clock=clock)
            bridging = asyncio.create_task(bridge.run(st.messages()))
            ctrls = [SimController(i + 1, air=air, clock=clock) for i in range(3)]
            for c in ctrls:
                await c.power_on()
            for _ in range(5):
                for c in ctrls:
                    c.press("A")
                await clock.advance(0.03)
            await run_until(clock, lambda: len(got) == 18)
            for c in ctrls:
                assert [i.seq for i in got if i.controller == c.controller] == list(range(6))
            teacher = mqtt.client(station_address(embedded, role="teacher",
                                                  station="teacher-1", room=room))
            async with teacher:
                await teacher.publish(topics.station_command(room, ctrls[0].controller, "seat"),
                                      b"12", qos=1)
            await run_until(clock, lambda: ctrls[0].display == "12")
            bridging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bridging
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
