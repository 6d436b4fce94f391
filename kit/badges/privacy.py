"""Keep other pupils out of one pupil's records: a teacher's free text ("helped Cy Cole with
the loop") may name classmates; before it goes into a credential or a pupil's page, every other
pupil's pseudonym, full name and first name is replaced by "a classmate"."""

from __future__ import annotations

import re

from kit.hub.store.base import Store

CLASSMATE = "a classmate"


def scrub(text: str, store: Store, pupil: str) -> str:
    names = store.names()
    words: set[str] = set()
    for other, name in names.items():
        if other == pupil:
            continue
        words.add(other)
        if name.strip():
            words.add(name.strip())
            first = name.split()[0]
            own = names.get(pupil, "").split()
            if len(first) > 1 and (not own or own[0] != first):
                words.add(first)
    for w in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(w)}(?!\w)", CLASSMATE, text, flags=re.IGNORECASE)
    return text
