"""Identifiers that travel on the wire: rooms, stations, pupils, teams, runs.

Ids are lower-case ``[a-z0-9-]``, 1 to 64 characters, no leading or trailing ``-`` (as in the
Homie convention), so they are safe as MQTT topic levels and in file names.
"""

from __future__ import annotations

import re

from kit.errors import KitError

ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
_ID = re.compile(ID_PATTERN)


class InvalidId(KitError, ValueError):
    def __init__(self, what: str, value: object) -> None:
        super().__init__(
            f"{what} {value!r} is not a valid id: use 1-64 lower-case letters, digits and '-' "
            "(not at the start or end), e.g. 'room-7b'"
        )
        self.what = what
        self.value = value


def is_id(value: object) -> bool:
    return isinstance(value, str) and _ID.match(value) is not None


def check_id(value: object, what: str = "id") -> str:
    if not is_id(value):
        raise InvalidId(what, value)
    assert isinstance(value, str)
    return value


def slug(text: str) -> str:
    """Turn free text ('Room 7B') into an id ('room-7b')."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-")
    return s or "x"
