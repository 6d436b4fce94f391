"""kit devices: the simulated set shows a gateway, controllers that joined, and robots."""

from __future__ import annotations

import json

import pytest

from kit.cli import main


def test_devices_sim_lists_everything(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "--sim", "--scan", "0.5", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = [r["kind"] for r in rows]
    assert kinds.count("controller") == 4 and kinds.count("robot") == 2
    assert all(r["state"].startswith("joined") for r in rows if r["kind"] == "controller")
    assert rows[0]["state"].startswith("open")
    assert any(r["kind"] == "ble-other" for r in rows)  # the stranger, counted not fatal
