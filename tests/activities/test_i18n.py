from __future__ import annotations

import gettext
import io
import json
import re

import pytest

from kit.activities.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    UnknownLanguage,
    Words,
    compile_po,
    extract,
    parse_po,
)

USED = extract()


def test_the_sources_mark_every_activity_title_and_plural() -> None:
    assert "Pixel mural" in USED and "Story chain" in USED and "Pause" in USED
    assert USED["{n} player"] == "{n} players"


def _header(entries: list) -> dict[str, str]:  # type: ignore[type-arg]
    head = next(e for e in entries if e.msgid == "").msgstr[0]
    return dict(line.split(": ", 1) for line in head.strip().splitlines())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_every_string_and_every_plural_form(lang: str) -> None:
    entries = parse_po((LOCALE_DIR / f"{lang}.po").read_text(encoding="utf-8"))
    header = _header(entries)
    nplurals = int(re.search(r"nplurals=(\d)", header["Plural-Forms"]).group(1))  # type: ignore[union-attr]
    by_id = {e.msgid: e for e in entries if e.msgid}
    missing = sorted(set(USED) - set(by_id))
    assert not missing, f"{lang}.po lacks {missing}"
    for msgid, plural in USED.items():
        e = by_id[msgid]
        placeholders = set(re.findall(r"{\w+}", msgid))
        if plural is None:
            assert e.msgid_plural is None and e.msgstr.get(0), f"{lang}: {msgid!r} untranslated"
            forms = [e.msgstr[0]]
        else:
            assert e.msgid_plural == plural
            forms = [e.msgstr.get(i, "") for i in range(nplurals)]
            assert sorted(e.msgstr) == list(range(nplurals)) and all(forms), \
                f"{lang}: {msgid!r} needs {nplurals} plural forms"
        for f in forms:
            assert set(re.findall(r"{\w+}", f)) == placeholders, f"{lang}: {f!r}"


@pytest.mark.parametrize(("lang", "counts"), [
    ("en", {1: "1 player", 2: "2 players", 0: "0 players"}),
    ("lt", {1: "1 žaidėjas", 21: "21 žaidėjas", 3: "3 žaidėjai", 12: "12 žaidėjų"}),
    ("lv", {1: "1 spēlētājs", 0: "0 spēlētāju", 5: "5 spēlētāji"}),
    ("pl", {1: "1 gracz", 3: "3 gracze", 5: "5 graczy", 22: "22 gracze", 12: "12 graczy"}),
    ("bg", {1: "1 играч", 7: "7 играчи"}),
])
def test_plural_forms_follow_each_language(lang: str, counts: dict[int, str]) -> None:
    w = Words(lang)
    assert {n: w.n("{n} player", "{n} players", n) for n in counts} == counts


def test_the_mo_compiler_matches_gettext() -> None:
    po = ('msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
          'msgid "cat"\nmsgstr "gato"\n\nmsgid "{n} cat"\nmsgid_plural "{n} cats"\n'
          'msgstr[0] "{n} gato"\nmsgstr[1] "{n} gatos"\n\nmsgid "dog"\nmsgstr ""\n')
    tr = gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    assert tr.gettext("cat") == "gato" and tr.gettext("dog") == "dog"
    assert tr.ngettext("{n} cat", "{n} cats", 3) == "{n} gatos"


def test_an_unknown_language_says_which_exist() -> None:
    with pytest.raises(UnknownLanguage, match="en, lt, lv, pl, it, es, bg"):
        Words("fr")


def test_the_font_has_every_glyph_of_every_translation() -> None:
    import pygame.freetype

    from kit.activities.ui import FONT

    pygame.freetype.init()
    font = pygame.freetype.Font(FONT, 48)
    assert font.get_metrics("\u4e2d") == [None]  # a letter it lacks is noticed
    text = "0123456789…"
    for lang in LANGUAGES:
        for e in parse_po((LOCALE_DIR / f"{lang}.po").read_text(encoding="utf-8")):
            if e.msgid:
                text += "".join(e.msgstr.values())
    chars = sorted(set(text) - {" "})
    missing = [c for c, m in zip(chars, font.get_metrics("".join(chars)), strict=True)
               if m is None]
    assert not missing, f"the font lacks {missing}"


GLOSSARY = json.loads((LOCALE_DIR / "glossary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_names_teacher_pupil_team_seat_and_turn_as_the_glossary_does(
        lang: str) -> None:
    w = Words(lang)
    terms = {k: v for k, v in GLOSSARY.items() if not k.startswith("_")}
    assert set(terms) == {"teacher", "pupil", "team", "seat", "turn"}
    checked = 0
    for key, by_lang in terms.items():
        stems = by_lang[lang]["match"].lower().split("|")
        english = re.compile(rf"\b{by_lang['en']['match']}s?\b", re.IGNORECASE)
        for msgid, plural in USED.items():
            if not english.search(msgid):
                continue
            forms = [w.n(msgid, plural, n) for n in (1, 2, 5)] if plural else [w.t(msgid)]
            for text in forms:
                assert any(s in text.lower() for s in stems), \
                    f"{lang}: {text!r} should call the {key} {by_lang[lang]['word']!r}"
                checked += 1
    assert checked >= 4


@pytest.mark.parametrize(("lang", "words"), [
    ("es", ["vuestro", "Pulsa A para salir", "Juntos"]), ("pl", ["na nauczyciela\"", "liście"]),
    ("bg", ["Погледнете учителя\""]), ("it", ["Bravi"]),
    ("en", ["Hands up"])])
def test_words_the_classroom_found_wrong_are_gone(lang: str, words: list[str]) -> None:
    text = (LOCALE_DIR / f"{lang}.po").read_text(encoding="utf-8")
    msgstrs = "\n".join(line for line in text.splitlines() if line.startswith("msgstr"))
    for word in words:
        assert word not in msgstrs, f"{lang}: {word!r} is still there"


def test_the_glossary_page_shows_every_word() -> None:
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "glossary.md").read_text(encoding="utf-8")
    for key, by_lang in GLOSSARY.items():
        if key.startswith("_"):
            continue
        row = next(line for line in page.splitlines() if line.startswith(f"| {key} "))
        for lang in LANGUAGES:
            assert by_lang[lang]["word"] in row, f"docs/glossary.md: {key} in {lang}"
