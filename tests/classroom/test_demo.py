"""``kit demo --fast``, the README's first command, as a newcomer runs it: the whole simulated
classroom (hub, gateway and 24 micro:bits on the real firmware, 6 robots on a simulated
Bluetooth link, the shared screen, a shipped lesson), then the report."""

from __future__ import annotations

import re
from pathlib import Path

from procs import Proc


async def test_the_demo_records_exactly_what_the_pretend_pupils_did(kit_home: Path) -> None:
    demo = await Proc("demo", "--fast", "--headless").start()
    code = await demo.wait(limit_s=600)
    assert code == 0, demo.output
    line = next(line for line in demo.lines if line.startswith("presses:"))
    made, recorded, sent, stored = (int(n) for n in re.findall(r"\d+", line)[:4])
    assert made > 100 and made == recorded, line
    assert sent == stored > made, line
    assert "24 of 24 pupils seated" in demo.output
    assert "robots moved: 6 of 6" in demo.output
    assert "Participation" in demo.output
    assert list((kit_home / "demo-screens" / "week-1").glob("*.png")), "screenshots were saved"
