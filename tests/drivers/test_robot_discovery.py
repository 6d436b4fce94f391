"""Finding and binding micro:bit robots as they really advertise: flags and the name
``BBC micro:bit [zotiv]``, no service UUID; a scan that fails does not end the driver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from kit.clock import FakeClock
from kit.drivers.ble.discovery import (
    describe_target,
    discover_robots,
    friendly_name,
    matches,
    short_name,
)
from kit.drivers.ble.robot import BleRobot
from kit.drivers.inventory import ble_devices
from kit.drivers.sim.robots import RobotWorld

from .conftest import run_until


@pytest.mark.parametrize(("advertised", "short"), [
    ("BBC micro:bit [zotiv]", "zotiv"),
    ("BBC micro:bit", ""),
    ("BBC micro:bit [ZOTIV]", None),
    ("robot-1", None),
    (None, None),
])
def test_short_name_of_an_advertised_name(advertised: str | None, short: str | None) -> None:
    assert short_name(advertised) == short


def test_friendly_names_alternate_consonants_and_vowels() -> None:
    names = {friendly_name(n * 104_729) for n in range(5000)}
    assert len(names) > 1000
    for name in names:
        assert all(name[i] in "zvgpt" for i in (0, 2, 4)), name
        assert all(name[i] in "uoiea" for i in (1, 3)), name
    assert friendly_name(0) == "zuzuz"


@pytest.mark.parametrize(("target", "kind", "hit"), [
    ("zotiv", "short", True),
    ("ZOTIV", "short", True),
    ("BBC micro:bit [zotiv]", "advertised", True),
    ("e3:5a:00:11:22:10", "address", True),
    ("E3-5A-00-11-22-10", "address", True),
    ("gizog", "short", False),
    ("robot-1", "name", False),
])
def test_a_robot_answers_to_its_letters_name_or_address(target: str, kind: str,
                                                        hit: bool) -> None:
    assert describe_target(target) == kind
    assert matches(target, name="BBC micro:bit [zotiv]", address="E3:5A:00:11:22:10") is hit


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def world(clock: FakeClock) -> AsyncIterator[RobotWorld]:
    async with RobotWorld(clock=clock) as w:
        yield w


async def test_robots_are_found_by_their_micro_bit_name_without_a_service_uuid(
        world: RobotWorld) -> None:
    bot = await world.add_robot("zotiv")
    await world.add_robot("gapev")
    await world.add_stranger("hrm-22")
    found = await discover_robots(backend=world.backend, seconds=0.3)
    assert sorted(r.short for r in found.robots) == ["gapev", "zotiv"]
    assert found.others == 1
    zotiv = next(r for r in found.robots if r.short == "zotiv")
    assert zotiv.advertised == "BBC micro:bit [zotiv]" and zotiv.address == bot.address
    assert zotiv.rssi is not None
    # what `kit devices` shows the teacher
    rows = await ble_devices(backend=world.backend, seconds=0.3)
    robots = {r.short: r for r in rows if r.kind == "robot"}
    assert robots["zotiv"].name == "BBC micro:bit [zotiv]"
    assert [r.name for r in rows if r.kind == "ble-other"] == ["1 other device(s)"]


async def test_the_simulated_robot_advertises_like_a_makecode_board(world: RobotWorld) -> None:
    from bleak import BleakScanner

    bot = await world.add_robot("zotiv")
    found = await BleakScanner.discover(timeout=0.3, return_adv=True,
                                        backend=world.backend.scanner)
    _device, adv = found[bot.address]
    assert adv.local_name == "BBC micro:bit [zotiv]"
    assert adv.service_uuids == []


@pytest.mark.parametrize("how", ["short", "advertised", "address"])
async def test_bind_a_robot_by_letters_full_name_or_address(world: RobotWorld,
                                                            clock: FakeClock, how: str) -> None:
    await world.add_robot("gapev")
    bot = await world.add_robot("zotiv")
    target = {"short": "zotiv", "advertised": bot.name, "address": bot.address.lower()}[how]
    async with BleRobot(target, backend=world.backend, clock=clock) as robot:
        await asyncio.wait_for(robot.wait_connected(), 10)
        assert robot.address == bot.address
        assert bot.connected and not world.robots["gapev"].connected


async def test_a_failed_scan_is_retried_and_every_state_reported(world: RobotWorld,
                                                                 clock: FakeClock) -> None:
    await world.add_robot("zotiv")
    world.fail_scans(2)
    states: list[tuple[str, str]] = []
    async with BleRobot("zotiv", backend=world.backend, clock=clock,
                        on_state=lambda s, d: states.append((s, d))) as robot:
        await run_until(clock, lambda: robot.connected, step=0.05)
        kinds = [s for s, _ in states]
        assert kinds[:4] == ["scanning", "scan-failed", "scanning", "scan-failed"]
        assert kinds[-2:] == ["connecting", "connected"]
        assert "InProgress" in states[1][1]
    assert robot.state == "closed"
