"""Badge definitions: a YAML file a teacher can read and edit, validated like lessons (every
problem at once, as ``path:line:col: message``).

Criteria come only from what a pupil did (time spent, contributions, roles held, help and
compliments given, lessons completed), each a minimum of the pupil's *own* record, never a
comparison with other pupils. ``by_hand: true`` makes a badge that only a teacher awards.

.. code-block:: yaml

    kit_badges: 1
    badges:
      - id: helping-hand
        name: {en: Helping hand, lt: Pagalbos ranka}
        description: {en: Helped teammates when they were stuck.}
        criteria: {help_given: 3}
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kit.errors import KitError
from kit.lesson.yamlsafe import Document, Problem, load
from kit.protocol.ids import is_id

LANGUAGES = ("en", "lt", "lv", "pl", "it", "es", "bg")
FORMAT = 1


class BadgesInvalid(KitError, ValueError):
    """A badges file with problems; ``problems`` holds each ``path:line:col: message``."""

    def __init__(self, path: str, problems: list[str]) -> None:
        n = len(problems)
        super().__init__(f"{path}: {n} problem{'s' if n != 1 else ''}:\n" + "\n".join(problems))
        self.path = path
        self.problems = problems


Words = dict[str, str]


def _check_words(value: Words) -> Words:
    unknown = [k for k in value if k not in LANGUAGES]
    if unknown:
        raise ValueError(f"unknown language '{unknown[0]}'; use {', '.join(LANGUAGES)}")
    if "en" not in value:
        raise ValueError("needs at least the English text ('en: ...'), used when the "
                         "family's language has none")
    if any(not v.strip() for v in value.values()):
        raise ValueError("has an empty text")
    return value


class Criteria(BaseModel):
    """Minimums of the pupil's own record; all that are given must be met."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minutes: int | None = Field(None, ge=1, description="active minutes, over all lessons")
    contributions: int | None = Field(None, ge=1)
    roles: int | None = Field(None, ge=1, description="different team roles held")
    help_given: int | None = Field(None, ge=1)
    compliments_given: int | None = Field(None, ge=1)
    lessons: int | None = Field(None, ge=1, description="lessons taken part in to the end")
    by_hand: bool = False

    @model_validator(mode="after")
    def _something(self) -> Criteria:
        if not self.by_hand and not any(self.minimums().values()):
            raise ValueError("give at least one criterion (minutes, contributions, roles, "
                             "help_given, compliments_given, lessons) or 'by_hand: true'")
        if self.by_hand and any(self.minimums().values()):
            raise ValueError("a badge given by hand has no other criteria")
        return self

    def minimums(self) -> dict[str, int]:
        return {k: v for k, v in (("minutes", self.minutes),
                                  ("contributions", self.contributions),
                                  ("roles", self.roles), ("help_given", self.help_given),
                                  ("compliments_given", self.compliments_given),
                                  ("lessons", self.lessons)) if v}

    def narrative(self) -> str:
        """The criteria in plain English, for the credential."""
        if self.by_hand:
            return "Awarded by the teacher, who wrote down why."
        phrases = {
            "minutes": "spent at least {} minutes actively taking part",
            "contributions": "made at least {} contributions to the team's work",
            "roles": "held at least {} different roles in a team",
            "help_given": "helped teammates at least {} times",
            "compliments_given": "complimented teammates at least {} times",
            "lessons": "took part in at least {} lessons to the end",
        }
        parts = [phrases[k].format(v) for k, v in self.minimums().items()]
        return "The pupil " + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + \
            parts[-1] + ", counted from their own participation record (never compared with " \
            "other pupils)."


class BadgeDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: Words
    description: Words
    criteria: Criteria
    image: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not is_id(v):
            raise ValueError(f"'{v}' is not a valid badge id: use lower-case letters, digits "
                             "and '-', e.g. helping-hand")
        return v

    _name = field_validator("name", "description")(_check_words)

    def text(self, field: str, lang: str) -> str:
        words: Words = getattr(self, field)
        return words.get(lang) or words["en"]


class BadgesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kit_badges: int
    badges: list[BadgeDef]

    @field_validator("kit_badges")
    @classmethod
    def _format(cls, v: int) -> int:
        if v != FORMAT:
            raise ValueError(f"this kit reads badges format {FORMAT}, not {v}")
        return v

    def by_id(self) -> dict[str, BadgeDef]:
        return {b.id: b for b in self.badges}


def _problem(doc: Document, err: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    # Drop pydantic's synthetic loc parts (e.g. '[key]' for dict keys) that are not in the data.
    path = tuple(p for p in loc if not (isinstance(p, str) and p.startswith("[")))
    where = ".".join(str(p + 1) if isinstance(p, int) else p for p in path) or "file"
    if kind == "missing":
        line, col = doc.where(path[:-1])
        return Problem(line, col, f"missing required key '{path[-1]}'")
    if kind == "extra_forbidden":
        line, col = doc.where(path, key=True)
        parent = _model_at(path[:-1])
        close = difflib.get_close_matches(str(path[-1]), list(parent.model_fields), 1, 0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return Problem(line, col, f"unknown key '{path[-1]}'{hint}")
    line, col = doc.where(path)
    msg = str(err["msg"]).removeprefix("Value error, ")
    return Problem(line, col, f"{where}: {msg}")


def _model_at(path: tuple[Any, ...]) -> type[BaseModel]:
    model: type[BaseModel] = BadgesFile
    for p in path:
        if isinstance(p, int):
            continue
        ann = model.model_fields[p].annotation if p in model.model_fields else None
        if ann is Criteria:
            model = Criteria
        elif ann == list[BadgeDef]:
            model = BadgeDef
    return model


def check_text(text: str, path: str = "<badges>") -> tuple[BadgesFile | None, list[str]]:
    """Parse and validate; returns the definitions (``None`` if any problem) and all
    problems as ``path:line:col: message``."""
    doc, problems = load(text)
    parsed: BadgesFile | None = None
    if doc is not None:
        if not isinstance(doc.data, dict):
            problems.append(Problem(1, 1, "a badges file starts with 'kit_badges: 1' and "
                                          "'badges:'"))
        else:
            try:
                parsed = BadgesFile.model_validate(doc.data)
            except ValidationError as e:
                problems += [_problem(doc, err) for err in e.errors(include_url=False)]
            if parsed is not None:
                seen: set[str] = set()
                for i, b in enumerate(parsed.badges):
                    if b.id in seen:
                        line, col = doc.where(("badges", i, "id"))
                        problems.append(Problem(line, col, f"badge id '{b.id}' is used twice"))
                    seen.add(b.id)
    problems.sort(key=lambda p: (p.line, p.col))
    out = [p.format(path) for p in dict.fromkeys(problems)]
    return (None if out else parsed), out


def load_definitions(path: str | Path | None = None) -> BadgesFile:
    """The badges in ``path`` (default: the badges kit ships), or :class:`BadgesInvalid`."""
    if path is None:
        return _shipped()
    return _load(path)


@functools.cache
def _shipped() -> BadgesFile:
    return _load(None)


def _load(path: str | Path | None) -> BadgesFile:
    if path is None:
        text = resources.files("kit.badges").joinpath("badges.yaml").read_text("utf-8")
        where = "kit/badges/badges.yaml"
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise BadgesInvalid(where, [f"{where}:1:1: cannot read the file ({e})"]) from e
    parsed, problems = check_text(text, where)
    if parsed is None:
        raise BadgesInvalid(where, problems)
    return parsed


def merge(files: Iterable[BadgesFile]) -> BadgesFile:
    badges: dict[str, BadgeDef] = {}
    for f in files:
        badges.update(f.by_id())
    return BadgesFile(kit_badges=FORMAT, badges=list(badges.values()))
