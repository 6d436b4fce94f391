"""The MQTT topic tree, version-prefixed: ``kit/v1/<room>/...``.

::

    kit/v1/<room>/events/<station>               participation events, QoS 1 (one subtree)
    kit/v1/<room>/station/<station>/state        station presence, retained, last will "lost"
    kit/v1/<room>/station/<station>/<cmd>/set    a command to one station (not retained)
    kit/v1/<room>/lesson/state                   lesson state, retained
    kit/v1/<room>/lesson/<cmd>/set               teacher commands to the lesson
    kit/v1/<room>/hub/state                      hub presence, retained
    kit/v1/<room>/hub/stored/<station>           commit mark: event ids the hub has stored
    kit/v1/<room>/input/<controller>             live controller input (see inputs.py)
"""

from __future__ import annotations

from dataclasses import dataclass

from kit.protocol.ids import check_id, is_id

PREFIX = "kit/v1"


def events(room: str, station: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/events/{check_id(station, 'station')}"


def all_events(room: str = "+") -> str:
    """Subscription filter for every participation event (of one room, or of all)."""
    return f"{PREFIX}/{room}/events/+"


def station_state(room: str, station: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/station/{check_id(station, 'station')}/state"


def station_command(room: str, station: str, command: str) -> str:
    return (
        f"{PREFIX}/{check_id(room, 'room')}/station/{check_id(station, 'station')}/"
        f"{check_id(command, 'command')}/set"
    )


def station_commands(room: str, station: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/station/{check_id(station, 'station')}/+/set"


def lesson_state(room: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/lesson/state"


def lesson_command(room: str, command: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/lesson/{check_id(command, 'command')}/set"


def lesson_commands(room: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/lesson/+/set"


def hub_state(room: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/hub/state"


def all_station_states(room: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/station/+/state"


def commit_mark(room: str, station: str) -> str:
    """Where the recorder says which of ``station``'s events it has stored (end-to-end
    acknowledgement; see docs/protocol.md)."""
    return f"{PREFIX}/{check_id(room, 'room')}/hub/stored/{check_id(station, 'station')}"


def commit_marks(room: str, station: str = "+") -> str:
    """Subscription filter for the commit marks of one station (or of the whole room)."""
    return f"{PREFIX}/{check_id(room, 'room')}/hub/stored/{station}"


def controller_input(room: str, controller: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/input/{check_id(controller, 'controller')}"


def all_inputs(room: str) -> str:
    return f"{PREFIX}/{check_id(room, 'room')}/input/+"


@dataclass(frozen=True, slots=True)
class Parsed:
    """What a topic names. ``kind`` is events, station-state, station-command, lesson-state,
    lesson-command, hub-state, commit-mark or input."""

    kind: str
    room: str
    station: str | None = None
    command: str | None = None


def parse(topic: str) -> Parsed | None:
    """Read a concrete topic; ``None`` if it is not part of kit's tree."""
    parts = topic.split("/")
    if len(parts) < 4 or f"{parts[0]}/{parts[1]}" != PREFIX or not is_id(parts[2]):
        return None
    room, rest = parts[2], parts[3:]
    match rest:
        case ["events", station] if is_id(station):
            return Parsed("events", room, station)
        case ["station", station, "state"] if is_id(station):
            return Parsed("station-state", room, station)
        case ["station", station, command, "set"] if is_id(station) and is_id(command):
            return Parsed("station-command", room, station, command)
        case ["lesson", "state"]:
            return Parsed("lesson-state", room)
        case ["lesson", command, "set"] if is_id(command):
            return Parsed("lesson-command", room, command=command)
        case ["hub", "state"]:
            return Parsed("hub-state", room)
        case ["hub", "stored", station] if is_id(station):
            return Parsed("commit-mark", room, station)
        case ["input", controller] if is_id(controller):
            return Parsed("input", room, controller)
    return None


def matches(filter_: str, topic: str) -> bool:
    """MQTT topic-filter matching (``+`` one level, ``#`` the rest)."""
    f, t = filter_.split("/"), topic.split("/")
    for i, level in enumerate(f):
        if level == "#":
            return i == len(f) - 1
        if i >= len(t):
            return False
        if level != "+" and level != t[i]:
            return False
    return len(f) == len(t)


def covers(acl: str, sub: str) -> bool:
    """Whether every topic a subscription filter ``sub`` can match is within ``acl``."""
    a, s = acl.split("/"), sub.split("/")
    for i, level in enumerate(a):
        if level == "#":
            return True
        if i >= len(s):
            return False
        if s[i] == "#":
            return False
        if level == "+":
            continue
        if s[i] == "+" or s[i] != level:
            return False
    return len(a) == len(s)
