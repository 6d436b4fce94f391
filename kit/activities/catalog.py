"""The catalogue of activities, without importing pygame: names and parameter models, for the
lesson loader and ``kit activity``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ActivityParams(BaseModel):
    """Base of every activity's params model: unknown keys are errors."""

    # built on first use: a lesson check builds only the params models its steps use
    model_config = ConfigDict(extra="forbid", defer_build=True)


class PixelMuralParams(ActivityParams):
    picture: Literal["sunflower", "house"] = "sunflower"
    #: kept so older lessons still load; the mural is painted by everyone at once
    rounds: int = Field(3, ge=1, le=20)
    #: a pupil silent this long may be helped by squad mates who finished their part
    turn_seconds: int = Field(30, ge=5, le=300)
    #: kept so older lessons still load
    paints_per_turn: int = Field(3, ge=1, le=20)


class RobotRelayParams(ActivityParams):
    maze: Literal["school-yard"] = "school-yard"
    #: flags the class brings its robots to, per squad
    legs: int = Field(3, ge=1, le=12)
    roles: list[str] = Field(default_factory=lambda: ["driver", "navigator", "tester"])
    #: the navigator's time to plan a try (going and checking take up to 10 s each)
    turn_seconds: int = Field(20, ge=5, le=300)


class ClassOrchestraParams(ActivityParams):
    song: Literal["ode-to-joy", "twinkle", "frere-jacques"] = "ode-to-joy"
    tempo_bpm: int = Field(90, ge=40, le=180)
    #: bars of the song in each verse (default: the whole song)
    bars: int | None = Field(None, ge=1, le=64)
    #: times through the song; sections change instrument each verse
    verses: int = Field(4, ge=1, le=8)


class StoryChainParams(ActivityParams):
    theme: Literal["space", "forest", "sea", "city"] = "space"
    #: parts the class story has at least (every pupil tells at least twice)
    panels: int = Field(6, ge=2, le=48)
    #: the teller's time to pick a part
    panel_seconds: int = Field(30, ge=10, le=600)


_MODELS: dict[str, type[ActivityParams]] = {
    "pixel-mural": PixelMuralParams,
    "robot-relay": RobotRelayParams,
    "class-orchestra": ClassOrchestraParams,
    "story-chain": StoryChainParams,
}


def names() -> list[str]:
    return sorted(_MODELS)


def params_model(name: str) -> type[ActivityParams] | None:
    return _MODELS.get(name)


_CLASSES: dict[str, str] = {
    "pixel-mural": "kit.activities.pixel_mural:PixelMural",
    "robot-relay": "kit.activities.robot_relay:RobotRelay",
    "class-orchestra": "kit.activities.class_orchestra:ClassOrchestra",
    "story-chain": "kit.activities.story_chain:StoryChain",
}


def activity_class(name: str) -> type:
    """The activity's class (imports its module, which may import pygame when drawing)."""
    import importlib

    if name not in _CLASSES:
        import difflib

        near = difflib.get_close_matches(name, names(), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        from kit.errors import KitError

        raise KitError(f"no activity called {name!r}{hint}; 'kit activity list' shows them all")
    module, _, attr = _CLASSES[name].partition(":")
    cls: type = getattr(importlib.import_module(module), attr)
    return cls
