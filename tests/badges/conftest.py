from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kit.badges import Issuer
from kit.hub.store import Store, open_store
from tests.badges.classroom import make_class

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def issuer(kit_home: Path) -> Issuer:
    iss = Issuer()
    iss.configure(name="Vilnius Primary 7B", base_url="https://hub.school-a.example")
    return iss


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'kit.db'}")
    make_class(s)
    yield s
    s.close()
