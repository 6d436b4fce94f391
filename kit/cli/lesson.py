"""kit lesson: check, describe and run lesson scripts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kit.cli import _common


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = sub.add_parser("check", help="check lesson files; every problem as path:line:col")
    c.add_argument("files", nargs="+", type=Path, metavar="FILE")
    c.add_argument("--controllers", type=int, default=None, metavar="N",
                   help="the classroom has N controllers: check team sizes and needs against "
                        "them")
    s = sub.add_parser("schema", help="write the JSON Schema of lesson files (for editors)")
    s.add_argument("-o", "--output", type=Path, help="write to this file (default: stdout)")
    r = sub.add_parser("run", help="run a lesson in a room (or rehearse it with --sim)")
    r.add_argument("file", type=Path, metavar="FILE")
    _common.add_classroom(r)
    r.add_argument("--stand-ins", action="store_true",
                   help="use a simulated stand-in for each device that is missing, "
                        "without asking")
    r.add_argument("--sim", action="store_true",
                   help="rehearse: the whole classroom simulated here (hub, micro:bits, "
                        "pupils, robots, screen), recorded into rehearsal.db")
    r.add_argument("--speed", type=float, default=1.0,
                   help="run this many times faster than real time (e.g. 20)")
    r.add_argument("--fast", action="store_true",
                   help="with --sim: about 60 times faster than real time")
    r.add_argument("--pupils", type=int, default=0,
                   help="with --sim: simulated pupils (default: what the lesson requires)")
    _common.add_verbose(r)


def run(args: argparse.Namespace) -> int:
    if args.action == "check":
        return _check(args.files, args.controllers)
    if args.action == "schema":
        return _schema(args.output)
    from kit.classroom.lesson_cli import run as run_lesson

    _common.setup_logging(args.verbose)
    return run_lesson(args)


def _check(files: list[Path], controllers: int | None = None) -> int:
    from kit.lesson.check import check_file

    bad = 0
    for f in files:
        lesson, problems = check_file(f, controllers=controllers)
        if lesson is None:
            bad += 1
            for line in problems:
                print(line)
            continue
        print(f"{f}: ok ({len(lesson.steps)} steps, "
              f"{int(lesson.meta.duration // 60)} minutes, {', '.join(lesson.meta.languages)})",
              file=sys.stderr)
    return 1 if bad else 0


def _schema(output: Path | None) -> int:
    import json

    from kit.lesson.schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
