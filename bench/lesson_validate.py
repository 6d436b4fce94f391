"""How long checking a 40-step lesson takes (target: under 10 ms).

    PYTHONPATH=. python bench/lesson_validate.py [--quick]

The last line is one JSON object: {"validate_40_steps_ms": {"p50": ..., "p99": ...}}.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from kit.lesson.check import check_text

ROOT = Path(__file__).resolve().parents[1]


def forty_steps() -> str:
    text = (ROOT / "lessons" / "robot-relay-maze.yaml").read_text(encoding="utf-8")
    head, steps = text.split("\nsteps:\n", 1)
    blocks = ["  - id:" + b for b in steps.split("  - id:")[1:]]
    out = []
    for i in range(40):
        block = blocks[i % len(blocks)]
        _first, rest = block.split("\n", 1)
        out.append(f"  - id: s{i}\n{rest}")
    return head.replace("duration: 45m", "duration: 9h") + "\nsteps:\n" + "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    text = forty_steps()
    lesson, problems = check_text(text, "forty.yaml")
    assert lesson is not None and len(lesson.steps) == 40, problems[:3]
    runs = 30 if args.quick else 300
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        check_text(text, "forty.yaml")
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"40-step lesson ({len(text.splitlines())} lines), {runs} runs: "
          f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (target < 10 ms)")
    print(json.dumps({"validate_40_steps_ms": {"p50": round(p50, 3), "p99": round(p99, 3)}}))


if __name__ == "__main__":
    main()
