"""The lesson file format, version 1, as pydantic models (also the source of the JSON Schema).

Checks that need the whole file (duplicate ids, activity params, the time budget) live in
:mod:`kit.lesson.check`; these models check each part on its own. Every pupil-visible string is
a :data:`Text`: a map from language code to text, which must hold each language the lesson's
``meta.languages`` lists (passed in the validation context).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kit.activities import catalog
from kit.robot_api import LED_PATTERNS, NAMED_TONES, PITCHES, is_pitch

SCHEMA_VERSION = 1
LANGUAGES = ("en", "lt", "lv", "pl", "it", "es", "bg", "de", "fr", "et", "uk")

_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m(?:in)?)?\s*(?:(?P<s>\d+)s)?$")
_CLOCK = re.compile(r"^(?P<m>\d{1,3}):(?P<s>[0-5]\d)$")


def parse_duration(value: Any) -> float:
    """``90``, ``"90s"``, ``"5m"``, ``"1m30s"``, ``"1h"`` or ``"1:30"`` (minutes:seconds)."""
    if type(value) is str and value in _DURATIONS:
        return _DURATIONS[value]
    seconds = _parse_duration(value)
    if type(value) is str and len(_DURATIONS) < 1000:
        _DURATIONS[value] = seconds
    return seconds


_DURATIONS: dict[str, float] = {}  # lessons repeat the same few durations


def _parse_duration(value: Any) -> float:
    if isinstance(value, bool):
        raise PydanticCustomError("duration", "'{value}' is not a duration; write e.g. 5m, "
                                  "90s or 1:30", {"value": value})
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        m = _DURATION.match(text) if text else None
        c = _CLOCK.match(text)
        if c:
            seconds = int(c["m"]) * 60.0 + int(c["s"])
        elif m and any(m.groupdict().values()):
            seconds = (int(m["h"] or 0) * 3600.0 + int(m["m"] or 0) * 60 + int(m["s"] or 0))
        else:
            raise PydanticCustomError("duration", "'{value}' is not a duration; write e.g. 5m, "
                                      "90s, 1m30s or 1:30", {"value": value})
    else:
        raise PydanticCustomError("duration", "a duration must be written like 5m, 90s or "
                                  "1:30", {})
    if seconds <= 0:
        raise PydanticCustomError("duration", "a duration must be longer than 0 seconds", {})
    return seconds


_KNOWN_LANGUAGES = frozenset(LANGUAGES)


def _languages(value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
    # Runs for every text of a lesson (some eighty in a 40-step one): the common case, every
    # language there and filled in, costs one look-up per language.
    for code in value:
        if code not in _KNOWN_LANGUAGES:
            raise PydanticCustomError(
                "language", "'{at_key}' is not a language kit knows; use one of: {known}",
                {"at_key": code, "known": ", ".join(LANGUAGES)})
    wanted = (info.context or {}).get("languages") or ()
    missing = [code for code in wanted if not value.get(code, "").strip()]
    if missing:
        raise PydanticCustomError(
            "translation", "missing translation: add {missing} (the lesson lists languages "
            "{wanted})", {"missing": ", ".join(missing), "wanted": ", ".join(wanted)})
    return value


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise PydanticCustomError(
            "id", "'{value}' is not a valid id: use lower-case letters, digits and '-', "
            "e.g. 'robot-maze'", {"value": value})
    return value


def _age_order(value: str) -> str:
    low, high = (int(x) for x in value.split("-"))
    if low > high:
        raise PydanticCustomError("ages", "'{value}' runs backwards; write {fixed}",
                                  {"value": value, "fixed": f"{high}-{low}"})
    if low < 4 or high > 19:
        raise PydanticCustomError("ages", "'{value}' is not a school age range; write e.g. "
                                  "8-11", {"value": value})
    return value


# What editors see (JSON Schema); the validators above say the same in more words.
_DURATION_JSON = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "description": "seconds"},
        {"type": "string",
         "pattern": r"^(?:\d{1,3}:[0-5]\d|(?:\d+h)?\s*(?:\d+m(?:in)?)?\s*(?:\d+s)?)$",
         "minLength": 2},
    ],
    "examples": ["5m", "90s", "1m30s", "1:30"],
}
_TEXT_JSON = {
    "type": "object",
    "description": "text shown to pupils, one entry per language, e.g. {en: Hello, lt: Labas}",
    "propertyNames": {"enum": list(LANGUAGES)},
    "additionalProperties": {"type": "string"},
    "minProperties": 1,
}
_ACTIVITIES: list[JsonValue] = list(catalog.names())
ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
_ID = re.compile(ID_PATTERN)

Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(_DURATION_JSON)]
Text = Annotated[dict[str, str], AfterValidator(_languages), WithJsonSchema(_TEXT_JSON)]
Id = Annotated[str, AfterValidator(_check_id),
               WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]


class Model(BaseModel):
    # Each model's validator is built when it is first used, not at import: checking a lesson
    # builds the lesson's (which holds every part) and not one more for each part.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Goals(Model):
    social: list[Text] = Field(min_length=1)
    learning: list[Text] = Field(min_length=1)


class Meta(Model):
    id: Id
    title: Text
    summary: Text
    ages: Annotated[str, AfterValidator(_age_order)] = Field(
        pattern=r"^\d{1,2}-\d{1,2}$", description="age range, e.g. 8-11")
    duration: Duration
    languages: list[Literal["en", "lt", "lv", "pl", "it", "es", "bg", "de", "fr", "et", "uk"]] \
        = Field(min_length=1)
    goals: Goals
    author: str | None = None
    starts_at: str | None = Field(default=None, pattern=r"^([01]?\d|2[0-3]):[0-5]\d$",
                                  description="usual start time, e.g. 12:30")


class Requires(Model):
    robots: int = Field(default=0, ge=0, le=32,
                        description="robots the room needs (one per team)")
    controllers: int = Field(default=0, ge=0, le=64,
                             description="micro:bit controllers needed")
    activities: list[str] = Field(default_factory=list,
                                  json_schema_extra={"items": {"enum": _ACTIVITIES}})


class Role(Model):
    id: Id
    name: Text
    does: Text
    low_pressure: bool = False


class Teams(Model):
    size: int = Field(default=4, ge=1, le=8)
    grouping: Literal["random", "teacher", "mixed"] = "random"
    rotate: Literal["every-step", "every-turn", "never"] = "every-step"
    roles: list[Role] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_low_pressure(self) -> Teams:
        if not any(r.low_pressure for r in self.roles):
            raise PydanticCustomError(
                "low_pressure", "no role has 'low_pressure: true'; give shy pupils a "
                "safe, needed part (e.g. a timekeeper or cheerleader)", {})
        return self


class TimeBox(Model):
    target: Duration
    min: Duration | None = None
    max: Duration | None = None
    warning: Duration | None = Field(default=None,
                                     description="warn this long before the target")

    @model_validator(mode="after")
    def _order(self) -> TimeBox:
        if self.min is not None and self.min > self.target:
            raise PydanticCustomError("timebox", "min ({a}) is longer than target ({b})",
                                      {"a": _fmt(self.min), "b": _fmt(self.target)})
        if self.max is not None and self.max < self.target:
            raise PydanticCustomError("timebox", "max ({a}) is shorter than target ({b})",
                                      {"a": _fmt(self.max), "b": _fmt(self.target)})
        if self.warning is not None and self.warning >= self.target:
            raise PydanticCustomError("timebox", "warning ({a}) must be shorter than target "
                                      "({b})", {"a": _fmt(self.warning), "b": _fmt(self.target)})
        return self

    @property
    def longest(self) -> float:
        return self.max if self.max is not None else self.target


def _fmt(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}m{s % 60:02d}s" if s % 60 else f"{s // 60}m"


class Turns(Model):
    seconds: Duration = 30.0
    passes: int = Field(default=1, ge=0, le=10,
                        description="passes each pupil may use in a step")


Advance = Literal["teacher", "timer", "all-ready", "activity-done"]
Structure = Literal["round-robin", "simultaneous", "pairs", "jigsaw", "numbered-heads"]


class StepBase(Model):
    id: Id
    title: Text | None = None
    notes: str | None = Field(default=None,
                              description="for the teacher only; never shown to pupils")
    advance: Advance = "teacher"
    time: TimeBox
    hints: list[Text] = Field(default_factory=list)
    structure: Structure = "simultaneous"
    turns: Turns | None = None


class ShowStep(StepBase):
    type: Literal["show", "say"]
    text: Text


class ActivityStep(StepBase):
    type: Literal["activity"]
    activity: str = Field(json_schema_extra={"enum": _ACTIVITIES})
    params: dict[str, Any] = Field(default_factory=dict)
    text: Text | None = None


LED_NAMES = sorted(LED_PATTERNS)
SOUND_NAMES = sorted(NAMED_TONES)


def _led_pattern(value: str) -> str:
    if value not in LED_PATTERNS:
        raise PydanticCustomError("robot_led", "unknown LED pattern '{value}'; a robot knows: "
                                  "{known}", {"value": value, "known": ", ".join(LED_NAMES)})
    return value


def _sound(value: str) -> str:
    if value not in NAMED_TONES and not is_pitch(value):
        raise PydanticCustomError("robot_sound", "unknown sound '{value}'; a robot knows: "
                                  "{known}, or {pitches}",
                                  {"value": value, "known": ", ".join(SOUND_NAMES),
                                   "pitches": PITCHES})
    return value


# The words a robot knows (kit.robot_api, which the drivers use too). The JSON Schema's pitch
# pattern is a little wider than the check (20 to 20000 Hz), as for durations.
_LED_JSON: list[JsonValue] = list(LED_NAMES)
_SOUND_JSON: list[JsonValue] = list(SOUND_NAMES)
LedPattern = Annotated[str, AfterValidator(_led_pattern), WithJsonSchema(
    {"type": "string", "enum": _LED_JSON, "description": "an image on the robot's LEDs"})]
Sound = Annotated[str, AfterValidator(_sound), WithJsonSchema(
    {"anyOf": [{"type": "string", "enum": _SOUND_JSON},
               {"type": "string", "pattern": "^[1-9][0-9]{1,4}$"}],
     "description": "a named sound, or a pitch in Hz written as text, e.g. '440'"})]


class Drive(Model):
    speed: float = Field(ge=-1.0, le=1.0)
    turn: float = Field(default=0.0, ge=-1.0, le=1.0)
    seconds: Duration


class RobotCommand(Model):
    model_config = ConfigDict(extra="forbid", frozen=True,
                              json_schema_extra={"minProperties": 1, "maxProperties": 1})

    drive: Drive | None = None
    led: LedPattern | None = None
    sound: Sound | None = None
    stop: bool | None = None
    wait: Duration | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> RobotCommand:
        given = [k for k in ("drive", "led", "sound", "stop", "wait") if getattr(self, k)
                 is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "command", "each robot command does one thing: drive, led, sound, stop or "
                "wait (this one has {n})", {"n": ", ".join(given) or "none"})
        return self


class Limits(Model):
    max_speed: float = Field(default=0.6, gt=0, le=1.0)
    max_turn: float = Field(default=0.6, gt=0, le=1.0)
    max_seconds: float = Field(default=5.0, gt=0, le=30.0)


# Defaults made without validating them (they are the fields' own defaults), so that
# importing this module builds no validator: each model's is built when first used, and a
# lesson check builds only the lesson's.
DEFAULT_LIMITS = Limits.model_construct()


class RobotStep(StepBase):
    type: Literal["robot"]
    text: Text
    commands: list[RobotCommand] = Field(min_length=1)
    limits: Limits = DEFAULT_LIMITS
    repeat: int = Field(default=1, ge=1, le=20)


class UnpluggedStep(StepBase):
    type: Literal["unplugged"]
    text: Text


class VoteStep(StepBase):
    type: Literal["vote", "poll"]
    question: Text
    options: list[Text] = Field(min_length=2, max_length=4,
                                description="up to four: buttons A, B, A+B and logo")


class ReflectStep(StepBase):
    type: Literal["reflect"]
    kind: Literal["compliment-round", "thumbs", "one-word"] = "compliment-round"
    prompt: Text


class BreakStep(StepBase):
    type: Literal["break"]
    text: Text = Field(description="what pupils see during the break")


Step = Annotated[
    ShowStep | ActivityStep | RobotStep | UnpluggedStep | VoteStep | ReflectStep | BreakStep,
    Field(discriminator="type"),
]

STEP_MODELS: dict[str, type[StepBase]] = {
    "show": ShowStep, "say": ShowStep, "activity": ActivityStep, "robot": RobotStep,
    "unplugged": UnpluggedStep, "vote": VoteStep, "poll": VoteStep, "reflect": ReflectStep,
    "break": BreakStep,
}


_NO_REQUIREMENTS = Requires.model_construct()


class Lesson(Model):
    kit_lesson: Literal[1] = Field(description="lesson file format version")
    meta: Meta
    requires: Requires = _NO_REQUIREMENTS
    teams: Teams
    steps: list[Step] = Field(min_length=1)

    def step_index(self, step_id: str) -> int:
        for i, s in enumerate(self.steps):
            if s.id == step_id:
                return i
        raise KeyError(step_id)


def json_schema() -> dict[str, Any]:
    schema = Lesson.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kit lesson"
    return schema
