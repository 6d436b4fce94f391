"""The facilitator's commands on a store with eight weeks of a pretend class."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from kit.cli import main
from kit.hub.store import Store, open_store
from kit.sim.classlist import SimPupil
from tests.insight.conftest import drifting


@pytest.fixture
def url(term: Store) -> str:
    u = term.url
    term.close()
    return u


def test_report_in_the_terminal_csv_and_html(url: str, tmp_path: Path, pupils: list[SimPupil],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    html, weekly = tmp_path / "r.html", tmp_path / "w.csv"
    assert main(["report", "--store", url, "--room", "room-1", "--html", str(html),
                 "--weekly-csv", str(weekly)]) == 0
    out = capsys.readouterr().out
    who = drifting(pupils)
    assert "Early-warning signals" in out and who.pseudonym in out
    assert "attendance below 80% over 4 weeks" in out
    rows = weekly.read_text().splitlines()
    assert len(rows) == 1 + 24 * 8  # a line per pupil and week, absent weeks included
    missed = [r for r in rows if f",{who.pseudonym}," in r and r.startswith("2026-02-23")]
    assert missed and ",1,0,0.0,0," in missed[0]  # one lesson held, none attended
    page = html.read_text()
    assert "<svg" in page and "<script" not in page and who.name in page
    # One week, one run: the per-run lines.
    assert main(["report", "--store", url, "--run", "w03-1", "--no-names"]) == 0
    out = capsys.readouterr().out
    assert "Participation" in out and who.name not in out


def test_a_bad_day_says_how_to_write_it(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--store", url, "--since", "12/01/2026"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_note_flag_and_plan_commands(url: str, pupils: list[SimPupil],
                                     capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    who = drifting(pupils).pseudonym
    by = ["--by", "Ms Ozola"]
    assert main(["note", "--store", url, who, "sat apart, refused the driver role", *by]) == 0
    assert main(["note", "--store", url, who]) == 0
    assert "Ms Ozola: sat apart, refused the driver role" in capsys.readouterr().out

    assert main(["flag", "--store", url, "list", "--pupil", who]) == 0
    listed = capsys.readouterr().out
    ids = dict(re.findall(r"(f-[0-9a-f]{8}) \[open\] .*?: (\w+)", listed))
    assert len(ids) == 4
    iso = next(i for i, rule in ids.items() if rule == "no")  # "no help or compliment…"
    assert main(["flag", "--store", url, "confirm", iso, *by]) == 0

    assert main(["plan", "--store", url, "new", who, "--term", "2026-spring", *by]) == 0
    plan = re.search(r"(plan-[0-9a-f]{8})", capsys.readouterr().out)
    assert plan
    pid = plan.group(1)
    assert main(["plan", "--store", url, "risk", pid, "withdrawal", "helps nobody since week 5",
                 "--flag", iso, *by]) == 0
    risk = re.search(r"(risk-[0-9a-f]{8})", capsys.readouterr().out)
    assert risk
    assert main(["plan", "--store", url, "measure", pid, "navigator role with a buddy",
                 "--risk", risk.group(1), "--kind", "role", *by]) == 0
    for status in ("approved", "in-progress", "under-review"):
        assert main(["plan", "--store", url, "status", pid, status, *by]) == 0
    assert main(["plan", "--store", url, "status", pid, "suspended", *by]) == 2
    assert "say why" in capsys.readouterr().err
    assert main(["plan", "--store", url, "show", pid]) == 0
    shown = capsys.readouterr().out
    assert "under review" in shown and "evidence: flag " + iso in shown
    # An unconfirmed flag cannot enter a plan.
    other = next(i for i in ids if i != iso)
    assert main(["plan", "--store", url, "risk", pid, "withdrawal", "x", "--flag", other,
                 *by]) == 2
    assert "only a flag a facilitator has confirmed" in capsys.readouterr().err


def test_teacher_accounts(url: str, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["teacher", "--store", url, "add", "ozola", "--display", "Ms Ozola",
                 "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["teacher", "--store", url, "add", "rossi", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["teacher", "--store", url, "add", "station", "--password-stdin"]) == 2
    assert main(["teacher", "--store", url, "list"]) == 0
    out = capsys.readouterr().out
    assert "ozola\tMs Ozola" in out and "rossi" not in out
    store = open_store(url)
    try:
        from kit.web import auth

        assert auth.check_password(store, "ozola", "a long enough password")
        assert auth.check_password(store, "ozola", "wrong") is None
    finally:
        store.close()
