"""The lesson loader's machinery reads any teacher-written file against its own model."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from kit.errors import KitError
from kit.lesson.located import FileInvalid, check_model, load_model
from kit.lesson.yamlsafe import Document, Problem


class Desk(BaseModel):
    model_config = ConfigDict(extra="forbid")
    controller: str
    seats: int = Field(default=1, ge=1, le=4)


class Room(BaseModel):
    model_config = ConfigDict(extra="forbid")
    room: str
    controllers: int = Field(ge=0, le=64)
    desks: list[Desk] = Field(default_factory=list)


def test_a_good_file_gives_its_model(tmp_path: Path) -> None:
    f = tmp_path / "room.yaml"
    f.write_text("room: room-7b\ncontrollers: 24\ndesks:\n  - controller: mb-1\n")
    room = load_model(f, Room)
    assert room.controllers == 24 and room.desks[0].seats == 1


def test_every_problem_comes_out_located_with_did_you_mean(tmp_path: Path) -> None:
    f = tmp_path / "room.yaml"
    f.write_text("room: room-7b\ncontrolers: 24\ndesks:\n  - controller: mb-1\n"
                 "    seats: 9\n  - {controller: mb-2, seets: 2}\nbomb: &a [*a]\n")
    room, problems = check_model(f, Room)
    assert room is None
    assert problems == [f"{f}:7:11: the alias *a is inside its own anchor &a, so it would "
                        "repeat forever; write the values out"]
    f.write_text("room: room-7b\ncontrolers: 24\ndesks:\n  - controller: mb-1\n"
                 "    seats: 9\n  - {controller: mb-2, seets: 2}\n")
    with pytest.raises(FileInvalid) as info:
        load_model(f, Room)
    assert isinstance(info.value, KitError)
    assert [p.removeprefix(f"{f}:") for p in info.value.problems] == [
        "1:1: missing required key 'controllers'",
        "2:1: unknown key 'controlers' (did you mean 'controllers'?)",
        "5:12: seats: '9' is too big; it should be less than or equal to 4",
        "6:24: unknown key 'seets' (did you mean 'seats'?)",
    ]


def test_extra_checks_run_even_when_the_model_refuses(tmp_path: Path) -> None:
    def no_duplicate_controllers(doc: Document) -> list[Problem]:
        seen: set[str] = set()
        out = []
        for i, desk in enumerate(doc.data.get("desks") or []):
            c = desk.get("controller") if isinstance(desk, dict) else None
            if c in seen:
                out.append(Problem(*doc.where(("desks", i, "controller")),
                                   f"controller {c} is on two desks"))
            seen.add(c)
        return out

    f = tmp_path / "room.yaml"
    f.write_text("room: r\ncontrollers: lots\ndesks:\n  - controller: mb-1\n"
                 "  - controller: mb-1\n")
    _, problems = check_model(f, Room, checks=[no_duplicate_controllers])
    assert [p.removeprefix(f"{f}:") for p in problems] == [
        "2:14: controllers: 'lots' is not a whole number",
        "5:17: controller mb-1 is on two desks"]
