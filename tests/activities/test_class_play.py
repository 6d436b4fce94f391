"""``bench/class_play.py`` plays each activity with a pretend class; here its goals are checked
for a class of eight with one seed (the benchmark runs more classes, and of 32)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).parents[2] / "bench" / "class_play.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("class_play", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["pixel-mural", "robot-relay", "story-chain",
                                  "class-orchestra"])
def test_a_pretend_class_of_eight_finishes_with_everyone_acting(name: str) -> None:
    result = _bench().play(name, 8, seed=1)
    assert result["ended"] is True
    assert result["acted_share"] == 1.0
    assert float(str(result["max_wait_s"])) <= 60
