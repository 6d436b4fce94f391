"""Who may do what on the broker: one table of rules, enforced by both brokers.

Roles are MQTT user names; ``%c`` in a rule stands for the connecting client id, which for a
station *is* its station id. The embedded broker checks these rules in
:mod:`kit.hub.embedded`; :func:`mosquitto_acl` writes the same rules as a Mosquitto ACL file.
"""

from __future__ import annotations

from typing import Literal

from kit.protocol import topics

Role = Literal["hub", "teacher", "station", "gateway"]
Access = Literal["read", "write"]
ROLES: tuple[Role, ...] = ("hub", "teacher", "station", "gateway")

P = topics.PREFIX
RULES: dict[Role, tuple[tuple[Access, str], ...]] = {
    # The recorder and reports: read everything, publish hub presence.
    "hub": (("read", f"{P}/#"), ("write", f"{P}/+/hub/#")),
    # Teacher console and lesson engine: read the room, command lessons and stations,
    # record lesson events under its own client id.
    "teacher": (
        ("read", f"{P}/#"),
        ("write", f"{P}/+/lesson/#"),
        ("write", f"{P}/+/station/+/+/set"),
        ("write", f"{P}/+/events/%c"),
        ("write", f"{P}/+/station/%c/state"),
    ),
    # An activity station: only its own subtree; it cannot read the participation log.
    "station": (
        ("write", f"{P}/+/events/%c"),
        ("write", f"{P}/+/station/%c/state"),
        ("read", f"{P}/+/station/%c/#"),
        ("read", f"{P}/+/lesson/state"),
        ("read", f"{P}/+/input/+"),
        # Presence of the room's controllers, so a screen can show "reconnecting".
        ("read", f"{P}/+/station/+/state"),
    ),
    # The radio gateway on the teacher's USB port speaks for every pupil controller.
    "gateway": (
        ("write", f"{P}/+/events/+"),
        ("write", f"{P}/+/station/+/state"),
        ("write", f"{P}/+/input/+"),
        ("read", f"{P}/+/station/+/+/set"),
        ("read", f"{P}/+/station/+/state"),
        ("read", f"{P}/+/lesson/state"),
    ),
}


def _rules(role: str, client_id: str, access: Access) -> list[str]:
    if role not in RULES or not client_id or any(c in client_id for c in "/+#"):
        return []
    return [p.replace("%c", client_id) for a, p in RULES[role] if a == access]


def may_publish(role: str, client_id: str, topic: str) -> bool:
    return any(topics.matches(p, topic) for p in _rules(role, client_id, "write"))


def may_receive(role: str, client_id: str, topic: str) -> bool:
    return any(topics.matches(p, topic) for p in _rules(role, client_id, "read"))


def may_subscribe(role: str, client_id: str, filter_: str) -> bool:
    """A subscription is allowed only if every topic it could match is readable."""
    if filter_.startswith("$share/"):
        parts = filter_.split("/", 2)
        if len(parts) < 3:
            return False
        filter_ = parts[2]
    return any(topics.covers(p, filter_) for p in _rules(role, client_id, "read"))


def mosquitto_acl() -> str:
    """The same rules in Mosquitto's acl_file syntax."""
    lines = ["# written by kit hub: edit kit/hub/acl.py, not this file", ""]
    patterns: list[str] = []
    for role, rules in RULES.items():
        lines.append(f"user {role}")
        for access, pattern in rules:
            if "%c" in pattern:
                # Mosquitto pattern lines hold for every user; %c keeps them per client.
                patterns.append(f"pattern {access} {pattern}")
            else:
                lines.append(f"topic {access} {pattern}")
        lines.append("")
    lines += sorted(set(patterns))
    return "\n".join(lines) + "\n"
