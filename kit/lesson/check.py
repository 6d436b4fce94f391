"""Load a lesson file and report every problem in it at once, as ``path:line:col: message``.

::

    lesson = load_lesson("lessons/robot-relay.yaml", controllers=24)   # raises LessonInvalid
    lesson, problems = check_text(text, "maze.yaml")    # problems: ["maze.yaml:14:9: ...", ...]

The file is read by :mod:`kit.lesson.yamlsafe` (hostile YAML refused before it costs anything)
and checked by :mod:`kit.lesson.located` against :class:`~kit.lesson.schema.Lesson`. The checks
across the whole file below run on the raw data, whatever else is wrong, so one typo never hides
a speed of 0.9 or a lesson that runs over time.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any

from kit.activities import catalog
from kit.lesson import schema
from kit.lesson.located import (
    FileInvalid,
    check_model,
    check_model_text,
    did_you_mean,
    name_of,
    validate,
)
from kit.lesson.schema import Lesson
from kit.lesson.yamlsafe import Document, Path, Problem
from kit.robot_api import PITCHES

__all__ = ["LessonInvalid", "check_file", "check_text", "did_you_mean", "load_lesson"]


class LessonInvalid(FileInvalid):
    """A lesson file with problems; ``problems`` holds each ``path:line:col: message``."""


def check_text(text: str, path: str = "<lesson>", *,
               controllers: int | None = None) -> tuple[Lesson | None, list[str]]:
    """Parse and validate; the lesson (``None`` if any problem) and every problem.

    ``controllers``: how many controllers the classroom has, if known (team size and the
    lesson's needs are checked against it)."""
    return check_model_text(text, path, Lesson, checks=_checks(controllers),
                            translate=_translate, context_of=_context)


def check_file(path: str | FsPath, *,
               controllers: int | None = None) -> tuple[Lesson | None, list[str]]:
    """As :func:`check_text`, reading ``path`` (a byte that is not UTF-8 is reported where
    it is)."""
    return check_model(path, Lesson, checks=_checks(controllers), translate=_translate,
                       context_of=_context)


def load_lesson(path: str | FsPath, *, controllers: int | None = None) -> Lesson:
    """The lesson in ``path``, or :class:`LessonInvalid` listing every problem."""
    lesson, problems = check_file(path, controllers=controllers)
    if lesson is None:
        raise LessonInvalid(str(path), problems)
    return lesson


def _context(data: Any) -> dict[str, Any]:
    langs: list[str] = []
    if isinstance(data, dict) and isinstance(data.get("meta"), dict):
        got = data["meta"].get("languages")
        if isinstance(got, list):
            langs = [x for x in got if isinstance(x, str) and x in schema.LANGUAGES]
    return {"languages": langs}


# Lesson words for pydantic errors ------------------------------------------------------------

def _translate(doc: Document, err: dict[str, Any], path: Path) -> Problem | None:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    in_step = len(path) >= 2 and path[0] == "steps"
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        line, col = doc.where((*path, "type"))
        return Problem(line, col, f"unknown step type '{tag}'"
                       f"{did_you_mean(tag, schema.STEP_MODELS)}; use one of: "
                       f"{', '.join(sorted(schema.STEP_MODELS))}")
    if kind == "union_tag_not_found":
        step = value if isinstance(value, dict) else {}
        for key in step:
            if isinstance(key, str) and did_you_mean(key, ["type"]):
                line, col = doc.where((*path, key), key=True)
                return Problem(line, col, f"unknown key '{key}' (did you mean 'type'?)")
        line, col = doc.where(path)
        return Problem(line, col, "this step has no 'type' (show, activity, robot, unplugged, "
                                  "vote, reflect or break)")
    if kind == "literal_error" and path == ("kit_lesson",):
        line, col = doc.where(path)
        return Problem(line, col, f"kit_lesson: this kit reads lesson format "
                                  f"{schema.SCHEMA_VERSION}, not '{value}'")
    if kind == "missing" and in_step and len(path) == 3 and path[2] == "text":
        step = _get(doc.data, path[:2])
        if isinstance(step, dict) and step.get("type") == "break":
            line, col = doc.where(path[:2])
            return Problem(line, col, "this break has no 'text', so pupils would see an empty "
                                      "screen; add e.g. text: {en: Time for a short break}")
    if kind == "language":
        code = str(ctx.get("at_key"))
        line, col = doc.where((*path, code), key=True)
        return Problem(line, col, f"{name_of(path)}: '{code}' is not a language kit knows"
                       f"{did_you_mean(code, schema.LANGUAGES)}; use one of: "
                       f"{', '.join(schema.LANGUAGES)}")
    if kind == "dict_type" and isinstance(value, str) and _is_text(path):
        line, col = doc.where(path)
        return Problem(line, col, f"{name_of(path)}: should be one line per language, e.g. "
                                  f"{{en: {value[:30]}}}, not just '{value[:30]}'")
    if kind == "string_pattern_mismatch" and path[-1:] == ("ages",):
        line, col = doc.where(path)
        return Problem(line, col, f"ages: '{value}' should be a range like 8-11")
    if kind == "string_pattern_mismatch" and path[-1:] == ("starts_at",):
        line, col = doc.where(path)
        return Problem(line, col, f"starts_at: '{value}' should be a time like 12:30")
    if kind in ("robot_led", "robot_sound"):
        led = kind == "robot_led"
        known = schema.LED_NAMES if led else schema.SOUND_NAMES
        line, col = doc.where(path)
        return Problem(line, col, f"unknown {'LED pattern' if led else 'sound'} '{value}'"
                       f"{_nearest(value, known)}; a robot knows: {', '.join(known)}"
                       f"{'' if led else ', or ' + PITCHES}")
    if kind == "literal_error" and "languages" in path[-2:]:
        line, col = doc.where(path)
        return Problem(line, col, f"{name_of(path)}: '{value}' is not a language kit knows"
                       f"{did_you_mean(value, schema.LANGUAGES)}; use one of: "
                       f"{', '.join(schema.LANGUAGES)}")
    return None


def _nearest(word: object, known: list[str]) -> str:
    """Did you mean, for a robot word: 'heart' for 'HEART' or 'Heart' too."""
    if isinstance(word, str):
        fixed = word.strip().lower().replace("_", "-")
        if fixed != word and fixed in known:
            return f" (did you mean '{fixed}'?)"
    return did_you_mean(word, known)


_TEXT_FIELDS = frozenset(("title", "summary", "text", "prompt", "question", "name", "does"))
_TEXT_LISTS = frozenset(("options", "hints", "social", "learning"))


def _is_text(path: Path) -> bool:
    return bool(path) and (path[-1] in _TEXT_FIELDS or (
        len(path) >= 2 and isinstance(path[-1], int) and path[-2] in _TEXT_LISTS))


# Checks across the whole file, on the raw data -----------------------------------------------

def _get(data: Any, path: Path) -> Any:
    for elem in path:
        if isinstance(data, dict):
            data = data.get(elem)
        elif isinstance(data, list) and isinstance(elem, int) and 0 <= elem < len(data):
            data = data[elem]
        else:
            return None
    return data


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return schema.parse_duration(value)
    except Exception:  # reported by the schema where it is
        return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _checks(controllers: int | None) -> list[Any]:
    def whole_file(doc: Document) -> list[Problem]:
        if not isinstance(doc.data, dict):
            return []
        out = _steps(doc)
        out += _roles(doc)
        out += _requires(doc)
        out += _budget(doc)
        out += _teams(doc, controllers)
        out += _cut_texts(doc)
        return out

    return [whole_file]


def _list(data: Any, *path: str | int) -> list[Any]:
    got = _get(data, path)
    return got if isinstance(got, list) else []


def _steps(doc: Document) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, int] = {}
    lesson = _seconds(_get(doc.data, ("meta", "duration")))
    for i, step in enumerate(_list(doc.data, "steps")):
        if not isinstance(step, dict):
            continue
        sid = step.get("id")
        if isinstance(sid, str):
            if sid in seen:
                out.append(Problem(*doc.where(("steps", i, "id")),
                                   f"duplicate step id '{sid}' (also step {seen[sid] + 1})"))
            else:
                seen[sid] = i
        kind = step.get("type")
        if kind is None:
            out += _misspelt_type(doc, i, step)
        if kind == "activity":
            out += _activity(doc, i, step)
        if kind == "robot":
            out += _robot(doc, i, step)
        if step.get("advance") == "activity-done" and kind != "activity":
            out.append(Problem(*doc.where(("steps", i, "advance")),
                               "'activity-done' only fits an activity step; use teacher, "
                               "timer or all-ready"))
        time = step.get("time")
        if lesson is not None and isinstance(time, dict):
            for key in ("target", "max", "min"):
                secs = _seconds(time.get(key))
                if secs is not None and secs > lesson:
                    out.append(Problem(*doc.where(("steps", i, "time", key)),
                                       f"{key} {schema._fmt(secs)} is longer than the whole "
                                       f"lesson ({schema._fmt(lesson)})"))
    return out


def _misspelt_type(doc: Document, i: int, step: dict[Any, Any]) -> list[Problem]:
    """``tpye: show``: check the rest of the step as the type it was meant to be."""
    for key, value in step.items():
        if isinstance(key, str) and did_you_mean(key, ["type"]) and isinstance(value, str) \
                and value in schema.STEP_MODELS:
            fixed = {("type" if k == key else k): v for k, v in step.items()}
            here = ("steps", i)
            sub = Document(fixed, {p[2:]: v for p, v in doc.values.items() if p[:2] == here},
                           {p[2:]: v for p, v in doc.keys.items() if p[:2] == here})
            return validate(sub, schema.STEP_MODELS[value], context=_context(doc.data))[1]
    return []


def _activity(doc: Document, i: int, step: dict[Any, Any]) -> list[Problem]:
    name = step.get("activity")
    at = ("steps", i, "activity")
    if not isinstance(name, str):
        return []  # the schema says what is wrong with it, where it is
    model = catalog.params_model(name)
    if model is None:
        return [Problem(*doc.where(at), f"unknown activity '{name}'"
                        f"{did_you_mean(name, catalog.names())}; kit has: "
                        f"{', '.join(catalog.names())}")]
    out = []
    listed = _get(doc.data, ("requires", "activities"))
    if isinstance(listed, list) and name not in listed:
        out.append(Problem(*doc.where(at), f"activity '{name}' is used here but not listed in "
                                           "requires.activities (the preflight checks that "
                                           "list)"))
    params = step.get("params", {})
    if not isinstance(params, dict):
        return out
    from pydantic import ValidationError

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


def _robot(doc: Document, i: int, step: dict[Any, Any]) -> list[Problem]:
    out: list[Problem] = []
    limits = step.get("limits") if isinstance(step.get("limits"), dict) else {}
    defaults = schema.DEFAULT_LIMITS

    def limit(key: str, default: float) -> float:
        got = _number(limits.get(key)) if isinstance(limits, dict) else None
        return got if got is not None and got > 0 else default

    max_speed = limit("max_speed", defaults.max_speed)
    max_turn = limit("max_turn", defaults.max_turn)
    max_seconds = limit("max_seconds", defaults.max_seconds)
    for j, cmd in enumerate(_list(step, "commands")):
        drive = cmd.get("drive") if isinstance(cmd, dict) else None
        if not isinstance(drive, dict):
            continue
        at = ("steps", i, "commands", j, "drive")
        speed, turn = _number(drive.get("speed")), _number(drive.get("turn"))
        secs = _seconds(drive.get("seconds"))
        if speed is not None and abs(speed) > max_speed:
            out.append(Problem(*doc.where((*at, "speed")), f"speed {speed:g} is above this "
                                                            f"step's safety limit {max_speed:g}"))
        if turn is not None and abs(turn) > max_turn:
            out.append(Problem(*doc.where((*at, "turn")), f"turn {turn:g} is above this "
                                                           f"step's safety limit {max_turn:g}"))
        if secs is not None and secs > max_seconds:
            out.append(Problem(*doc.where((*at, "seconds")),
                               f"a single drive of {secs:g}s is longer than this step's limit "
                               f"of {max_seconds:g}s"))
    return out


def _roles(doc: Document) -> list[Problem]:
    out = []
    roles: set[str] = set()
    for i, role in enumerate(_list(doc.data, "teams", "roles")):
        rid = role.get("id") if isinstance(role, dict) else None
        if isinstance(rid, str):
            if rid in roles:
                out.append(Problem(*doc.where(("teams", "roles", i, "id")),
                                   f"duplicate role id '{rid}'"))
            roles.add(rid)
    return out


def _requires(doc: Document) -> list[Problem]:
    out = []
    for i, name in enumerate(_list(doc.data, "requires", "activities")):
        if not isinstance(name, str) or catalog.params_model(name) is None:
            out.append(Problem(*doc.where(("requires", "activities", i)),
                               f"unknown activity '{name}'{did_you_mean(name, catalog.names())}"
                               f"; kit has: {', '.join(catalog.names())}"))
    return out


def _budget(doc: Document) -> list[Problem]:
    lesson = _seconds(_get(doc.data, ("meta", "duration")))
    if lesson is None:
        return []
    total = 0.0
    for step in _list(doc.data, "steps"):
        secs = _seconds(_get(step, ("time", "target")))
        total += secs or 0.0
    if total > lesson:
        return [Problem(*doc.where(("meta", "duration")),
                        f"the steps' target times add up to {schema._fmt(total)}, longer than "
                        f"the lesson's {schema._fmt(lesson)}")]
    return []


def _teams(doc: Document, controllers: int | None) -> list[Problem]:
    out = []
    size = _number(_get(doc.data, ("teams", "size")))
    needs = _number(_get(doc.data, ("requires", "controllers")))
    if size is not None and needs and size > needs:
        out.append(Problem(*doc.where(("teams", "size")),
                           f"teams of {size:g} need at least {size:g} controllers; the lesson "
                           f"asks for {needs:g} (requires.controllers)"))
    if controllers is not None:
        if size is not None and size > controllers:
            out.append(Problem(*doc.where(("teams", "size")),
                               f"teams of {size:g} need at least {size:g} controllers; this "
                               f"classroom has {controllers}"))
        if needs is not None and needs > controllers:
            out.append(Problem(*doc.where(("requires", "controllers")),
                               f"the lesson needs {needs:g} controllers; this classroom has "
                               f"{controllers}"))
    return out


def _cut_texts(doc: Document) -> list[Problem]:
    """An unquoted `` #`` in a pupil's text starts a YAML comment: the text is cut short."""
    return [Problem(line, col, "the text stops here: ' #' starts a comment in YAML, so pupils "
                               "would not see the rest; put the whole text in quotes")
            for path, (line, col) in doc.cut.items()
            if path and path[-1] in schema.LANGUAGES]
