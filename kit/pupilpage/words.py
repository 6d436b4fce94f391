"""The page's words in the family's language: gettext catalogues in ``locale/<lang>.po``
(compiled in memory the same way as the activities' catalogues)."""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from kit.activities.i18n import compile_po
from kit.errors import KitError

LANGUAGES = ("en", "lt", "lv", "pl", "it", "es", "bg")
LOCALE_DIR = Path(__file__).parent / "locale"


class UnknownLanguage(KitError, LookupError):
    def __init__(self, lang: str) -> None:
        super().__init__(f"no pupil page words for language {lang!r}; choose one of "
                         f"{', '.join(LANGUAGES)}")
        self.lang = lang


@functools.cache
def _translations(lang: str) -> gettext.GNUTranslations:
    if lang not in LANGUAGES:
        raise UnknownLanguage(lang)
    text = (LOCALE_DIR / f"{lang}.po").read_text(encoding="utf-8")
    return gettext.GNUTranslations(io.BytesIO(compile_po(text)))


class Words:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._tr = _translations(lang)

    def t(self, message: str, **fmt: object) -> str:
        text = self._tr.gettext(message)
        return text.format(**fmt) if fmt else text

    def n(self, singular: str, plural: str, count: int) -> str:
        return self._tr.ngettext(singular, plural, count).format(n=count)
