"""Who may do what on the broker: one table of rules, enforced by both brokers.

Every credential (:class:`kit.config.Identity`) is one user name, bound to a role, a room and
a station id; its client id must equal its user name (both brokers refuse anything else), so
a rule's ``{room}`` and ``{station}`` are facts about the connection, not claims made by it.
The embedded broker checks these rules in :mod:`kit.hub.embedded`; :func:`mosquitto_acl`
writes the same rules, one block per user, as a Mosquitto ACL file.

A level ending in ``*`` (``mb-*``) matches every id starting with what comes before it: the
radio gateway speaks for the room's pupil controllers (``mb-<device>``) and for nothing else.
Mosquitto has no such pattern, so there it becomes ``+`` preceded by ``deny`` lines for every
other station of the room that has a credential (kit rewrites the file when one is made).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, Protocol

from kit.protocol import topics

Role = Literal["hub", "teacher", "station", "gateway"]
Access = Literal["read", "write"]
ROLES: tuple[Role, ...] = ("hub", "teacher", "station", "gateway")
CONTROLLER_PREFIX = "mb-"

P = topics.PREFIX
RULES: dict[Role, tuple[tuple[Access, str], ...]] = {
    # The recorder and reports: read everything, publish hub presence and commit marks.
    "hub": (("read", f"{P}/#"), ("write", f"{P}/+/hub/#")),
    # Teacher console and lesson engine: read its room, command the lesson and the stations,
    # record lesson events under its own id.
    "teacher": (
        ("read", f"{P}/{{room}}/#"),
        ("write", f"{P}/{{room}}/lesson/#"),
        ("write", f"{P}/{{room}}/station/+/+/set"),
        ("write", f"{P}/{{room}}/events/{{station}}"),
        ("write", f"{P}/{{room}}/station/{{station}}/state"),
    ),
    # An activity station: only its own subtree; it cannot read the participation log.
    "station": (
        ("write", f"{P}/{{room}}/events/{{station}}"),
        ("write", f"{P}/{{room}}/station/{{station}}/state"),
        ("read", f"{P}/{{room}}/station/{{station}}/#"),
        ("read", f"{P}/{{room}}/lesson/state"),
        ("read", f"{P}/{{room}}/input/+"),
        # Presence of the room's controllers, so a screen can show "reconnecting".
        ("read", f"{P}/{{room}}/station/+/state"),
        ("read", f"{P}/{{room}}/hub/state"),
        ("read", f"{P}/{{room}}/hub/stored/{{station}}"),
    ),
    # The radio gateway on the teacher's USB port speaks for the room's pupil controllers.
    "gateway": (
        ("write", f"{P}/{{room}}/events/{{station}}"),
        ("write", f"{P}/{{room}}/station/{{station}}/state"),
        ("write", f"{P}/{{room}}/events/{CONTROLLER_PREFIX}*"),
        ("write", f"{P}/{{room}}/station/{CONTROLLER_PREFIX}*/state"),
        ("write", f"{P}/{{room}}/input/{CONTROLLER_PREFIX}*"),
        ("read", f"{P}/{{room}}/station/+/+/set"),
        ("read", f"{P}/{{room}}/station/+/state"),
        ("read", f"{P}/{{room}}/lesson/state"),
        ("read", f"{P}/{{room}}/hub/state"),
        ("read", f"{P}/{{room}}/hub/stored/+"),
    ),
}


class Who(Protocol):
    """What the rules need to know of a connection (:class:`kit.config.Identity` fits)."""

    @property
    def role(self) -> str: ...

    @property
    def room(self) -> str: ...

    @property
    def station(self) -> str: ...


def rules(who: Who, access: Access) -> list[str]:
    if who.role not in RULES:
        return []
    room = "+" if who.role == "hub" else who.room
    return [p.replace("{room}", room).replace("{station}", who.station)
            for a, p in RULES[who.role] if a == access]


def _matches(pattern: str, topic: str) -> bool:
    f, t = pattern.split("/"), topic.split("/")
    for i, level in enumerate(f):
        if level == "#":
            return i == len(f) - 1
        if i >= len(t):
            return False
        if level.endswith("*") and level != "*":
            if not t[i].startswith(level[:-1]) or t[i] in ("+", "#"):
                return False
        elif level != "+" and level != t[i]:
            return False
    return len(f) == len(t)


def _covers(pattern: str, sub: str) -> bool:
    a, s = pattern.split("/"), sub.split("/")
    for i, level in enumerate(a):
        if level == "#":
            return True
        if i >= len(s) or s[i] == "#":
            return False
        if level == "+":
            continue
        if s[i] == "+":
            return False
        if level.endswith("*") and level != "*":
            if not s[i].startswith(level[:-1]):
                return False
        elif s[i] != level:
            return False
    return len(a) == len(s)


def may_publish(who: Who, topic: str) -> bool:
    return any(_matches(p, topic) for p in rules(who, "write"))


def may_receive(who: Who, topic: str) -> bool:
    return any(_matches(p, topic) for p in rules(who, "read"))


def may_subscribe(who: Who, filter_: str) -> bool:
    """A subscription is allowed only if every topic it could match is readable; shared
    subscriptions (``$share/...``) only to the hub role, whose recorders share the load."""
    if filter_.startswith("$share/"):
        parts = filter_.split("/", 2)
        if len(parts) < 3 or who.role != "hub":
            return False
        filter_ = parts[2]
    return any(_covers(p, filter_) for p in rules(who, "read"))


def mosquitto_acl(users: Iterable[tuple[str, Who]]) -> str:
    """The same rules in Mosquitto's acl_file syntax, one block per user name.

    Mosquitto checks a user's ``topic`` lines in order and the first ``deny`` that matches
    refuses (mosquitto 2.0 ``acl__check_single``), so the deny lines that narrow ``mb-*`` to
    the controllers come first.
    """
    users = sorted(users, key=lambda u: u[0])
    stations_by_room: dict[str, set[str]] = {}
    for _, who in users:
        if not who.station.startswith(CONTROLLER_PREFIX):
            stations_by_room.setdefault(who.room, set()).add(who.station)
    lines = ["# written by kit hub: edit kit/hub/acl.py, not this file", ""]
    for name, who in users:
        if who.role not in RULES or any(c in name for c in "\n\r"):
            continue
        lines.append(f"user {name}")
        body: list[str] = []
        for access, pattern in RULES[who.role]:
            room = "+" if who.role == "hub" else who.room
            concrete = pattern.replace("{room}", room).replace("{station}", who.station)
            levels = concrete.split("/")
            if any(lv.endswith("*") and lv != "*" for lv in levels):
                i = next(k for k, lv in enumerate(levels) if lv.endswith("*"))
                for other in sorted(stations_by_room.get(who.room, set()) - {who.station}):
                    deny = levels.copy()
                    deny[i] = other
                    lines.append(f"topic deny {'/'.join(deny)}")
                levels[i] = "+"
                concrete = "/".join(levels)
            body.append(f"topic {access} {concrete}")
        lines += body
        lines.append("")
    return "\n".join(lines) + "\n"
