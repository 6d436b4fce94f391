"""Teacher controls from the console keyboard."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

from kit.lesson.console import key_command, keyboard


def test_keys_map_to_teacher_commands() -> None:
    assert key_command("p\n") == "pause"
    assert key_command(" N ") == "skip"
    assert key_command("q") == "end"
    assert key_command("") is None
    assert key_command("x") is None


async def test_keyboard_lines_reach_the_engine_in_order() -> None:
    class Engine:
        def __init__(self) -> None:
            self.commands: list[str] = []

        async def command(self, name: str, arg: str = "") -> bool:
            self.commands.append(name)
            return True

    engine = Engine()
    read_fd, write_fd = os.pipe()
    task = asyncio.create_task(keyboard(engine, read_fd))
    os.write(write_fd, b"p\nhello\nr\nn")
    os.write(write_fd, b"\n")
    os.close(write_fd)  # end of input ends the reader
    await asyncio.wait_for(task, 5)
    os.close(read_fd)
    assert engine.commands == ["pause", "resume", "skip"]


class _Recorder:
    def __init__(self) -> None:
        self.commands: list[tuple[str, str]] = []
        self.notice: str | None = None

    async def command(self, name: str, arg: str = "") -> bool:
        self.commands.append((name, arg))
        return True


async def test_the_keys_are_listed_on_screen_and_every_key_answers() -> None:
    engine = _Recorder()
    shown: list[str] = []
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"e 120\nx\nq\n")
    os.close(write_fd)
    await asyncio.wait_for(keyboard(engine, read_fd, out=shown.append), 5)
    os.close(read_fd)
    assert shown[0].startswith("keys: ") and "[p] pause all" in shown[0]
    assert "[l] lock/unlock joining" in shown[0]
    assert engine.commands == [("extend", "120"), ("end", "")]
    assert "'x' is not a key" in shown[2] and len(shown) == 4


async def test_keys_work_from_a_file_as_well(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("p\nr\nl\n")
    engine = _Recorder()
    with keys.open("rb") as f:
        await asyncio.wait_for(keyboard(engine, f.fileno(), out=lambda _: None), 5)
    assert [n for n, _ in engine.commands] == ["pause", "resume", "lock"]


async def test_in_a_terminal_a_key_acts_without_enter_and_l_toggles_the_lock() -> None:
    import termios

    from kit.clock import FakeClock
    from kit.lesson.check import load_lesson
    from kit.lesson.engine import Engine, MemorySink

    engine = Engine(load_lesson(Path(__file__).parent / "base.yaml"), clock=FakeClock(),
                    sink=MemorySink())
    controller, terminal = os.openpty()
    before = termios.tcgetattr(terminal)
    shown: asyncio.Queue[str] = asyncio.Queue()
    task = asyncio.create_task(keyboard(engine, terminal, out=shown.put_nowait))
    assert (await asyncio.wait_for(shown.get(), 10)).startswith("keys: ")
    os.write(controller, b"l")  # no Enter
    assert (await asyncio.wait_for(shown.get(), 10)).startswith("joining locked")
    assert engine.roster.locked
    os.write(controller, b"l")
    assert (await asyncio.wait_for(shown.get(), 10)).startswith("joining open")
    assert not engine.roster.locked
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert termios.tcgetattr(terminal) == before  # the terminal is given back as it was
    os.close(controller)
    os.close(terminal)


async def test_no_keyboard_at_all_is_not_an_error() -> None:
    engine = _Recorder()
    read_fd, write_fd = os.pipe()
    os.close(read_fd)
    os.close(write_fd)
    shown: list[str] = []
    await asyncio.wait_for(keyboard(engine, read_fd, out=shown.append), 5)  # a closed fd
    with open(os.devnull, "rb") as null:
        await asyncio.wait_for(keyboard(engine, null.fileno(), out=shown.append), 5)
    assert engine.commands == [] and len(shown) == 2
