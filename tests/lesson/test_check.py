"""Loading and checking lesson files: shipped lessons pass, broken ones say what and where."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.lesson.check import LessonInvalid, check_file, check_text, load_lesson
from kit.lesson.yamlsafe import load

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("*.yaml"))
BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
BASE = Path(__file__).parent / "base.yaml"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_shipped_lesson_passes_check(path: Path) -> None:
    lesson = load_lesson(path)
    assert lesson.meta.duration == 45 * 60
    assert "en" in lesson.meta.languages and len(lesson.meta.languages) >= 3
    assert any(r.low_pressure for r in lesson.teams.roles)


def test_there_are_at_least_four_shipped_lessons_using_every_activity() -> None:
    from kit.activities import catalog

    assert len(LESSONS) >= 4
    used = {s.activity for p in LESSONS for s in load_lesson(p).steps
            if s.type == "activity"}  # type: ignore[union-attr]
    assert used == set(catalog.names())
    types = {s.type for p in LESSONS for s in load_lesson(p).steps}
    assert {"robot", "unplugged", "reflect", "vote"} <= types


def test_the_base_test_lesson_is_valid() -> None:
    lesson, problems = check_text(BASE.read_text(), "base.yaml")
    assert problems == [] and lesson is not None


def test_broken_corpus_is_big_enough() -> None:
    assert len(BROKEN) >= 60


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_each_broken_lesson_reports_its_problem_where_it_is(path: Path) -> None:
    expected = path.with_suffix(".expect").read_text(encoding="utf-8").strip().splitlines()
    lesson, problems = check_file(path)
    assert lesson is None
    got = [p.removeprefix(f"{path}:") for p in problems]
    for line in expected:
        assert any(p.startswith(line) for p in got), (line, got)


def test_no_file_in_the_broken_corpus_gives_a_traceback() -> None:
    files = [str(p) for p in BROKEN]
    out = _kit("check", *files)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "Error" not in out.stderr, out.stderr[-2000:]
    named = {line.split(":")[0] for line in out.stdout.splitlines()}
    assert named == set(files)  # every broken file says what is wrong with it


def test_an_alias_bomb_is_refused_before_it_costs_anything() -> None:
    import time
    import tracemalloc

    bomb = (Path(__file__).parent / "broken" / "alias-bomb.yaml").read_bytes()
    assert len(bomb) <= 437
    tracemalloc.start()
    t0 = time.process_time()
    try:
        doc, problems = load(bomb.decode())
        cpu = time.process_time() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc is None and "aliases" in problems[0].message
    # the bounds (CPU time of this process, so a busy machine does not matter)
    assert cpu < 0.1 and peak < 50 * 1024 * 1024


@pytest.mark.parametrize("path", LESSONS + BROKEN, ids=lambda p: p.stem)
def test_without_libyaml_every_file_reads_the_same(path: Path) -> None:
    from kit.lesson.yamlsafe import decode

    text, _ = decode(path.read_bytes())
    fast, slow = load(text), load(text, pure=True)
    assert fast[1] == slow[1]
    assert (fast[0] is None) == (slow[0] is None)
    if fast[0] is not None and slow[0] is not None:
        assert fast[0].data == slow[0].data and fast[0].values == slow[0].values


def test_a_tab_inside_a_block_of_notes_is_fine() -> None:
    text = BASE.read_text().replace("    notes: teacher only note\n",
                                    "    notes: |\n      Ask:\n      \tWho drives first?\n")
    lesson, problems = check_text(text, "notes.yaml")
    assert problems == [] and lesson is not None
    assert lesson.steps[0].notes == "Ask:\n\tWho drives first?\n"


def test_team_size_is_checked_against_the_classrooms_controllers() -> None:
    _, problems = check_text(BASE.read_text(), "room.yaml", controllers=1)
    assert problems == [
        "room.yaml:14:16: the lesson needs 4 controllers; this classroom has 1",
        "room.yaml:17:9: teams of 2 need at least 2 controllers; this classroom has 1"]
    lesson, problems = check_text(BASE.read_text(), "room.yaml", controllers=24)
    assert problems == [] and lesson is not None


@settings(max_examples=60, derandomize=bool(os.environ.get("CI")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2000), st.sampled_from(["", "\t", ":", " #", "{", "[", "&a", "*a",
                                               "!!int", ".nan", "- ", "\n", "'", "\x00",
                                               "99999999999999999999", "é"]),
       st.integers(0, 3))
def test_no_edit_to_a_lesson_makes_the_checker_crash(at: int, insert: str, cut: int) -> None:
    text = BASE.read_text()
    at = at % len(text)
    mangled = text[:at] + insert + text[at + cut:]
    lesson, problems = check_text(mangled, "m.yaml")
    assert (lesson is None) == bool(problems)
    for p in problems:
        _, line, col, message = p.split(":", 3)
        assert int(line) >= 1 and int(col) >= 1 and message.strip()


def test_all_errors_of_a_file_are_reported_at_once() -> None:
    text = (BASE.read_text().replace("type: reflect", "type: reflekt")
            .replace("size: 2", "size: two").replace("activity: pixel-mural\n",
                                                     "activity: pixel-mual\n"))
    _, problems = check_text(text, "many.yaml")
    assert len(problems) == 3
    assert [p.split(":")[1] for p in problems] == ["17", "43", "56"]  # in file order


def test_no_stays_no_and_times_stay_text() -> None:
    doc, problems = load("a: no\nb: 12:30\nc: 2026-01-12\nd: yes\ne: 3\nf: true\n")
    assert problems == [] and doc is not None
    assert doc.data == {"a": "no", "b": "12:30", "c": "2026-01-12", "d": "yes", "e": 3,
                        "f": True}


def test_starts_at_keeps_its_time() -> None:
    lesson = load_lesson(ROOT / "lessons" / "robot-relay-maze.yaml")
    assert lesson.meta.starts_at == "12:30"


def test_load_lesson_raises_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.read_text().replace("type: reflect", "type: reflekt"))
    with pytest.raises(LessonInvalid) as info:
        load_lesson(bad)
    assert info.value.problems == [
        f"{bad}:56:11: unknown step type 'reflekt' (did you mean 'reflect'?); use one of: "
        "activity, break, poll, reflect, robot, say, show, unplugged, vote"]
    assert "1 problem" in str(info.value)


def _kit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kit", "lesson", *args], capture_output=True,
                          text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""},
                          check=False)


def test_cli_check_exits_non_zero_and_prints_every_problem() -> None:
    broken = [str(p) for p in BROKEN[:3]]
    out = _kit("check", str(BASE), *broken)
    assert out.returncode == 1
    assert len(out.stdout.splitlines()) >= 3
    for line in out.stdout.splitlines():
        assert line.split(":")[0] in broken
    ok = _kit("check", *map(str, LESSONS))
    assert ok.returncode == 0, ok.stdout


def test_cli_schema_is_json_schema_that_names_step_types(tmp_path: Path) -> None:
    out = tmp_path / "lesson.schema.json"
    assert _kit("schema", "-o", str(out)).returncode == 0
    schema = json.loads(out.read_text())
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"ShowStep", "RobotStep", "ActivityStep", "VoteStep"} <= set(schema["$defs"])
    assert schema["additionalProperties"] is False


def test_the_docs_name_every_led_pattern_and_sound_a_robot_knows() -> None:
    from kit.robot_api import LED_PATTERNS, NAMED_TONES

    text = (ROOT / "docs" / "lessons.md").read_text(encoding="utf-8")
    assert {f"`{w}`" for w in [*LED_PATTERNS, *NAMED_TONES]} <= set(
        text.replace(",", " ").replace(".", " ").split())


def test_the_example_in_the_docs_passes_check() -> None:
    text = (ROOT / "docs" / "lessons.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    lesson, problems = check_text(example, "docs/lessons.md")
    assert problems == [] and lesson is not None
    assert [s.id for s in lesson.steps] == ["hello", "drive", "thanks"]


def test_keyboard_keys_map_to_teacher_commands() -> None:
    from kit.lesson.console import KEYS

    assert KEYS["p"] == "pause" and set(KEYS.values()) == {
        "start", "pause", "resume", "skip", "back", "extend", "lock", "end"}


def test_cli_rehearsal_runs_a_whole_lesson(tmp_path: Path) -> None:
    import os

    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", ""),
           "KIT_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "kit", "lesson", "run", str(BASE), "--room",
                          "room-9", "--sim", "--fast"], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=False, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    assert [ln.split()[2] for ln in lines if ln.startswith("step ")] == [
        "hello", "drive", "mural", "vote", "thanks"]
    assert "lesson end" in out.stderr and "rehearsal finished" in lines[-1]


def _texts(value: object, lang: str) -> list[str]:
    if isinstance(value, dict):
        out = [v for k, v in value.items() if k == lang and isinstance(v, str)]
        for v in value.values():
            out += _texts(v, lang)
        return out
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, lang)]
    return []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lithuanian_and_polish_texts_use_their_own_quotes_and_dashes(path: Path) -> None:
    doc, _ = load(path.read_text(encoding="utf-8"))
    assert doc is not None
    for lang, quotes in (("lt", "„“"), ("pl", "„”")):
        for text in _texts(doc.data, lang):
            assert '"' not in text and "'" not in text, (lang, text)
            assert " - " not in text, (lang, text)  # a dash between words is '–'
            opened = [c for c in text if c in "„“”"]
            assert all(c in quotes for c in opened), (lang, text)


def test_every_break_shows_pupils_a_text() -> None:
    for path in LESSONS:
        for step in load_lesson(path).steps:
            if step.type == "break":  # type: ignore[attr-defined]
                assert step.text and all(step.text.values())  # type: ignore[attr-defined]


@functools.cache
def _schema_validator() -> object:
    from jsonschema import Draft202012Validator

    from kit.lesson.schema import json_schema

    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("path", [*LESSONS, BASE], ids=lambda p: p.stem)
def test_an_independent_json_schema_validator_accepts_every_shipped_lesson(path: Path) -> None:
    validator = _schema_validator()
    doc, _ = load(path.read_text(encoding="utf-8"))
    assert doc is not None
    errors = [e.message for e in validator.iter_errors(doc.data)]  # type: ignore[attr-defined]
    assert errors == []


@pytest.mark.parametrize(("before", "after"), [
    ("  id: tiny", "  id: Tiny Lesson"),                                   # id pattern
    ("title: {en: Tiny lesson, lt:", "title: {en: Tiny lesson, xx:"),     # language code
    ("languages: [en, lt]", "languages: [en, klingon]"),                   # language code
    ("duration: 10m", "duration: ten minutes"),                            # duration
    ("time: {target: 1m}\n    notes", "time: {target: -5}\n    notes"),    # duration
    ("activity: pixel-mural\n", "activity: pixel-mual\n"),                 # activity name
    ("      - led: heart", "      - {led: heart, sound: beep}"),           # one command
    ("      - led: heart", "      - led: hart"),                           # LED pattern
    ("      - led: heart", "      - sound: whistle"),                      # sound
    ("      - led: heart", "      - sound: '0'"),                          # pitch
])
def test_the_json_schema_refuses_what_it_can_express(before: str, after: str) -> None:
    validator = _schema_validator()
    text = BASE.read_text()
    assert before in text
    doc, _ = load(text.replace(before, after, 1))
    assert doc is not None
    assert list(validator.iter_errors(doc.data)), after  # type: ignore[attr-defined]
    assert check_text(text.replace(before, after, 1))[0] is None  # and so does the checker


def test_the_json_schema_lists_the_words_a_robot_knows() -> None:
    from kit.lesson.schema import json_schema
    from kit.robot_api import LED_PATTERNS, NAMED_TONES

    command = json_schema()["$defs"]["RobotCommand"]["properties"]
    led = next(s for s in command["led"]["anyOf"] if s.get("type") != "null")
    sound = next(s for s in command["sound"]["anyOf"] if s.get("type") != "null")
    assert led["enum"] == sorted(LED_PATTERNS)
    assert sound["anyOf"][0]["enum"] == sorted(NAMED_TONES)


@pytest.mark.parametrize(("written", "accepted"), [
    ("heart", True), ("quarter-note", True), ("smile", True), ("HEART", False),
    ("quarter_note", False), ("hart", False), ("", False)])
def test_a_robot_step_names_only_led_patterns_a_robot_knows(written: str,
                                                            accepted: bool) -> None:
    text = BASE.read_text().replace("      - led: heart", f"      - led: '{written}'")
    lesson, problems = check_text(text, "leds.yaml")
    assert (lesson is not None) == accepted, problems
    if not accepted:
        assert problems[0].startswith(f"leds.yaml:40:14: unknown LED pattern '{written}'")
        assert "a robot knows: angry, asleep," in problems[0]


@pytest.mark.parametrize(("written", "accepted"), [
    ("beep", True), ("tada", True), ("440", True), ("20", True), ("20000", True),
    ("19", False), ("20001", False), ("Beep", False), ("4 40", False), ("whistle", False)])
def test_a_robot_step_names_only_sounds_a_robot_can_play(written: str, accepted: bool) -> None:
    text = BASE.read_text().replace("      - led: heart", f"      - sound: '{written}'")
    lesson, problems = check_text(text, "sounds.yaml")
    assert (lesson is not None) == accepted, problems
    if not accepted:
        assert problems[0].startswith(f"sounds.yaml:40:16: unknown sound '{written}'")
        assert problems[0].endswith("or a pitch in Hz such as '440' (20 to 20000)")


def test_without_libyaml_the_command_gives_the_same_answers() -> None:
    files = [str(p) for p in [*LESSONS, *BROKEN[:12]]]
    code = ("import sys; sys.modules['yaml._yaml'] = None; import yaml; "
            "assert not yaml.__with_libyaml__; from kit.cli import main; "
            f"sys.exit(main(['lesson', 'check', *{files!r}]))")
    pure = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=False)
    fast = _kit("check", *files)
    assert pure.returncode == fast.returncode == 1
    assert pure.stdout == fast.stdout and "Traceback" not in pure.stderr
