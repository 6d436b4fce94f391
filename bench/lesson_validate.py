"""How long checking a lesson takes (target: p99 under 10 ms for a 40-step lesson), and the
whole ``kit lesson check`` process on one file.

    PYTHONPATH=. python bench/lesson_validate.py [--quick]

Each run is timed on the wall clock and on this thread's CPU clock: on a busy machine the wall
clock also counts the time other processes held the core, the CPU clock only ours. The last line
is one JSON object:
{"validate_40_steps_ms": {"p50", "p99", "cpu_p50", "cpu_p99"}, "check_process_s": {...},
 "load_average": ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def _processes(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """The best of ``runs`` wall times of each command, run in turn so that a busy spell on
    the machine falls on all of them alike."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(runs):
        for name, args in commands.items():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    text = forty_steps()
    lesson, problems = check_text(text, "forty.yaml")
    assert lesson is not None and len(lesson.steps) == 40, problems[:3]
    runs = 30 if args.quick else 300
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.thread_time()
        check_text(text, "forty.yaml")
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - t0) * 1000)
    p50, p99 = statistics.median(wall), _pct(wall, 0.99)
    c50, c99 = statistics.median(cpu), _pct(cpu, 0.99)
    load = os.getloadavg()[0]
    print(f"40-step lesson ({len(text.splitlines())} lines), {runs} runs: wall p50 {p50:.2f} ms, "
          f"p99 {p99:.2f} ms; CPU p50 {c50:.2f} ms, p99 {c99:.2f} ms (target p99 < 10 ms; "
          f"load average {load:.1f} on {os.cpu_count()} cores)")

    procs = 3 if args.quick else 10
    lesson_file = str(ROOT / "lessons" / "robot-relay-maze.yaml")
    best = _processes({"whole": ["-m", "kit", "lesson", "check", lesson_file],
                       "imports": ["-c", "import kit.cli.lesson, kit.lesson.check"],
                       "bare": ["-c", "pass"]}, procs)
    whole, imports, bare = best["whole"], best["imports"], best["bare"]
    print(f"kit lesson check on one file: {whole:.3f} s for the whole process (best of "
          f"{procs}); starting Python and importing takes {imports:.3f} s, Python alone "
          f"{bare:.3f} s")
    print(json.dumps({
        "validate_40_steps_ms": {"p50": round(p50, 3), "p99": round(p99, 3),
                                 "cpu_p50": round(c50, 3), "cpu_p99": round(c99, 3)},
        "check_process_s": {"whole": round(whole, 3), "start_and_imports": round(imports, 3),
                            "python_alone": round(bare, 3)},
        "load_average": round(load, 2),
    }))


if __name__ == "__main__":
    main()
