"""Teacher-proof and attacker-proof YAML: plain data, where every value came from, and every
problem at its line and column.

PyYAML follows YAML 1.1, where ``no`` is ``False``, ``12:30`` is the number 750 and
``2026-01-12`` is a date. Lesson files are written by teachers, so here only ``true``/``false``
are booleans, only plain decimal numbers are numbers, and everything else stays text.

The parser's *events* are turned into data here, in one loop with an explicit stack, rather
than by PyYAML's composer and constructor. That is what makes hostile files cheap to refuse:

* anchors and aliases are counted, and the size a document would have with every alias written
  out is added up as it is read, so an alias bomb ("billion laughs") stops at the first alias
  past the budget, long before anything is expanded;
* an alias inside its own anchor (a document that contains itself) is refused, never walked;
* nesting is bounded, and so is the file's size;
* numbers are finite and of a sane size (no ``.nan``, ``.inf`` or 5,000-digit integers);
* explicit tags (``!!int five``, ``!!python/object``) are refused.

libyaml parses when it is there; the pure-Python parser gives the same events and marks, so a
kit without libyaml behaves the same (the tests run both).

Syntax errors that teachers make all the time (a tab used for indentation, an unquoted ``:``
inside a text) are reported *and repaired* on a copy of the text, so the rest of the file is
still checked and every problem comes out at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from yaml import events as ev

Path = tuple[str | int, ...]

MAX_BYTES = 512 * 1024  # the longest shipped lesson is 8 KB
MAX_ALIASES = 100
MAX_NODES = 50_000  # values in the document with every alias written out (a lesson: ~1,000)
MAX_DEPTH = 64
MAX_DIGITS = 15  # whole numbers up to 999 trillion
_REPAIRS = 20


def _c_parser() -> Any:
    try:
        import yaml.cyaml
    except ImportError:  # pragma: no cover (PyYAML built without libyaml)
        return None
    return getattr(yaml.cyaml, "CParser", None)


_BREAK = "\0 \t\r\n\x85\u2028\u2029"


class _PureParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python reader, scanner and parser: the same events as libyaml's."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)

    def scan_plain(self) -> Any:
        """A plain scalar, where a '?' inside ``{en: Which?, lt: Kuris?}`` is text.

        libyaml 0.2.5 allows it (yaml/libyaml#105); PyYAML's pure scanner still ends the
        scalar at the '?' and fails the whole file (yaml/pyyaml#128), which would make three
        of the shipped lessons unreadable without libyaml. This is PyYAML's method with that
        one character set changed.
        """
        chunks: list[str] = []
        start_mark = self.get_mark()
        end_mark = start_mark
        indent = self.indent + 1
        spaces: list[str] = []
        flow_stops = ",[]{}" if self.flow_level else ""
        while True:
            length = 0
            if self.peek() == "#":
                break
            while True:
                ch = self.peek(length)
                if ch in _BREAK or ch in flow_stops or (
                        ch == ":" and self.peek(length + 1) in _BREAK + flow_stops):
                    break
                length += 1
            if length == 0:
                break
            self.allow_simple_key = False
            chunks.extend(spaces)
            chunks.append(self.prefix(length))
            self.forward(length)
            end_mark = self.get_mark()
            spaces = self.scan_plain_spaces(indent, start_mark) or []
            if not spaces or self.peek() == "#" or (
                    not self.flow_level and self.column < indent):
                break
        return yaml.tokens.ScalarToken("".join(chunks), True, start_mark, end_mark)


_CParser = _c_parser()


def parser_for(text: str, *, pure: bool = False) -> Any:
    """A parser over ``text``: libyaml's if it is there (and ``pure`` is false)."""
    if _CParser is not None and not pure:
        return _CParser(text)
    return _PureParser(text)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file, at a 1-based line and column."""

    line: int
    col: int
    message: str

    def format(self, path: str) -> str:
        return f"{path}:{self.line}:{self.col}: {self.message}"


@dataclass
class Document:
    """Plain Python data, plus the position of each value and each mapping key."""

    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # plain (unquoted) values followed by a comment on the same line: where the '#' is
    cut: dict[Path, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p:
            if key and p in self.keys:
                return self.keys[p]
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (1, 1))


class _Stop(Exception):
    """The document cannot be read further (the problem is already recorded)."""


# Scalars: YAML 1.2 core schema, with numbers bounded -----------------------------------------

_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
          "FALSE": False}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_TAG_PREFIX = "tag:yaml.org,2002:"


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG_PREFIX):] if tag.startswith(_TAG_PREFIX) else tag


_WORDS: dict[str, Any] = {**_BOOLS, **dict.fromkeys(_NULLS)}
_NUMERIC_START = frozenset("-+.0123456789")
_NUMERIC_END = frozenset("0123456789.fFnN")  # digits, '1.', '.inf', '.nan'


def _plain(value: str, at: tuple[int, int], problems: list[Problem]) -> Any:
    """The value of a plain (unquoted, untagged) scalar."""
    if value in _WORDS:
        return _WORDS[value]
    if value[0] not in _NUMERIC_START or value[-1] not in _NUMERIC_END:
        return value  # words, and durations such as 5m or 90s
    if _INT.fullmatch(value):
        if len(value.lstrip("+-")) > MAX_DIGITS:
            problems.append(Problem(*at, f"the number {value[:12]}... is far too big; "
                                         "write a number with at most 15 digits"))
            return value
        return int(value)
    if _FLOAT.fullmatch(value):
        number = float(value)
        if not math.isfinite(number) or abs(number) >= 1e15:
            problems.append(Problem(*at, f"the number {value[:20]} is out of range; write an "
                                         "ordinary number such as 0.5 or 30"))
            return value
        return number
    if _SPECIAL.fullmatch(value):
        problems.append(Problem(*at, f"'{value}' (not-a-number or infinity) is not allowed; "
                                     "write an ordinary number such as 0.5 or 30"))
        return value
    return value


# Events to data -------------------------------------------------------------------------------

_DISCARD = object()
_NO_KEY = object()


@dataclass(slots=True)
class _Frame:
    container: Any  # dict or list
    is_map: bool
    path: Path
    anchor: str | None
    start: int  # nodes counted when this frame opened
    key: Any = _NO_KEY
    key_at: tuple[int, int] = (1, 1)
    discard: bool = False  # read, but dropped (under a refused key)
    is_key: bool = False  # a list or group used as a key


class _Builder:
    """Turns parser events into data, positions and problems (see the module docstring).

    The common events (a plain key, a value) take the short path in :meth:`run`; anchors,
    aliases, tags and odd keys go through the methods below."""

    def __init__(self, lines: list[str], problems: list[Problem]) -> None:
        self.lines = lines
        self.problems = problems
        self.doc = Document(None, lines=lines)
        self.anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, expanded size)
        self.open: set[str] = set()
        self.aliases = 0
        self.nodes = 0
        self.stack: list[_Frame] = []
        self.done = False
        self.blocks: list[tuple[int, int]] = []  # lines of block scalars (| and >)
        self.hashes = frozenset(i for i, line in enumerate(lines) if "#" in line)

    def _too_many(self, at: tuple[int, int]) -> None:
        self.problems.append(Problem(*at, f"this file holds more than {MAX_NODES:,} values "
                                          "once its aliases (*name) are written out; a lesson "
                                          "needs far fewer: write values out instead of "
                                          "repeating aliases"))
        raise _Stop

    def _tag(self, tag: str, at: tuple[int, int], what: str) -> None:
        short = _short_tag(tag)
        hint = {"!!int": "write the number as digits, e.g. 5",
                "!!float": "write the number as digits, e.g. 0.5",
                "!!str": "put the text in quotes instead",
                "!!bool": "write true or false"}.get(short, f"write the {what} plainly")
        self.problems.append(Problem(*at, f"YAML tag '{short}' is not allowed in this file; "
                                          f"{hint}"))

    def _put(self, value: Any, at: tuple[int, int], plain: bool = False,
             end: Any = None) -> None:
        """Place a value (or a key) in the open container."""
        stack = self.stack
        if not stack:
            self.doc.data = value
            self.doc.values[()] = at
            self.done = True
            return
        top = stack[-1]
        container = top.container
        if not top.is_map:
            if not top.discard:
                path = (*top.path, len(container))
                self.doc.values[path] = at
                if plain and end is not None and end.line in self.hashes:
                    self._cut(path, end)
            container.append(value)
            return
        key = top.key
        if key is _NO_KEY:  # this value is a key
            top.key_at = at
            self._key(value, top)
            return
        top.key = _NO_KEY
        if key is _DISCARD or top.discard:
            return
        path = (*top.path, key)
        self.doc.values[path] = at
        if plain and end is not None and end.line in self.hashes:
            self._cut(path, end)
        container[key] = value

    def _key(self, value: Any, top: _Frame) -> None:
        if value is _DISCARD:
            top.key = _DISCARD
            return
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            key = value
        else:
            key = "" if value is None else str(value).lower()
        if key in top.container:
            first = self.doc.keys.get((*top.path, key), (0, 0))
            self.problems.append(Problem(*top.key_at, f"duplicate key '{key}' (first given "
                                                      f"on line {first[0]}); keep one"))
            top.key = _DISCARD
            return
        if not top.discard:
            self.doc.keys[(*top.path, key)] = top.key_at
        top.container[key] = None  # holds the key's place (and order) until its value comes
        top.key = key

    def _cut(self, path: Path, end: Any) -> None:
        rest = self.lines[end.line][end.column:]
        stripped = rest.lstrip(" \t")
        if stripped.startswith("#") and len(stripped) < len(rest):
            self.doc.cut[path] = (end.line + 1, end.column + len(rest) - len(stripped) + 1)

    def scalar(self, e: Any) -> None:
        """Any scalar event (the short path for the common ones is in :func:`_run`)."""
        mark = e.start_mark
        at = (mark.line + 1, mark.column + 1)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._too_many(at)
        tag, style, value = e.tag, e.style, e.value
        plain = False
        if tag is not None and tag != "!":
            self._tag(tag, at, "value")
        elif e.implicit[0] and not style:
            plain = True
            value = _plain(value, at, self.problems) if value else None
        if style in ("|", ">"):
            self.blocks.append((mark.line + 1, e.end_mark.line + 1))
        if e.anchor:
            self.anchors[e.anchor] = (value, 1)
        self._put(value, at, plain, e.end_mark)

    def start(self, e: Any, is_map: bool) -> None:
        mark = e.start_mark
        at = (mark.line + 1, mark.column + 1)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._too_many(at)
        if len(self.stack) >= MAX_DEPTH:
            self.problems.append(Problem(*at, f"nested more than {MAX_DEPTH} levels deep; a "
                                              "lesson never needs that many"))
            raise _Stop
        if e.tag is not None and e.tag != "!":
            self._tag(e.tag, at, "list or group")
        top = self.stack[-1] if self.stack else None
        path: Path | None = ()
        is_key = False
        if top is not None:
            if top.discard:
                path = None
            elif top.is_map and top.key is _NO_KEY:
                self.problems.append(Problem(*at, "a key must be a plain word, not a list or "
                                                  "group"))
                is_key, path = True, None
            elif top.is_map:
                path = None if top.key is _DISCARD else (*top.path, top.key)
            else:
                path = (*top.path, len(top.container))
        if path is not None:
            self.doc.values[path] = at
        if e.anchor:
            self.open.add(e.anchor)
        self.stack.append(_Frame({} if is_map else [], is_map, path or (), e.anchor,
                                 self.nodes, discard=path is None, is_key=is_key))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.open.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.container, self.nodes - frame.start)
        if frame.is_key:
            self.stack[-1].key = _DISCARD  # the value that follows is dropped with its key
            return
        if not self.stack:
            self.doc.data = frame.container
            self.done = True
            return
        top = self.stack[-1]
        if top.is_map:
            key, top.key = top.key, _NO_KEY
            if key is not _DISCARD and not top.discard:
                top.container[key] = frame.container
        else:
            top.container.append(frame.container)

    def alias(self, e: Any) -> None:
        at = (e.start_mark.line + 1, e.start_mark.column + 1)
        name = e.anchor
        if name in self.open:
            self.problems.append(Problem(*at, f"the alias *{name} is inside its own anchor "
                                              f"&{name}, so it would repeat forever; write the "
                                              "values out"))
            raise _Stop
        if name not in self.anchors:
            self.problems.append(Problem(*at, f"the alias *{name} has no anchor &{name} above "
                                              "it; write the value out"))
            raise _Stop
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            self.problems.append(Problem(*at, f"more than {MAX_ALIASES} aliases (*name); write "
                                              "the values out"))
            raise _Stop
        value, size = self.anchors[name]
        self.nodes += size
        if self.nodes > MAX_NODES:
            self._too_many(at)
        self._put(value, at)


def _run(parser: Any, builder: _Builder) -> None:
    """The event loop. Plain scalars, lists and groups (no anchor, tag or block style) inside
    an open container take the short path here; everything else goes through the builder's
    methods. ``top`` (the open container) and ``nodes`` mirror ``builder.stack[-1]`` and
    ``builder.nodes``: they are handed back before each builder call and read again after."""
    get = parser.get_event
    scalar_event, map_start, seq_start = ev.ScalarEvent, ev.MappingStartEvent, \
        ev.SequenceStartEvent
    map_end, seq_end = ev.MappingEndEvent, ev.SequenceEndEvent
    frame_of = _Frame
    no_key, discard = _NO_KEY, _DISCARD
    stack = builder.stack
    values = builder.doc.values
    keys = builder.doc.keys
    hashes = builder.hashes
    special = _NUMERIC_START
    words = _WORDS
    problems = builder.problems
    documents = 0
    top: _Frame | None = stack[-1] if stack else None
    nodes = builder.nodes
    while True:
        e: Any = get()
        kind = type(e)
        if kind is scalar_event:
            if (top is None or top.discard or e.tag is not None or e.anchor is not None
                    or e.style in _BLOCK_STYLES):
                builder.nodes = nodes
                builder.scalar(e)
                nodes = builder.nodes
                continue
            nodes += 1
            mark = e.start_mark
            at = (mark.line + 1, mark.column + 1)
            value = e.value
            plain = e.implicit[0] and not e.style
            if plain:
                if value in words:
                    value = words[value]
                elif value[0] in special:
                    value = _plain(value, at, problems)
            if top.is_map:
                key = top.key
                if key is no_key:
                    if type(value) is str and value not in top.container:
                        keys[(*top.path, value)] = at
                        top.container[value] = None
                        top.key = value
                    else:
                        top.key_at = at
                        builder._key(value, top)
                    continue
                top.key = no_key
                if key is discard:
                    continue
                path = (*top.path, key)
                top.container[key] = value
            else:
                path = (*top.path, len(top.container))
                top.container.append(value)
            values[path] = at
            if plain and e.end_mark.line in hashes:
                builder._cut(path, e.end_mark)
            if nodes > MAX_NODES:
                builder.nodes = nodes
                builder._too_many(at)
        elif kind is map_start or kind is seq_start:
            if (top is not None and not top.discard and e.tag is None and e.anchor is None
                    and len(stack) < MAX_DEPTH):
                if not top.is_map:
                    path = (*top.path, len(top.container))
                elif top.key is not no_key and top.key is not discard:
                    path = (*top.path, top.key)
                else:
                    path = ()
                if path:
                    nodes += 1
                    mark = e.start_mark
                    if nodes > MAX_NODES:
                        builder.nodes = nodes
                        builder._too_many((mark.line + 1, mark.column + 1))
                    values[path] = (mark.line + 1, mark.column + 1)
                    is_map = kind is map_start
                    top = frame_of({} if is_map else [], is_map, path, None, nodes)
                    stack.append(top)
                    continue
            builder.nodes = nodes
            builder.start(e, kind is map_start)
            nodes = builder.nodes
            top = stack[-1]
        elif kind is map_end or kind is seq_end:
            if top is not None and top.anchor is None and not top.is_key and len(stack) > 1:
                done = stack.pop()
                top = stack[-1]
                if not top.is_map:
                    top.container.append(done.container)
                else:
                    key, top.key = top.key, no_key
                    if key is not discard and not top.discard:
                        top.container[key] = done.container
                continue
            builder.nodes = nodes
            builder.end()
            top = stack[-1] if stack else None
        elif kind is ev.AliasEvent:
            builder.nodes = nodes
            builder.alias(e)
            nodes = builder.nodes
        elif kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                mark = e.start_mark
                problems.append(Problem(mark.line + 1, mark.column + 1, "a second document "
                                        "starts here ('---'); a file holds one lesson"))
                builder.nodes = nodes
                return
        elif kind is ev.StreamEndEvent:
            builder.nodes = nodes
            return


_BLOCK_STYLES = frozenset(("|", ">"))


# Syntax errors, in words a teacher can act on ------------------------------------------------

def _syntax_problem(e: yaml.MarkedYAMLError, lines: list[str]) -> Problem:
    problem, context = str(e.problem or ""), str(e.context or "")
    mark: Any = e.problem_mark or e.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if "could not find expected ':'" in problem and e.context_mark is not None:
        # 'type:show': the scanner notices only on the next line; the key is where it began
        start: Any = e.context_mark
        src = lines[start.line] if start.line < len(lines) else ""
        if re.search(r":\S", src[start.column:]):
            return Problem(start.line + 1, start.column + 1,
                           "a ':' needs a space after it: write 'key: value'")
        return Problem(start.line + 1, start.column + 1,
                       "a line without 'key: value'; add the ':' or put the text in quotes")
    opened: Any = e.context_mark
    if "expected ',' or" in problem and opened is not None and opened.line < line - 1:
        # the bracket was never closed: the scanner only notices on a later line
        close = "]" if "']'" in problem else "}"
        pair = "[...]" if close == "]" else "{...}"
        return Problem(opened.line + 1, opened.column + 1,
                       f"the {pair} that starts here is not closed; add '{close}' at its end "
                       "(and put texts with commas or brackets in quotes)")
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    if "expected ',' or" in problem and src[col - 1:col + 1].rstrip() == ":":
        # {en: Step 1: say hello}: the second ': ' is where the scanner stops
        return Problem(line, col, "a ':' followed by a space inside {...} or [...]; put the "
                                  "text in quotes, e.g. {en: \"Step 1: say hello\"}")
    return Problem(line, col, _syntax_message(problem, context))


def _syntax_message(problem: str, context: str) -> str:
    p = problem or ""
    if "mapping values are not allowed" in p:
        return ("a ':' followed by a space inside a value; put the whole value in quotes, "
                "e.g. text: \"Tip: go slow\"")
    if "'\\t'" in p or "\\t" in p:
        return "tab used for indentation; indent with spaces only"
    if "expected ',' or ']'" in p:
        return ("a list in [...] is not closed here; add ']' (and put texts with commas or "
                "brackets in quotes)")
    if "expected ',' or '}'" in p:
        return ("a group in {...} is not closed here; add '}' (and put texts with commas or "
                "braces in quotes)")
    if "expected <block end>" in p or "expected key" in p or "expected '-' indicator" in p:
        return ("this line is indented differently from the lines around it; line it up with "
                "the keys of the same group")
    if "found unexpected end of stream" in p or "unclosed" in p:
        return "a quote or bracket opened before this point is never closed"
    if "could not find expected ':'" in p:
        return "a line without 'key: value'; add the ':' or put the text in quotes"
    if "found character" in p and "cannot start any token" in p:
        char = p.split("character", 1)[1].split("that", 1)[0].strip()
        return f"YAML cannot start a value with {char}; put the value in quotes"
    if "found undefined alias" in p or "found undefined tag handle" in p:
        return f"{p}; write the value out"
    ctx = f" ({context})" if context else ""
    return f"YAML syntax error: {p or 'cannot be read'}{ctx}"


def tab_lines(text: str) -> list[tuple[int, int]]:
    """Lines (1-based) whose indentation holds a tab, and the tab's column."""
    out: list[tuple[int, int]] = []
    if "\t" not in text:
        return out
    for n, line in enumerate(text.split("\n"), 1):
        indent = len(line) - len(line.lstrip(" \t"))
        i = line.find("\t", 0, indent)
        if i >= 0:
            out.append((n, i + 1))
    return out


def _repair_tabs(text: str, width: int) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        body = line.lstrip(" \t")
        indent = line[:len(line) - len(body)]
        if "\t" in indent:
            lines[i] = indent.replace("\t", " " * width) + body
    return "\n".join(lines)


def _repair_colon(text: str, line: int) -> str | None:
    """Quote the plain value on ``line`` (1-based) that holds a ': '."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return None
    src = lines[line - 1]
    m = re.match(r"^(\s*(?:- )?[^\s:#'\"{}\[\],][^:#]*:\s+)([^'\"\s{}\[\]|>&*!].*)$", src)
    if m is None:
        return None
    head, value = m.groups()
    value = value.rstrip()
    lines[line - 1] = head + '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "\n".join(lines)


def _parse(text: str, pure: bool) -> tuple[_Builder, Problem | None, bool]:
    """One pass: the builder, the syntax error that stopped it (if any), and whether it was
    stopped on purpose (an alias bomb, too deep...)."""
    builder = _Builder(text.split("\n"), [])
    try:
        _run(parser_for(text, pure=pure), builder)
    except _Stop:
        return builder, None, True
    except yaml.MarkedYAMLError as e:
        return builder, _syntax_problem(e, builder.lines), False
    except yaml.YAMLError as e:
        return builder, Problem(1, 1, f"YAML cannot read this file: {e}"), False
    return builder, None, False


def load(text: str, *, pure: bool = False) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML document. Returns the document (``None`` if it cannot be read at all)
    and every problem found, in file order."""
    builder, error, stopped = _parse(text, pure)
    problems: list[Problem] = []
    tabs = tab_lines(text) if error is not None else []
    if tabs:
        # Tabs in indentation: report each, then read on with spaces in their place (the
        # width that gets furthest through the file), so the rest is still checked.
        best: tuple[_Builder, Problem | None, bool] | None = None
        original = text
        for width in (4, 2, 0, 8):
            candidate = _repair_tabs(original, width)
            got = _parse(candidate, pure)
            if best is None or got[1] is None or (best[1] is not None
                                                  and got[1].line > best[1].line):
                best, text = got, candidate
            if got[1] is None:
                break
        assert best is not None
        builder, error, stopped = best
        problems += _tab_problems(tabs, builder.blocks)
        if error is not None and error.message.startswith("tab used"):
            error = None if problems else error
    for _ in range(_REPAIRS):
        if error is None or "':' followed by a space" not in error.message:
            break
        repaired = _repair_colon(text, error.line)
        if repaired is None:
            break
        problems.append(error)
        text = repaired
        builder, error, stopped = _parse(text, pure)
    if error is not None:
        problems.append(error)
    problems += builder.problems
    if error is not None or stopped:
        return None, _sorted(problems)
    if not builder.done:
        problems.append(Problem(1, 1, "the file is empty"))
        return None, _sorted(problems)
    return builder.doc, _sorted(problems)


def _tab_problems(tabs: list[tuple[int, int]], blocks: list[tuple[int, int]]) -> list[Problem]:
    return [Problem(n, c, "tab used for indentation; indent with spaces only")
            for n, c in tabs if not any(a < n < b for a, b in blocks)]


def _sorted(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in sorted(problems, key=lambda p: (p.line, p.col)):
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


# Files ------------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, list[Problem]]:
    """The text of a file that should be UTF-8; a byte that is not is reported where it is
    (and replaced, so the rest of the file is still checked)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", [Problem(1, 1, "this file is saved as UTF-16 ('Unicode'); save it as UTF-8 "
                                  "in your editor (Save as..., encoding UTF-8)")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as e:
        problems = []
        start = 0
        text = data.decode("utf-8", "replace")
        while True:
            try:
                data[start:].decode("utf-8")
                break
            except UnicodeDecodeError as err:
                at = start + err.start
                line = data.count(b"\n", 0, at) + 1
                line_start = data.rfind(b"\n", 0, at) + 1
                col = len(data[line_start:at].decode("utf-8", "replace")) + 1
                problems.append(Problem(line, col, f"byte 0x{data[at]:02X} here is not UTF-8 "
                                                   "text; save the file as UTF-8 in your "
                                                   "editor (Save as..., encoding UTF-8)"))
                start = at + max(1, err.end - err.start)
                if len(problems) >= 5:
                    break
        del e
        return text, problems


def read(path: str | FsPath, *, pure: bool = False) -> tuple[Document | None, list[Problem]]:
    """Read and parse a YAML file; problems as in :func:`load`, plus unreadable files."""
    p = FsPath(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            return None, [Problem(1, 1, f"this file is {size:,} bytes; a lesson file is at "
                                        f"most {MAX_BYTES:,} (is it the right file?)")]
        data = p.read_bytes()
    except IsADirectoryError:
        return None, [Problem(1, 1, "this is a folder; give the path of a .yaml file")]
    except FileNotFoundError:
        return None, [Problem(1, 1, "no such file; check the name and folder")]
    except OSError as e:
        return None, [Problem(1, 1, f"cannot read the file ({e.strerror or e})")]
    text, problems = decode(data)
    if not text and problems:
        return None, problems
    doc, more = load(text, pure=pure)
    return doc, _sorted(problems + more)


Validator = Callable[[Document], list[Problem]]
