"""A pretend class's eight weeks in a store, made once per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.hub.store import Store, open_store
from kit.sim.classlist import SimPupil, class_list
from kit.sim.history import record_history


@pytest.fixture(scope="module")
def pupils() -> list[SimPupil]:
    return class_list()


@pytest.fixture(scope="module")
def term_db(tmp_path_factory: pytest.TempPathFactory, pupils: list[SimPupil]) -> Path:
    path = tmp_path_factory.mktemp("term") / "kit.db"
    store = open_store(f"sqlite:///{path}")
    try:
        record_history(store, pupils, weeks=8)
    finally:
        store.close()
    return path


@pytest.fixture
def term(term_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the eight weeks (tests may write flags, notes, plans)."""
    import shutil

    copy = tmp_path / "kit.db"
    shutil.copy(term_db, copy)
    store = open_store(f"sqlite:///{copy}")
    try:
        yield store
    finally:
        store.close()


def drifting(pupils: list[SimPupil]) -> SimPupil:
    return next(p for p in pupils if p.habit.name == "drifting")
