"""``classroom.yaml``: what a classroom has, written once by the teacher.

::

    kit_classroom: 1
    room: room-7b
    hub:
      broker: embedded        # embedded, mosquitto, or mqtt://host:port of a school's broker
      port: 1883
      store: ""               # default: kit.db in the data directory
    gateway:
      port: auto              # or the serial port, e.g. /dev/ttyACM0 or COM3
    screen:
      station: screen
      language: lt
      size: full              # or a window, e.g. 1280x720
    robots:                   # which robot each team drives: the name on its display,
      orange: zotiv           # the full "BBC micro:bit [zotiv]", or its address
      sky: gupet
    microbits:                # pseudonyms given to pupils' micro:bits before class (names
      mb-a1b2c3: p-k3v9qa     # stay on the hub: kit pupil add p-k3v9qa "Greta"); others
      mb-d4e5f6: p-x7mw2c     # get a fresh pseudonym when they join

Checked like a lesson: every problem at once, as ``path:line:col``, with "did you mean".
With no file, :func:`default` gives an embedded hub on this machine and no named devices.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kit.errors import KitError
from kit.lesson.yamlsafe import Document, Problem, load
from kit.protocol.ids import ID_PATTERN

LANGUAGES = ("en", "lt", "lv", "pl", "it", "es", "bg")
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=40)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hub(Model):
    broker: str = "embedded"
    port: Annotated[int, Field(ge=1, le=65535)] = 1883
    store: str = ""

    @field_validator("broker")
    @classmethod
    def _broker(cls, v: str) -> str:
        if v in ("embedded", "mosquitto") or re.match(r"^mqtt5?://[^/\s]+$", v):
            return v
        raise ValueError("write embedded, mosquitto, or mqtt://host:port")


class Gateway(Model):
    port: str = "auto"


class Screen(Model):
    station: Id = "screen"
    language: Literal["en", "lt", "lv", "pl", "it", "es", "bg"] = "en"
    size: str = "full"

    @field_validator("size")
    @classmethod
    def _size(cls, v: str) -> str:
        if v == "full" or re.fullmatch(r"[1-9]\d{2,4}x[1-9]\d{2,4}", v):
            return v
        raise ValueError("write full, or a window size such as 1280x720")

    @property
    def window(self) -> tuple[int, int] | None:
        if self.size == "full":
            return None
        w, h = self.size.split("x")
        return int(w), int(h)


class Classroom(Model):
    kit_classroom: Literal[1] = 1
    room: Id = "room-1"
    hub: Hub = Hub()
    gateway: Gateway = Gateway()
    screen: Screen = Screen()
    robots: dict[Id, Annotated[str, Field(min_length=1, max_length=64)]] = {}
    microbits: dict[Id, Id] = {}

    @field_validator("microbits")
    @classmethod
    def _pseudonyms(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [c for c in v if not c.startswith("mb-")]
        if bad:
            raise ValueError(f"{bad[0]!r}: controllers are named mb-<six letters or digits>, as "
                             "'kit devices' lists them")
        twice = {p for p in v.values() if list(v.values()).count(p) > 1}
        if twice:
            raise ValueError(f"pseudonym {sorted(twice)[0]!r} is given to two micro:bits")
        return v


class ClassroomInvalid(KitError, ValueError):
    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.path = path
        self.problems = problems


def default() -> Classroom:
    return Classroom()


def find(path: str | Path | None = None) -> Path | None:
    """The set-up file to use: ``path``, else ``$KIT_CLASSROOM``, else ``classroom.yaml`` in
    the data directory if there is one."""
    if path:
        return Path(path)
    env = os.environ.get("KIT_CLASSROOM")
    if env:
        return Path(env)
    from kit import config

    candidate = config.home() / "classroom.yaml"
    return candidate if candidate.exists() else None


def load_classroom(path: str | Path | None = None) -> Classroom:
    """The classroom set-up in ``path`` (see :func:`find`), or the embedded defaults."""
    p = find(path)
    if p is None:
        return default()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ClassroomInvalid(str(p), [f"{p}: no such file; write one (see 'kit classroom "
                                        "example') or leave --classroom out"]) from e
    except UnicodeDecodeError as e:
        line = text_line(p.read_bytes(), e.start)
        raise ClassroomInvalid(str(p), [f"{p}:{line[0]}:{line[1]}: this byte is not UTF-8; "
                                        "save the file as UTF-8"]) from e
    except OSError as e:
        raise ClassroomInvalid(str(p), [f"{p}: cannot read the file ({e})"]) from e
    classroom, problems = check_text(text, str(p))
    if classroom is None:
        raise ClassroomInvalid(str(p), problems)
    return classroom


def text_line(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def check_text(text: str, path: str = "classroom.yaml") -> tuple[Classroom | None, list[str]]:
    doc, problems = load(text)
    if doc is None or problems:
        return None, [p.format(path) for p in problems]
    try:
        return Classroom.model_validate(doc.data), []
    except ValidationError as e:
        found = [_problem(doc, err) for err in e.errors()]
        found.sort(key=lambda p: (p.line, p.col))
        return None, [p.format(path) for p in found]


def _problem(doc: Document, err: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        line, col = doc.where(loc, key=True)
        parent = _model_at(loc[:-1])
        hint = ""
        if parent is not None:
            close = difflib.get_close_matches(str(loc[-1]), list(parent.model_fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else \
                f" (known: {', '.join(parent.model_fields)})"
        return Problem(line, col, f"unknown setting '{loc[-1]}'{hint}")
    line, col = doc.where(loc)
    where = ".".join(str(x) for x in loc) or "the file"
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind == "literal_error" and loc and loc[-1] == "language":
        close = difflib.get_close_matches(str(err.get("input")), LANGUAGES, n=1)
        message = f"unknown language {err.get('input')!r}" + \
            (f" (did you mean '{close[0]}'?)" if close else f"; use one of {', '.join(LANGUAGES)}")
    elif kind == "string_pattern_mismatch":
        message = (f"{err.get('input')!r} is not a valid id: use lower-case letters, digits and "
                   "'-', e.g. room-7b")
    return Problem(line, col, f"{where}: {message}")


def _model_at(loc: tuple[Any, ...]) -> type[Model] | None:
    model: Any = Classroom
    for part in loc:
        field = model.model_fields.get(part)
        if field is None or not (isinstance(field.annotation, type)
                                 and issubclass(field.annotation, Model)):
            return None
        model = field.annotation
    return model  # type: ignore[no-any-return]


EXAMPLE = __doc__.split("::", 1)[1].split("Checked like", 1)[0].strip("\n") + "\n" \
    if __doc__ else ""
EXAMPLE = "\n".join(line[4:] for line in EXAMPLE.splitlines()) + "\n"
