"""The frame loop on an injected clock, headless, with simulated pupils and key sets."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pygame
import pytest

from kit.activities import catalog
from kit.activities.inputs import InputQueue, KeySets, SimPupils
from kit.activities.recording import MemoryRecorder
from kit.activities.runner import Runner
from kit.activities.session import Session
from kit.cli import main
from kit.clock import FakeClock


async def test_frames_follow_the_clock_and_simulated_pupils_play(tmp_path: Path) -> None:
    clock = FakeClock()
    rec = MemoryRecorder()
    session = Session(catalog.activity_class("pixel-mural"),
                      catalog.PixelMuralParams(paints_per_turn=1, turn_seconds=5),
                      recorder=rec)
    queue = InputQueue()
    sims = SimPupils(6, rate=2.0, gestures=("A",))
    for inp in sims.hello():
        queue.put(inp)
    runner = Runner(session, pygame.Surface((640, 360)), queue=queue, clock=clock, sims=sims,
                    fps=30)
    runner.frame()
    assert len(session.seats) == 6
    session.command("start")
    task = asyncio.create_task(runner.run(3.0))
    while not task.done():
        await clock.advance(1 / 30)
    await task
    assert 85 <= runner.frames <= 95
    painters = {e.pupil for e in rec.of("contribution")}
    assert len(painters) >= 4  # turns went round: many pupils painted
    shot = runner.screenshot(tmp_path / "shot.png")
    assert pygame.image.load(str(shot)).get_size() == (640, 360)


def test_key_sets_become_kit_input_and_teacher_keys_become_commands() -> None:
    keys = KeySets()
    a = keys.press("q")
    assert a is not None and not isinstance(a, str)
    assert (a.controller, a.gesture) == ("kb-1", "A")
    both = keys.press("w")  # q still held: A+B
    assert both is not None and not isinstance(both, str) and both.gesture == "AB"
    keys.release("q")
    keys.release("w")
    assert keys.press("space") == "start" and keys.press("f5") == "pause"
    assert keys.press("k") is None


def test_cli_runs_an_activity_headless_and_saves_a_screenshot(
        tmp_path: Path, kit_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shot = tmp_path / "out.png"
    code = main(["activity", "run", "story-chain", "--sim", "--players", "4", "--headless",
                 "--seconds", "0.3", "--start-after", "0.1", "--size", "640x360",
                 "--screenshot", str(shot), "--set", "panels=3"])
    assert code == 0 and shot.exists()
    assert main(["activity", "list"]) == 0
    out = capsys.readouterr().out
    assert "pixel-mural" in out and "robot-relay" in out and "story-chain" in out


def test_cli_explains_a_misspelt_activity(kit_home: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["activity", "run", "pixel-mrual", "--sim", "--headless"]) == 2
    assert "did you mean 'pixel-mural'" in capsys.readouterr().err


def test_cli_explains_a_bad_setting(kit_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["activity", "run", "pixel-mural", "--sim", "--headless",
                 "--set", "rounds=0"]) == 2
    assert "rounds" in capsys.readouterr().err


def test_the_catalogue_and_session_logic_import_no_pygame() -> None:
    import subprocess
    import sys

    code = ("import sys, kit.activities, kit.activities.catalog, kit.activities.session, "
            "kit.activities.pixel_mural, kit.activities.robot_relay, "
            "kit.activities.class_orchestra, kit.activities.story_chain, kit.cli.activity; "
            "print('pygame' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_esc_on_the_end_screen_closes_a_windowed_screen() -> None:
    session = Session(catalog.activity_class("story-chain"), catalog.StoryChainParams(),
                      recorder=MemoryRecorder())
    pygame.display.init()
    runner = Runner(session, pygame.display.set_mode((320, 180)), keys=KeySets(),
                    windowed=True)
    session.command("end")
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))
    runner.frame()
    assert runner.quit
