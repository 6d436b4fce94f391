"""Any YAML file a teacher writes, checked against a pydantic model, with every problem at its
line and column and a "did you mean" where one fits.

Lessons use it (:mod:`kit.lesson.check`), and so can any other teacher-written file::

    room = load_model("classroom.yaml", Classroom)       # raises FileInvalid
    room, problems = check_model("classroom.yaml", Classroom, checks=[my_check])

``checks`` are functions ``(Document) -> list[Problem]`` run on the raw data whether or not the
model accepted it, so every problem in a file comes out at once. A pydantic custom error whose
context has ``at_key`` is placed at that key of the value it is about (e.g. a misspelt language
code inside a text).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path as FsPath
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kit.errors import KitError
from kit.lesson.yamlsafe import Document, Path, Problem, load, read

M = TypeVar("M", bound=BaseModel)
Check = Callable[[Document], list[Problem]]
# (error, data path, model or type found there) -> a problem in the teacher's words, or None
Translate = Callable[[Document, dict[str, Any], Path], Problem | None]


class FileInvalid(KitError, ValueError):
    """A file with problems; ``problems`` holds each ``path:line:col: message``."""

    def __init__(self, path: str, problems: list[str]) -> None:
        n = len(problems)
        super().__init__(f"{path}: {n} problem{'s' if n != 1 else ''}:\n" + "\n".join(problems))
        self.path = path
        self.problems = problems


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or nothing."""
    if not isinstance(word, str):
        return ""
    import difflib  # only a file with problems needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_model(path: str | FsPath, model: type[M], *, context: dict[str, Any] | None = None,
                checks: Sequence[Check] = (), translate: Translate | None = None,
                context_of: Callable[[Any], dict[str, Any]] | None = None,
                ) -> tuple[M | None, list[str]]:
    """Read ``path`` and validate it; the model (``None`` if any problem) and every problem."""
    doc, problems = read(path)
    return _finish(doc, problems, str(path), model, context, checks, translate, context_of)


def check_model_text(text: str, path: str, model: type[M], *,
                     context: dict[str, Any] | None = None, checks: Sequence[Check] = (),
                     translate: Translate | None = None,
                     context_of: Callable[[Any], dict[str, Any]] | None = None,
                     ) -> tuple[M | None, list[str]]:
    """As :func:`check_model`, for text already in memory (``path`` names it in messages)."""
    doc, problems = load(text)
    return _finish(doc, problems, path, model, context, checks, translate, context_of)


def load_model(path: str | FsPath, model: type[M], *, context: dict[str, Any] | None = None,
               checks: Sequence[Check] = (), translate: Translate | None = None) -> M:
    """The model read from ``path``, or :class:`FileInvalid` listing every problem."""
    value, problems = check_model(path, model, context=context, checks=checks,
                                  translate=translate)
    if value is None:
        raise FileInvalid(str(path), problems)
    return value


def _finish(doc: Document | None, problems: list[Problem], path: str, model: type[M],
            context: dict[str, Any] | None, checks: Sequence[Check],
            translate: Translate | None,
            context_of: Callable[[Any], dict[str, Any]] | None) -> tuple[M | None, list[str]]:
    value: M | None = None
    if doc is not None:
        ctx = context_of(doc.data) if context_of else dict(context or {})
        if context_of and context:
            ctx.update(context)
        value, found = validate(doc, model, context=ctx, translate=translate)
        # a value the loader already refused (.nan, a tag ...) is not reported twice
        taken = {(p.line, p.col) for p in problems}
        problems = problems + [p for p in found if (p.line, p.col) not in taken]
        for check in checks:
            problems += check(doc)
    out = [p.format(path) for p in _unique(problems)]
    if out:
        return None, out
    return value, []


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in sorted(problems, key=lambda p: (p.line, p.col)):
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def validate(doc: Document, model: type[M], *, context: dict[str, Any] | None = None,
             translate: Translate | None = None) -> tuple[M | None, list[Problem]]:
    """Validate the document's data; the model, or ``None`` and each error as a problem."""
    if not isinstance(doc.data, dict):
        return None, [Problem(1, 1, "this file should be a group of 'key: value' lines, not "
                                    f"{shape(doc.data)}")]
    try:
        return model.model_validate(doc.data, context=context), []
    except ValidationError as e:
        out = []
        for err in e.errors(include_url=False):
            loc = tuple(err["loc"])
            path, _ = walk(doc, model, loc)
            problem = translate(doc, dict(err), path) if translate else None
            if problem is None:
                fields = (fields_of(walk(doc, model, loc[:-1])[1])
                          if err["type"] == "extra_forbidden" else [])
                problem = describe(doc, dict(err), path, fields)
            out.append(problem)
        return None, out


# Where a pydantic error is ------------------------------------------------------------------

def walk(doc: Document, model: Any, loc: tuple[Any, ...]) -> tuple[Path, Any]:
    """The data path of a pydantic ``loc`` (union tags dropped) and the model or type there."""
    data: Any = doc.data
    tp: Any = model
    path: list[str | int] = []
    for elem in loc:
        tags = _tags(tp)
        if tags is not None and isinstance(elem, str) and elem in tags:
            tp = tags[elem]
            continue
        inside = (elem in data if isinstance(data, dict) else isinstance(data, list)
                  and isinstance(elem, int) and 0 <= elem < len(data))
        data = data[elem] if inside else None
        path.append(elem)
        tp = _child(tp, elem)
    return tuple(path), tp


def _strip(tp: Any) -> Any:
    """``X`` for ``Annotated[X, ...]`` and ``X | None``."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _child(tp: Any, elem: Any) -> Any:
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(elem) if isinstance(elem, str) else None
        if field is None:
            return None
        return field.annotation if not field.metadata else typing.Annotated[
            field.annotation, *field.metadata]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


_TAGS: dict[int, dict[str, Any] | None] = {}


def _tags(tp: Any) -> dict[str, Any] | None:
    """For a discriminated union: each tag value and its model."""
    key = id(tp)
    if key in _TAGS:
        return _TAGS[key]
    out: dict[str, Any] | None = None
    if typing.get_origin(tp) is typing.Annotated:
        base, *meta = typing.get_args(tp)
        disc = next((m.discriminator for m in meta
                     if isinstance(getattr(m, "discriminator", None), str)), None)
        if disc is not None and typing.get_origin(base) in (typing.Union, types.UnionType):
            out = {}
            for member in typing.get_args(base):
                field = member.model_fields.get(disc)
                if field is not None:
                    for value in typing.get_args(field.annotation):
                        out[value] = member
    _TAGS[key] = out
    return out


def fields_of(tp: Any) -> list[str]:
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


# What a pydantic error means, in words a teacher can act on ----------------------------------

def name_of(path: Path) -> str:
    if not path:
        return "file"
    if len(path) > 1 and isinstance(path[-1], int):
        return f"{path[-2]} item {path[-1] + 1}"
    return str(path[-1])


def shape(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of keys"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = str(value)
    return f"'{text[:40]}...'" if len(text) > 40 else f"'{text}'"


def describe(doc: Document, err: dict[str, Any], path: Path,
             fields: Sequence[str] = ()) -> Problem:
    """A pydantic error as a located problem (``fields``: the keys allowed beside an unknown
    one, for "did you mean")."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    where = name_of(path)
    if kind == "missing":
        line, col = doc.where(path[:-1])
        return Problem(line, col, f"missing required key '{where}'")
    if kind == "extra_forbidden" and where == "<<":
        line, col = doc.where(path, key=True)
        return Problem(line, col, "merge keys ('<<: *name') are not supported here; write "
                                  "the keys out")
    if kind == "extra_forbidden":
        line, col = doc.where(path, key=True)
        return Problem(line, col, f"unknown key '{where}'{did_you_mean(where, fields)}")
    if isinstance(ctx.get("at_key"), str):
        line, col = doc.where((*path, ctx["at_key"]), key=True)
        return Problem(line, col, f"{where}: {err['msg']}")
    line, col = doc.where(path)
    if kind == "union_tag_invalid":
        disc = str(ctx.get("discriminator", "type")).strip("'")
        tag = ctx.get("tag")
        tags = [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",")]
        line, col = doc.where((*path, disc))
        return Problem(line, col, f"unknown {disc} '{tag}'{did_you_mean(tag, tags)}; use one "
                                  f"of: {', '.join(sorted(tags))}")
    if kind == "union_tag_not_found":
        disc = str(ctx.get("discriminator", "type")).strip("'")
        return Problem(line, col, f"{where}: missing required key '{disc}'")
    if kind in ("too_long", "too_short"):
        n = ctx.get("actual_length")
        limit = ctx.get("max_length") if kind == "too_long" else ctx.get("min_length")
        word = "at most" if kind == "too_long" else "at least"
        return Problem(line, col, f"{where}: has {n} item{'s' if n != 1 else ''}; "
                                  f"{word} {limit} allowed")
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        return Problem(line, col, f"{where}: {shape(value)} is not allowed"
                       f"{did_you_mean(value, options)}; use one of: {', '.join(options)}")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return Problem(line, col, f"{where}: {shape(value)} is not a whole number")
    if kind in ("float_parsing", "float_type", "finite_number"):
        return Problem(line, col, f"{where}: {shape(value)} is not a number")
    if kind in ("bool_parsing", "bool_type"):
        return Problem(line, col, f"{where}: write true or false, not {shape(value)}")
    if kind == "string_type" and value is None:
        source = doc.lines[line - 1][:col] if 0 < line <= len(doc.lines) else ""
        hint = (": if this is inside {...}, a comma there starts a new entry, so put the text "
                "in quotes") if "{" in source else ""
        return Problem(line, col, f"{where}: has no text{hint}")
    if kind == "string_type":
        return Problem(line, col, f"{where}: should be text, not {shape(value)}")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Problem(line, col, f"{where}: should be a group of 'key: value' lines, not "
                                  f"{shape(value)}")
    if kind == "list_type":
        return Problem(line, col, f"{where}: should be a list (lines starting with '- '), "
                                  f"not {shape(value)}")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return Problem(line, col, f"{where}: {shape(value)} is too "
                                  f"{'small' if kind.startswith('greater') else 'big'}; "
                                  f"{err['msg'].replace('Input should be', 'it should be')}")
    msg = str(err["msg"])
    if msg.startswith("Input should be"):
        msg = f"{shape(value)} should be" + msg[len("Input should be"):]
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return Problem(line, col, f"{where}: {msg}")
