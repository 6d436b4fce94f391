"""xAPI 1.0.3 statements from participation events and badge awards. Pure functions.

- The actor is an opaque account (``l-`` and an HMAC of the pseudonym, see
  :meth:`kit.badges.issuer.Issuer.learner_id`): never a name, never the pseudonym.
- The team is context (an identified Group with no members listed).
- ADL verbs where they exist (attended, exited, responded, commented; Open Badges' earned);
  kit's own verbs, documented in docs/xapi.md, for contributed, helped, complimented and
  passed-turn.
- Each statement's id is derived from the event's id (UUID v5), so exporting or sending the
  same event twice gives the same statement, which an LRS stores once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kit.badges.criteria import made_kind
from kit.hub.store.base import EventRow

VERSION = "1.0.3"
ADL = "http://adlnet.gov/expapi/verbs/"
KIT = "https://w3id.org/xapi/kit/"
#: The namespace of statement ids: uuid5(NAMESPACE, event id).
NAMESPACE = uuid.UUID("6c0b3f8e-2f4e-5c1a-9d7e-6b1f0a3c5e21")

VERBS: dict[str, tuple[str, str]] = {
    "join": (ADL + "attended", "attended"),
    "leave": (ADL + "exited", "exited"),
    "vote": (ADL + "responded", "responded"),
    "reflect": (ADL + "commented", "commented"),
    "contribution": (KIT + "verbs/contributed", "contributed"),
    "help": (KIT + "verbs/helped", "helped"),
    "compliment": (KIT + "verbs/complimented", "complimented"),
    "pass": (KIT + "verbs/passed-turn", "passed their turn"),
}
EARNED = ("https://openbadgespec.org/xapi/verbs/earned", "earned")
COMPLETED = (ADL + "completed", "completed")
OB_RECIPE = "https://openbadgespec.org/xapi/recipe/base/0_0_2"
TEAMMATE_EXT = KIT + "extensions/teammate"
ROLE_EXT = KIT + "extensions/role"
MADE_NAMES = {"mural": "the class mural", "story": "the team story", "song": "the class song",
              "robot": "the robot's route"}


@dataclass(frozen=True, slots=True)
class Context:
    """What statements need from the hub: its address and the pseudonym → opaque id map."""

    home_page: str
    learner: Callable[[str], str]


def statement_id(source_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, source_id))


def actor(ctx: Context, pupil: str) -> dict[str, Any]:
    return {"objectType": "Agent",
            "account": {"homePage": ctx.home_page, "name": ctx.learner(pupil)}}


def _activity(ctx: Context, run: str, kind: str | None) -> dict[str, Any]:
    if kind is None:
        return {"objectType": "Activity", "id": f"{ctx.home_page}/runs/{run}",
                "definition": {"type": "http://adlnet.gov/expapi/activities/lesson",
                               "name": {"en-US": f"Lesson run {run}"}}}
    return {"objectType": "Activity", "id": f"{ctx.home_page}/runs/{run}/{kind}",
            "definition": {"type": "http://adlnet.gov/expapi/activities/interaction",
                           "name": {"en-US": MADE_NAMES.get(kind, kind)}}}


def from_event(ev: EventRow, ctx: Context) -> dict[str, Any] | None:
    """The statement for a pupil's event, or ``None`` for events that are not a pupil's act."""
    if ev.pupil is None or ev.kind not in VERBS:
        return None
    verb_id, verb_word = VERBS[ev.kind]
    run = ev.run or "-"
    kind = made_kind(ev.data) if ev.kind == "contribution" else None
    context: dict[str, Any] = {
        "registration": str(uuid.uuid5(NAMESPACE, f"run:{ev.room}:{run}")),
        "platform": "kit",
        "contextActivities": {"grouping": [{"objectType": "Activity",
                                            "id": f"{ctx.home_page}/runs/{run}"}]},
    }
    if ev.team:
        context["team"] = {"objectType": "Group",
                           "account": {"homePage": ctx.home_page, "name": f"{run}/{ev.team}"}}
    ext: dict[str, Any] = {}
    target = ev.data.get("target")
    if ev.kind in ("help", "compliment") and isinstance(target, str):
        ext[TEAMMATE_EXT] = ctx.learner(target)
    role = ev.data.get("role")
    if isinstance(role, str):
        ext[ROLE_EXT] = role
    if ext:
        context["extensions"] = ext
    if kind is not None:
        context["contextActivities"]["parent"] = [{"objectType": "Activity",
                                                   "id": f"{ctx.home_page}/runs/{run}"}]
    return {
        "id": statement_id(ev.id),
        "actor": actor(ctx, ev.pupil),
        "verb": {"id": verb_id, "display": {"en-US": verb_word}},
        "object": _activity(ctx, run, kind),
        "context": context,
        "timestamp": ev.ts,
        "version": VERSION,
    }


def earned(award_id: str, pupil: str, achievement_id: str, badge_name: str, at: str,
           ctx: Context) -> dict[str, Any]:
    """The statement that a pupil earned a badge, after the Open Badges xAPI earning recipe
    (an exploratory draft: verb, object type and recipe category as it says; the badge image
    attachment it asks for is left out, the credential itself being in the pupil's page)."""
    return {
        "id": statement_id(award_id),
        "actor": actor(ctx, pupil),
        "verb": {"id": EARNED[0], "display": {"en-US": EARNED[1]}},
        "object": {"objectType": "Activity", "id": achievement_id,
                   "definition": {"type": "http://activitystrea.ms/schema/1.0/badge",
                                  "name": {"en": badge_name}}},
        "context": {"platform": "kit", "contextActivities": {"category": [
            {"objectType": "Activity", "id": OB_RECIPE}]}},
        "timestamp": at,
        "version": VERSION,
    }


def duration(seconds: float) -> str:
    """ISO 8601 duration as xAPI writes it: ``PT14M30S``."""
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m or h else "") + f"{sec}S"


def completed(room: str, run: str, pupil: str, team: str | None, active_s: float, at: str,
              ctx: Context) -> dict[str, Any]:
    """The pupil took part in a lesson run to its end; ``result.duration`` is their active
    time in it (the same count as the participation report)."""
    context: dict[str, Any] = {"registration": str(uuid.uuid5(NAMESPACE, f"run:{room}:{run}")),
                               "platform": "kit"}
    if team:
        context["team"] = {"objectType": "Group",
                           "account": {"homePage": ctx.home_page, "name": f"{run}/{team}"}}
    return {
        "id": statement_id(f"completed:{room}:{run}:{pupil}"),
        "actor": actor(ctx, pupil),
        "verb": {"id": COMPLETED[0], "display": {"en-US": COMPLETED[1]}},
        "object": _activity(ctx, run, None),
        "result": {"completion": True, "duration": duration(active_s)},
        "context": context,
        "timestamp": at,
        "version": VERSION,
    }
