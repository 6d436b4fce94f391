"""The lessons that come with kit (``lessons/`` beside the package)."""

from __future__ import annotations

from pathlib import Path

from kit.errors import ConfigError

FOLDER = Path(__file__).resolve().parents[2] / "lessons"


def shipped(name: str) -> Path:
    path = FOLDER / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in FOLDER.glob("*.yaml"))) or "none found"
        raise ConfigError(f"no shipped lesson called {name!r} (there are: {known})")
    return path
