"""Teacher controls from the console keyboard."""

from __future__ import annotations

import asyncio
import os

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
