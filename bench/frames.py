"""Frame time of each activity, headless: 32 simulated pupils pressing 500 times a second.

    PYTHONPATH=. python bench/frames.py [--quick] [--frames N]

Each frame is what the real loop does: drain the input queue, update(dt), draw. Prints p50 and
p99 per activity at 1920x1080, of wall time and of this thread's CPU time (on a busy shared
machine the wall time also counts waiting for a core); the last line is one JSON object.
Target: p99 under 8 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from kit.activities import catalog
from kit.activities.inputs import InputQueue, SimPupils
from kit.activities.recording import MemoryRecorder
from kit.activities.runner import Runner
from kit.activities.session import Session

PLAYERS = 32
RATE = 500.0  # input events per second, whole class
FPS = 60.0
SIZES = ((1920, 1080),)
LONG_GAMES: dict[str, dict[str, object]] = {
    "pixel-mural": {"rounds": 20, "paints_per_turn": 3},
    "robot-relay": {"legs": 12},
    "class-orchestra": {"bars": 64, "tempo_bpm": 90},
    "story-chain": {"panels": 12},
}


class StepClock:
    """A clock the benchmark moves by one frame at a time."""

    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    def now(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


def measure(name: str, size: tuple[int, int], frames: int) -> dict[str, float]:
    model = catalog.params_model(name)
    assert model is not None
    session = Session(catalog.activity_class(name), model(**LONG_GAMES[name]),  # type: ignore[arg-type]
                      recorder=MemoryRecorder())
    queue = InputQueue()
    sims = SimPupils(PLAYERS, rate=RATE / PLAYERS, seed=11)
    for inp in sims.hello():
        queue.put(inp)
    clock = StepClock()
    runner = Runner(session, pygame.Surface(size), queue=queue, clock=clock,  # type: ignore[arg-type]
                    sims=sims)
    runner.frame()
    session.command("start")
    for _ in range(30):  # warm the text caches as a running game would have
        clock.t += 1 / FPS
        runner.frame()
    times, cpu = [], []
    for _ in range(frames):
        clock.t += 1 / FPS
        t0, c0 = time.perf_counter(), time.thread_time()
        runner.frame()
        cpu.append((time.thread_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    cpu.sort()
    p99 = min(len(times) - 1, int(len(times) * 0.99))
    return {"p50_ms": round(statistics.median(times), 3), "p99_ms": round(times[p99], 3),
            "cpu_p50_ms": round(statistics.median(cpu), 3), "cpu_p99_ms": round(cpu[p99], 3),
            "phase_at_end": session.phase}  # type: ignore[dict-item]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer frames (under a minute)")
    ap.add_argument("--frames", type=int, default=None)
    args = ap.parse_args()
    frames = args.frames or (600 if args.quick else 3600)
    pygame.display.init()
    pygame.font.init()
    result: dict[str, dict[str, dict[str, float]]] = {}
    for name in catalog.names():
        result[name] = {}
        for w, h in SIZES:
            r = measure(name, (w, h), frames)
            phase = r.pop("phase_at_end")
            result[name][f"{w}x{h}"] = r
            print(f"{name:16} {w}x{h:<5} p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms"
                  f"  (cpu p50 {r['cpu_p50_ms']:5.2f} p99 {r['cpu_p99_ms']:5.2f})"
                  f"  ({frames} frames, {PLAYERS} pupils, {RATE:.0f} presses/s, {phase})",
                  file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
