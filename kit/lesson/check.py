"""Load a lesson file and report every problem in it at once, as ``path:line:col: message``.

::

    lesson = load_lesson("lessons/robot-relay.yaml")      # raises LessonInvalid
    problems = check_text(text, "maze.yaml")              # list of "maze.yaml:14:9: ..."
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError

from kit.activities import catalog
from kit.errors import KitError
from kit.lesson import schema
from kit.lesson.schema import Lesson
from kit.lesson.yamlsafe import Document, Path, Problem, load


class LessonInvalid(KitError, ValueError):
    """A lesson file with problems; ``problems`` holds each ``path:line:col: message``."""

    def __init__(self, path: str, problems: list[str]) -> None:
        n = len(problems)
        super().__init__(f"{path}: {n} problem{'s' if n != 1 else ''}:\n" + "\n".join(problems))
        self.path = path
        self.problems = problems


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_text(text: str, path: str = "<lesson>") -> tuple[Lesson | None, list[str]]:
    """Parse and validate; returns the lesson (``None`` if any problem) and all problems."""
    doc, problems = load(text)
    if doc is not None:
        problems += _validate(doc)
    problems.sort(key=lambda p: (p.line, p.col))
    out = [p.format(path) for p in _unique(problems)]
    if out or doc is None:
        return None, out
    return Lesson.model_validate(doc.data, context=_context(doc.data)), []


def load_lesson(path: str | FsPath) -> Lesson:
    """The lesson in ``path``, or :class:`LessonInvalid` listing every problem."""
    p = FsPath(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LessonInvalid(str(path), [f"{path}:1:1: cannot read the file ({e})"]) from e
    lesson, problems = check_text(text, str(path))
    if lesson is None:
        raise LessonInvalid(str(path), problems)
    return lesson


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def _context(data: Any) -> dict[str, Any]:
    langs: list[str] = []
    if isinstance(data, dict) and isinstance(data.get("meta"), dict):
        got = data["meta"].get("languages")
        if isinstance(got, list):
            langs = [x for x in got if isinstance(x, str) and x in schema.LANGUAGES]
    return {"languages": langs}


def _validate(doc: Document) -> list[Problem]:
    data = doc.data
    if not isinstance(data, dict):
        return [Problem(1, 1, "a lesson file must start with keys such as 'kit_lesson: 1' "
                              "and 'meta:'")]
    problems: list[Problem] = []
    try:
        lesson = Lesson.model_validate(data, context=_context(data))
    except ValidationError as e:
        lesson = None
        for err in e.errors(include_url=False):
            problems.append(_problem(doc, err))
    problems += _whole_file(doc, lesson)
    return problems


# Pydantic errors, in words a teacher can act on ---------------------------------------------

def _walk(doc: Document, loc: tuple[Any, ...]) -> tuple[Path, Any]:
    """The data path of a pydantic ``loc`` (dropping union tags) and the model found there."""
    data: Any = doc.data
    model: Any = Lesson
    path: list[str | int] = []
    for elem in loc:
        in_step = len(path) == 2 and path[0] == "steps"
        if in_step and isinstance(elem, str) and elem in schema.STEP_MODELS:
            model = schema.STEP_MODELS[elem]
        elif isinstance(data, dict) and elem in data:
            path.append(elem)
            data = data[elem]
            model = _field_model(model, elem)
        elif isinstance(data, list) and isinstance(elem, int) and 0 <= elem < len(data):
            path.append(elem)
            data = data[elem]
        else:
            path.append(elem)
            model = _field_model(model, elem)
            data = None
    return tuple(path), model


def _field_model(model: Any, name: Any) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    field = model.model_fields.get(name) if isinstance(name, str) else None
    if field is None:
        return None
    return _find_model(field.annotation)


def _find_model(tp: Any) -> Any:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(tp):
            found = _find_model(arg)
            if found is not None:
                return found
    return None


def _problem(doc: Document, err: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    path, model = _walk(doc, loc)
    value = err.get("input")
    ctx = err.get("ctx") or {}
    where = str(path[-1]) if path else "lesson"
    if len(path) > 1 and isinstance(path[-1], int):
        where = f"{path[-2]} item {path[-1] + 1}"
    if kind == "missing":
        line, col = doc.where(path[:-1])
        return Problem(line, col, f"missing required key '{where}'")
    if kind == "extra_forbidden":
        pmodel = _walk(doc, loc[:-1])[1]
        fields = list(pmodel.model_fields) if isinstance(pmodel, type) and issubclass(
            pmodel, BaseModel) else []
        if fields and "type" in fields:
            fields.remove("type")
        line, col = doc.where(path, key=True)
        return Problem(line, col, f"unknown key '{where}'{did_you_mean(where, fields)}")
    line, col = doc.where(path)
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        line, col = doc.where((*path, "type"))
        return Problem(line, col, f"unknown step type '{tag}'"
                       f"{did_you_mean(tag, schema.STEP_MODELS)}; use one of: "
                       f"{', '.join(sorted(schema.STEP_MODELS))}")
    if kind == "union_tag_not_found":
        return Problem(line, col, "this step has no 'type' (show, activity, robot, unplugged, "
                                  "vote, reflect or break)")
    if kind == "literal_error" and where == "kit_lesson":
        return Problem(line, col, f"kit_lesson: this kit reads lesson format "
                                  f"{schema.SCHEMA_VERSION}, not '{value}'")
    if kind in ("too_long", "too_short"):
        n = ctx.get("actual_length")
        limit = ctx.get("max_length") if kind == "too_long" else ctx.get("min_length")
        word = "at most" if kind == "too_long" else "at least"
        return Problem(line, col, f"{where}: has {n} item{'s' if n != 1 else ''}; "
                                  f"{word} {limit} allowed")
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        return Problem(line, col, f"{where}: '{value}' is not allowed"
                       f"{did_you_mean(value, options)}; use one of: {', '.join(options)}")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return Problem(line, col, f"{where}: '{value}' is not a whole number")
    if kind in ("float_parsing", "float_type"):
        return Problem(line, col, f"{where}: '{value}' is not a number")
    if kind in ("bool_parsing", "bool_type"):
        return Problem(line, col, f"{where}: write true or false, not '{value}'")
    if kind == "string_type" and value is None:
        return Problem(line, col, f"{where}: has no text; if this is inside {{...}}, a comma "
                                  "there starts a new entry: put the text in quotes")
    if kind == "string_type":
        return Problem(line, col, f"{where}: should be text, not {_shape(value)}")
    if kind == "dict_type":
        hint = " (a text for pupils needs one line per language, e.g. 'en: ...')" if (
            model is None and isinstance(value, str)) else ""
        return Problem(line, col, f"{where}: should be a group of 'key: value' lines, not "
                                  f"{_shape(value)}{hint}")
    if kind == "list_type":
        return Problem(line, col, f"{where}: should be a list (lines starting with '- '), "
                                  f"not {_shape(value)}")
    if kind == "model_type":
        return Problem(line, col, f"{where}: should be a group of 'key: value' lines, not "
                                  f"{_shape(value)}")
    if kind == "string_pattern_mismatch" and where == "ages":
        return Problem(line, col, f"ages: '{value}' should be a range like 8-11")
    if kind == "string_pattern_mismatch" and where == "starts_at":
        return Problem(line, col, f"starts_at: '{value}' should be a time like 12:30")
    msg = str(err["msg"])
    if msg.startswith("Input should be"):
        msg = f"'{value}' should be" + msg[len("Input should be"):]
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return Problem(line, col, f"{where}: {msg}")


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of keys"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"'{value}'"


# Checks across the whole file ---------------------------------------------------------------

def _whole_file(doc: Document, lesson: Lesson | None) -> list[Problem]:
    data = doc.data
    out: list[Problem] = []
    steps = data.get("steps") if isinstance(data.get("steps"), list) else []
    seen: dict[str, int] = {}
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        sid = step.get("id")
        if isinstance(sid, str):
            if sid in seen:
                out.append(Problem(*doc.where(("steps", i, "id")),
                                   f"duplicate step id '{sid}' (also step {seen[sid] + 1})"))
            else:
                seen[sid] = i
        if step.get("type") == "activity":
            out += _activity(doc, i, step)
    teams = data.get("teams")
    if isinstance(teams, dict) and isinstance(teams.get("roles"), list):
        roles: set[str] = set()
        for i, role in enumerate(teams["roles"]):
            rid = role.get("id") if isinstance(role, dict) else None
            if isinstance(rid, str):
                if rid in roles:
                    out.append(Problem(*doc.where(("teams", "roles", i, "id")),
                                       f"duplicate role id '{rid}'"))
                roles.add(rid)
    req = data.get("requires")
    if isinstance(req, dict) and isinstance(req.get("activities"), list):
        for i, name in enumerate(req["activities"]):
            if catalog.params_model(str(name)) is None:
                out.append(Problem(*doc.where(("requires", "activities", i)),
                                   f"unknown activity '{name}'"
                                   f"{did_you_mean(name, catalog.names())}"))
    if lesson is not None:
        out += _budget(doc, lesson)
    return out


def _activity(doc: Document, i: int, step: dict[str, Any]) -> list[Problem]:
    name = step.get("activity")
    if not isinstance(name, str):
        return []
    model = catalog.params_model(name)
    if model is None:
        return [Problem(*doc.where(("steps", i, "activity")),
                        f"unknown activity '{name}'{did_you_mean(name, catalog.names())}; "
                        f"kit has: {', '.join(catalog.names())}")]
    out = []
    req = doc.data.get("requires")
    listed = req.get("activities") if isinstance(req, dict) else None
    if isinstance(listed, list) and name not in listed:
        out.append(Problem(*doc.where(("steps", i, "activity")),
                           f"activity '{name}' is used here but not listed in "
                           "requires.activities (the preflight checks that list)"))
    params = step.get("params", {})
    if not isinstance(params, dict):
        return out
    try:
        model.model_validate(params)
    except ValidationError as e:
        for err in e.errors(include_url=False):
            loc = tuple(err["loc"])
            path: Path = ("steps", i, "params", *loc)
            key = loc[-1] if loc else "params"
            if err["type"] == "extra_forbidden":
                out.append(Problem(*doc.where(path, key=True),
                                   f"{name} has no setting '{key}'"
                                   f"{did_you_mean(key, model.model_fields)}; it has: "
                                   f"{', '.join(model.model_fields)}"))
            else:
                msg = str(err["msg"]).replace("Input should be",
                                              f"'{err.get('input')}' should be")
                out.append(Problem(*doc.where(path), f"{name} {key}: {msg}"))
    return out


def _budget(doc: Document, lesson: Lesson) -> list[Problem]:
    out = []
    total = sum(s.time.target for s in lesson.steps)
    if total > lesson.meta.duration:
        out.append(Problem(*doc.where(("meta", "duration")),
                           f"the steps' target times add up to {schema._fmt(total)}, longer "
                           f"than the lesson's {schema._fmt(lesson.meta.duration)}"))
    for i, step in enumerate(lesson.steps):
        if isinstance(step, schema.RobotStep):
            lim = step.limits
            for j, cmd in enumerate(step.commands):
                if cmd.drive is None:
                    continue
                at = ("steps", i, "commands", j, "drive")
                if abs(cmd.drive.speed) > lim.max_speed:
                    out.append(Problem(*doc.where((*at, "speed")),
                                       f"speed {cmd.drive.speed} is above this step's safety "
                                       f"limit {lim.max_speed}"))
                if abs(cmd.drive.turn) > lim.max_turn:
                    out.append(Problem(*doc.where((*at, "turn")),
                                       f"turn {cmd.drive.turn} is above this step's safety "
                                       f"limit {lim.max_turn}"))
                if cmd.drive.seconds > lim.max_seconds:
                    out.append(Problem(*doc.where((*at, "seconds")),
                                       f"a single drive of {cmd.drive.seconds:g}s is longer "
                                       f"than this step's limit of {lim.max_seconds:g}s"))
        if step.advance == "activity-done" and not isinstance(step, schema.ActivityStep):
            out.append(Problem(*doc.where(("steps", i, "advance")),
                               "'activity-done' only fits an activity step; use teacher, "
                               "timer or all-ready"))
    return out
