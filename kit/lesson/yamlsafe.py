"""Teacher-proof YAML: safe loading with YAML 1.2 rules, and where every value came from.

PyYAML follows YAML 1.1, where ``no`` is ``False``, ``12:30`` is the number 750 and
``2026-01-12`` is a date. Lesson files are written by teachers, so here only ``true``/``false``
are booleans, only plain decimal numbers are numbers, and everything else stays text. Nodes are
converted by hand so that each value keeps its line and column, and duplicate keys and YAML tags
are reported rather than silently accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

# libyaml is much faster; the pure-Python parser gives the same nodes and marks.
try:
    import yaml.cyaml

    _Parser: Any = getattr(yaml.cyaml, "CParser", yaml.parser.Parser)
except ImportError:  # pragma: no cover
    _Parser = yaml.parser.Parser

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema: no yes/no/on/off booleans, no sexagesimals, no dates."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's own layout)


_Resolver.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                list("tTfF"))
_Resolver.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    _FLOAT, re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))
_Resolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"),
                                ["~", "n", "N", ""])


class _Composer(_Parser, yaml.composer.Composer, _Resolver):  # type: ignore[misc]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)


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


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def tab_problems(text: str) -> list[Problem]:
    """Tabs in indentation: YAML forbids them, and they look like spaces in most editors."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" \t"))
        i = line.find("\t", 0, indent)
        if i >= 0:
            out.append(Problem(n, i + 1, "tab used for indentation; indent with spaces only"))
    return out


def load(text: str) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML document. Returns the document (``None`` if it cannot be read at all)
    and every problem found."""
    problems = tab_problems(text)
    if problems:
        return None, problems
    try:
        composer = _Composer(text)
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = _pos(mark) if mark else (1, 1)
        what = e.problem or "cannot be read"
        ctx = f" ({e.context})" if e.context else ""
        return None, [Problem(line, col, f"YAML syntax error: {what}{ctx}")]
    except yaml.YAMLError as e:
        return None, [Problem(1, 1, f"YAML syntax error: {e}")]
    if node is None:
        return None, [Problem(1, 1, "the file is empty")]
    doc = Document(None)
    doc.data = _convert(node, (), doc, problems)
    return doc, problems


def _convert(node: Any, path: Path, doc: Document, problems: list[Problem]) -> Any:
    doc.values[path] = _pos(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                problems.append(Problem(*_pos(knode.start_mark), "a key must be a plain word"))
                continue
            key = _scalar(knode, problems)
            if not isinstance(key, str | int):
                key = str(knode.value)
            if key in out:
                first = doc.keys.get((*path, key), (0, 0))
                problems.append(Problem(*_pos(knode.start_mark),
                                        f"duplicate key '{key}' (first given on line {first[0]})"))
                continue
            doc.keys[(*path, key)] = _pos(knode.start_mark)
            out[key] = _convert(vnode, (*path, key), doc, problems)
        if node.tag not in (_MAP,):
            problems.append(Problem(*_pos(node.start_mark), f"YAML tag {node.tag} not allowed"))
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            problems.append(Problem(*_pos(node.start_mark), f"YAML tag {node.tag} not allowed"))
        return [_convert(v, (*path, i), doc, problems) for i, v in enumerate(node.value)]
    return _scalar(node, problems)


def _scalar(node: Any, problems: list[Problem]) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _INT:
        return int(value)
    if tag == _FLOAT:
        low = value.lower()
        if low.endswith("nan"):
            return float("nan")
        if low.endswith("inf"):
            return float("-inf") if low.startswith("-") else float("inf")
        return float(value)
    problems.append(Problem(*_pos(node.start_mark),
                            f"YAML tag {tag} not allowed in a lesson file; write plain values"))
    return value
