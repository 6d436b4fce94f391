"""The catalogue of activities, without importing pygame: names and parameter models, for the
lesson loader and ``kit activity``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ActivityParams(BaseModel):
    """Base of every activity's params model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


_MODELS: dict[str, type[ActivityParams]] = {}


def names() -> list[str]:
    return sorted(_MODELS)


def params_model(name: str) -> type[ActivityParams] | None:
    return _MODELS.get(name)
