"""BLE robots: the real bleak driver against simulated robots on bumble's virtual link."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator

import pytest

from kit.clock import FakeClock
from kit.drivers.ble import nus
from kit.drivers.ble.discovery import discover_robots
from kit.drivers.ble.robot import BleRobot, RobotReport, RobotUnavailable, stop_all
from kit.drivers.firmware_files import PACKAGED
from kit.drivers.sim.robots import Pose, RobotWorld
from kit.robot_api import (
    LED_PATTERNS,
    NAMED_TONES,
    Robot,
    SpeedLimits,
    UnknownRobotWord,
    led_image,
    tone_hz,
)

from .conftest import VECTORS

ROBOT_TS = (PACKAGED / "robot.ts").read_text(encoding="utf-8")


@pytest.mark.parametrize("v", VECTORS["robot"], ids=lambda v: v["bytes"].strip())
def test_robot_commands_encode(v: dict[str, object]) -> None:
    cmd = v["command"]
    assert isinstance(cmd, list)
    verb, args = cmd[0], cmd[1:]
    if verb == "drive":
        data = nus.drive(args[0] / 100, args[1] / 100, args[2] / 1000 if args[2] else None)
    else:
        data = getattr(nus, verb)(*args)
    assert data == str(v["bytes"]).encode()
    assert len(data) <= nus.MAX_WRITE
    decoded = nus.decode_command(data)
    assert decoded.verb == verb


@pytest.mark.parametrize("v", VECTORS["robot_reports"], ids=lambda v: v["bytes"].strip())
def test_robot_reports_decode(v: dict[str, object]) -> None:
    kind, value = v["report"]  # type: ignore[misc]
    assert nus.decode_report(str(v["bytes"]).encode()) == nus.Report(kind, value)
    assert nus.encode_report(nus.Report(kind, value)) == str(v["bytes"]).encode()


def test_pose_drives_a_quarter_circle() -> None:
    pose = Pose()
    for _ in range(100):
        pose.advance(1.0, 0.0, 0.01)
    assert pose.x == pytest.approx(0.25) and pose.y == pytest.approx(0.0)
    pose.advance(0.0, -0.5, 1.0)  # turn left half a turn-rate for a second
    assert pose.heading == pytest.approx(math.pi / 2)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def world(clock: FakeClock) -> AsyncIterator[RobotWorld]:
    async with RobotWorld(clock=clock) as w:
        yield w


async def until(cond: asyncio.Event | asyncio.Future[object]) -> None:
    await asyncio.wait_for(cond.wait() if isinstance(cond, asyncio.Event) else cond, 10)


async def test_drive_stop_led_sound(world: RobotWorld, clock: FakeClock) -> None:
    bot = await world.add_robot("zotiv")
    got = asyncio.Event()
    bot.on_command = lambda c: got.set()
    async with BleRobot("zotiv", backend=world.backend, clock=clock,
                        limits=SpeedLimits(max_speed=0.5)) as robot:
        assert isinstance(robot, Robot)
        await until_connected(robot)
        await robot.drive(1.0, 0.0, seconds=1.0)
        await until(got)
        assert bot.speed == 0.5  # clamped to the class's limit
        await clock.advance(0.5)
        assert bot.pose.x == pytest.approx(0.5 * 0.25 * 0.5, abs=0.01)
        await clock.advance(0.6)
        assert not bot.moving  # it stopped after its second
        got.clear()
        await robot.led("HEART")
        await until(got)
        got.clear()
        await robot.sound("440")
        await until(got)
        assert bot.leds == "HEART" and bot.tones == ["440"]
        assert bot.oversize_writes == 0


async def test_a_lessons_led_and_sound_words_reach_the_robot_as_its_program_knows_them(
        world: RobotWorld, clock: FakeClock) -> None:
    bot = await world.add_robot("zotiv")
    got = asyncio.Event()
    bot.on_command = lambda c: got.set()
    async with BleRobot("zotiv", backend=world.backend, clock=clock) as robot:
        await until_connected(robot)
        for word in ("quarter-note", "smile"):
            got.clear()
            await robot.led(word)
            await until(got)
        got.clear()
        await robot.sound("beep")
        await until(got)
        assert [c.arg for c in bot.commands] == ["QUARTER_NOTE", "HAPPY", "880"]
        with pytest.raises(UnknownRobotWord, match="'hart'; a robot knows: angry, "):
            await robot.led("hart")
        with pytest.raises(UnknownRobotWord, match="'whistle'; a robot knows: beep, "):
            await robot.sound("whistle")
        assert len(bot.commands) == 3  # nothing was sent for either


@pytest.mark.parametrize("word", sorted(LED_PATTERNS))
def test_every_led_pattern_fits_the_wire_and_the_robot_program_shows_it(word: str) -> None:
    image = led_image(word)
    assert led_image(image) == image  # the driver also reads the robot's own spelling
    assert len(nus.led(image)) <= nus.MAX_WRITE
    assert nus.decode_command(nus.led(image)) == nus.Command("led", arg=image)
    assert f'case "{image}": basic.showIcon(IconNames.' in ROBOT_TS


@pytest.mark.parametrize(("tone", "hz"), [*NAMED_TONES.items(), ("440", 440), ("BEEP", 880)])
def test_sounds_are_played_as_frequencies(tone: str, hz: int) -> None:
    assert tone_hz(tone) == hz
    assert nus.decode_command(nus.sound(str(hz))).arg == str(hz)


@pytest.mark.parametrize("tone", ["whistle", "0", "19", "20001", "-440", "4.4", "٤٤٠"])
def test_a_sound_no_robot_can_play_is_refused_with_what_it_can(tone: str) -> None:
    with pytest.raises(UnknownRobotWord) as e:
        tone_hz(tone)
    assert e.value.word == tone and e.value.known == sorted(NAMED_TONES)
    assert str(e.value).endswith("or a pitch in Hz such as '440' (20 to 20000)")


async def until_connected(robot: BleRobot) -> None:
    await asyncio.wait_for(robot.wait_connected(), 10)


async def test_link_cut_during_drive_stops_robot_and_driver_reconnects(
        world: RobotWorld, clock: FakeClock) -> None:
    bot = await world.add_robot("zotiv")
    reports: asyncio.Queue[RobotReport] = asyncio.Queue()
    got = asyncio.Event()
    bot.on_command = lambda c: got.set()
    async with BleRobot("zotiv", backend=world.backend, clock=clock,
                        on_report=reports.put_nowait) as robot:
        await until_connected(robot)
        assert (await reports.get()).kind == "connected"
        await robot.drive(0.5)  # until told otherwise, kept alive by the driver
        await until(got)
        await clock.advance(1.0)
        assert bot.moving  # the keep-alive holds off the watchdog
        await bot.out_of_range()
        assert not bot.moving  # the robot stopped the moment its link dropped
        lost = await asyncio.wait_for(reports.get(), 10)
        assert lost.kind == "link-lost"
        back = await asyncio.wait_for(reports.get(), 10)
        assert back.kind == "reconnected" and robot.reconnects == 1 and robot.connected
        assert not bot.moving  # reconnecting does not start it again
        assert bot.connections == 2


async def test_watchdog_stops_a_robot_whose_commands_stop(
        world: RobotWorld, clock: FakeClock) -> None:
    bot = await world.add_robot("zotiv")
    got = asyncio.Event()
    bot.on_command = lambda c: got.set()
    reports: asyncio.Queue[RobotReport] = asyncio.Queue()
    async with BleRobot("zotiv", backend=world.backend, clock=clock, keepalive=None,
                        on_report=reports.put_nowait) as robot:
        await until_connected(robot)
        await reports.get()
        await robot.drive(0.5)
        await until(got)
        await clock.advance(0.3)
        assert bot.moving
        await clock.advance(0.2)
        assert not bot.moving
        assert (await asyncio.wait_for(reports.get(), 10)).kind == "watchdog"


async def test_battery_low_is_reported_and_slows_the_robot(
        world: RobotWorld, clock: FakeClock) -> None:
    bot = await world.add_robot("zotiv")
    reports: asyncio.Queue[RobotReport] = asyncio.Queue()
    async with BleRobot("zotiv", backend=world.backend, clock=clock,
                        limits=SpeedLimits(max_speed=1.0),
                        on_report=reports.put_nowait) as robot:
        await until_connected(robot)
        await reports.get()
        bot.battery_low(2900)
        rep = await asyncio.wait_for(reports.get(), 10)
        assert rep.kind == "battery" and robot.battery_mv == 2900
        got = asyncio.Event()
        bot.on_command = lambda c: got.set()
        await robot.drive(1.0, seconds=1)
        await until(got)
        assert bot.speed == 0.5


async def test_several_robots_and_stop_all(world: RobotWorld, clock: FakeClock) -> None:
    bots = [await world.add_robot() for _ in range(3)]
    robots = [BleRobot(b.short, backend=world.backend, clock=clock) for b in bots]
    for r in robots:
        await r.__aenter__()
    try:
        for r in robots:
            await until_connected(r)
        moving = asyncio.Event()
        for b in bots:
            b.on_command = lambda c: moving.set() if all(x.moving for x in bots) else None
        for r in robots:
            await r.drive(0.4)
        await until(moving)
        stopped = asyncio.Event()
        for b in bots:
            b.on_command = lambda c: stopped.set() if not any(x.moving for x in bots) else None
        assert await stop_all(robots) == []
        await until(stopped)
    finally:
        for r in robots:
            await r.close()


async def test_unknown_devices_are_counted_not_fatal(world: RobotWorld,
                                                     clock: FakeClock) -> None:
    await world.add_robot("zotiv")
    await world.add_stranger("hrm-22")
    await world.add_stranger("mb-gizog", uart=True)  # a UART service but no robot program
    found = await discover_robots(backend=world.backend, seconds=0.3)
    names = [r.advertised for r in found.robots]
    assert "BBC micro:bit [zotiv]" in names and found.others == 1
    reports: asyncio.Queue[RobotReport] = asyncio.Queue()
    async with BleRobot("mb-gizog", backend=world.backend, clock=clock,
                        on_report=reports.put_nowait) as stranger:
        rep = await asyncio.wait_for(reports.get(), 10)
        assert rep.kind == "not-a-robot"
        with pytest.raises(RobotUnavailable, match="not connected"):
            await stranger.drive(0.5)
