"""The kit command as a teacher types it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kit.cli import COMMANDS, main
from kit.hub.store import open_store
from kit.protocol.envelope import new_event

ROOT = Path(__file__).resolve().parents[2]


def _kit(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIT_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kit", *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_help_lists_every_command_without_loading_pygame_or_bleak(tmp_path: Path) -> None:
    code = ("import sys; from kit.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit: pass\n"
            "print('HEAVY', sorted(m for m in ('pygame', 'bleak', 'bumble', 'amqtt') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
    for name in COMMANDS:
        assert name in out
    assert "HEAVY []" in out


def _numbers(text: str) -> tuple[int, int]:
    line = next(l for l in text.splitlines() if "recorded by the hub" in l)
    nums = [int(w) for w in line.replace(",", " ").split() if w.isdigit()]
    return nums[0], nums[-1]


def test_forget_says_what_it_erased(tmp_path: Path, kit_home: Path,
                                    capsys: object) -> None:
    from datetime import UTC, datetime

    url = f"sqlite:///{tmp_path / 'kit.db'}"
    store = open_store(url)
    store.set_name("p-gone12", "Greta", "room-1", "t")
    store.insert_events([new_event(room="room-1", station="st-1", seq=i, kind="contribution",
                                   at=datetime(2026, 1, 12, tzinfo=UTC), pupil="p-gone12")
                         for i in range(3)], "t")
    store.close()
    assert main(["pupil", "--store", url, "forget", "p-gone12"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "deleted 4 rows (3 events, 1 roster" in out
    assert main(["pupil", "--store", url, "forget", "Greta Smith"]) == 2  # not a pseudonym


def test_report_writes_csv(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    url = f"sqlite:///{tmp_path / 'kit.db'}"
    store = open_store(url)
    t0 = datetime(2026, 1, 12, 9, tzinfo=UTC)
    store.insert_events([
        new_event(room="room-1", station="st-1", seq=0, kind="contribution", at=t0,
                  run="run-1", pupil="p-aaaa11", team="red"),
        new_event(room="room-1", station="st-1", seq=1, kind="contribution",
                  at=t0 + timedelta(seconds=30), run="run-1", pupil="p-aaaa11", team="red"),
        new_event(room="room-1", station="st-1", seq=2, kind="pass",
                  at=t0 + timedelta(seconds=40), run="run-1", pupil="p-bbbb22", team="red"),
        new_event(room="room-1", station="st-1", seq=3, kind="contribution",
                  at=t0 + timedelta(seconds=60), run="run-1", pupil="p-bbbb22", team="red"),
    ], "t")
    store.close()
    csv_path = tmp_path / "r.csv"
    assert main(["report", "--store", url, "--csv", str(csv_path)]) == 0
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("run,team,pupil")
    assert "run-1,red,p-aaaa11,,2,2,30,0.667" in rows
    assert "run-1,red,p-bbbb22,,2,1,20,0.333" in rows
