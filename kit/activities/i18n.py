"""Pupil-facing words in the class's language: gettext catalogues under ``locale/<lang>.po``.

The ``.po`` files are the source; :func:`compile_po` turns one into the binary ``.mo`` form
that the standard library's :mod:`gettext` reads, in memory, when a language is first asked
for. Every string a pupil sees goes through :func:`Words.t` or :func:`Words.n` (plural), so the
catalogue check in the tests finds it.
"""

from __future__ import annotations

import ast
import functools
import gettext
import io
import struct
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import KitError

LANGUAGES = ("en", "lt", "lv", "pl", "it", "es", "bg")
LOCALE_DIR = Path(__file__).parent / "locale"


class UnknownLanguage(KitError, LookupError):
    def __init__(self, lang: str) -> None:
        super().__init__(f"no activity words for language {lang!r}; choose one of "
                         f"{', '.join(LANGUAGES)}")
        self.lang = lang


@dataclass
class PoEntry:
    msgid: str
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def _unquote(s: str) -> str:
    value = ast.literal_eval(s)
    if not isinstance(value, str):
        raise ValueError(f"not a string: {s}")
    return value


def parse_po(text: str) -> list[PoEntry]:
    """Read a ``.po`` file (msgid, msgid_plural, msgstr and msgstr[n]; no contexts)."""
    entries: list[PoEntry] = []
    cur: PoEntry | None = None
    key: tuple[str, int] = ("", 0)

    def add(k: tuple[str, int], s: str) -> None:
        assert cur is not None
        if k[0] == "msgid":
            cur.msgid += s
        elif k[0] == "msgid_plural":
            cur.msgid_plural = (cur.msgid_plural or "") + s
        else:
            cur.msgstr[k[1]] = cur.msgstr.get(k[1], "") + s

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if line.startswith("msgid "):
                cur = PoEntry("")
                entries.append(cur)
                key = ("msgid", 0)
                add(key, _unquote(line[6:]))
            elif line.startswith("msgid_plural "):
                key = ("msgid_plural", 0)
                add(key, _unquote(line[13:]))
            elif line.startswith("msgstr["):
                idx, rest = line[7:].split("]", 1)
                key = ("msgstr", int(idx))
                add(key, _unquote(rest.strip()))
            elif line.startswith("msgstr "):
                key = ("msgstr", 0)
                add(key, _unquote(line[7:]))
            elif line.startswith('"'):
                add(key, _unquote(line))
            else:
                raise ValueError(line)
        except (ValueError, SyntaxError, AssertionError) as e:
            raise KitError(f"line {lineno}: cannot read this .po line: {raw!r} ({e})") from e
    return entries


def compile_po(text: str) -> bytes:
    """The ``.mo`` bytes of a ``.po`` text (the GNU format, little-endian)."""
    messages: dict[bytes, bytes] = {}
    for e in parse_po(text):
        if e.msgid_plural is not None:
            k = f"{e.msgid}\0{e.msgid_plural}"
            v = "\0".join(e.msgstr[i] for i in sorted(e.msgstr))
        else:
            k, v = e.msgid, e.msgstr.get(0, "")
        if e.msgid and not v.replace("\0", ""):
            continue  # untranslated: gettext falls back to the English text
        messages[k.encode()] = v.encode()
    keys = sorted(messages)
    ids = strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    n = len(keys)
    keystart = 7 * 4 + 16 * n
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    out = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    out += struct.pack(f"{len(koffsets)}i", *koffsets)
    out += struct.pack(f"{len(voffsets)}i", *voffsets)
    return out + ids + strs


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES:
        raise UnknownLanguage(lang)
    path = LOCALE_DIR / f"{lang}.po"
    return gettext.GNUTranslations(io.BytesIO(compile_po(path.read_text(encoding="utf-8"))))


class Words:
    """The words of one language. ``t("Paused")``; ``n("{n} player", "{n} players", 3)``."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang
        self._tr = translations(lang)

    def t(self, message: str, **fmt: object) -> str:
        text = self._tr.gettext(message)
        return text.format(**fmt) if fmt else text

    def n(self, singular: str, plural: str, count: int, **fmt: object) -> str:
        return self._tr.ngettext(singular, plural, count).format(n=count, **fmt)

    def __repr__(self) -> str:
        return f"<Words {self.lang}>"


def N_(message: str) -> str:
    """Mark a string for the catalogue where it is defined; translate it where it is shown."""
    return message


def extract(paths: list[Path] | None = None) -> dict[str, str | None]:
    """Every pupil-facing string in the activity sources: ``{msgid: msgid_plural or None}``,
    from literal arguments of ``N_(...)``, ``.t(...)`` and ``.n(...)``."""
    found: dict[str, str | None] = {}
    for path in paths or sorted(Path(__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) \
                else ""
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    else None for a in node.args[:2]]
            if name in ("N_", "t") and args[0] is not None:
                found.setdefault(args[0], None)
            elif name == "n" and len(args) == 2 and args[0] is not None and args[1] is not None:
                found[args[0]] = args[1]
    return found
