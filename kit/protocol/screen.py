"""The lesson and the shared screen: how a lesson starts an activity on the screen, and how the
screen says it is done.

- The lesson (teacher role) sends ``kit/v1/<room>/station/<screen>/activity/set`` with an
  :class:`ActivityStart`: which activity, its settings, the lesson step and run it belongs to,
  its time box, and the seats (controller, pseudonym, team, seat number) the lesson gave out.
- The screen records participation event ``activity`` with ``data.action`` ``start`` and, when
  the activity is over, ``end`` with the step, why it ended (``finished``: the class reached the
  goal; ``time``: the time box ran out; ``teacher``: the teacher ended it) and its outcome. The
  lesson listens to the screen's events topic (the teacher role may read the log), so the
  signal is as durable as any event: it waits in the screen's outbox through a broker outage.
- The other screen commands (``start``, ``pause``, ``resume``, ``lock``, ``unlock``, ``end``)
  are plain ``.../station/<screen>/<cmd>/set`` messages with an empty payload.

Pure codecs; ``vectors.json`` (key ``screen``) holds examples the tests read.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from kit.protocol.envelope import MAX_PAYLOAD_BYTES, Event, Rejected
from kit.protocol.ids import is_id

END_REASONS = frozenset({"finished", "time", "teacher"})


@dataclass(frozen=True, slots=True)
class SeatInfo:
    controller: str
    pupil: str
    team: str
    number: int
    role: str | None = None


@dataclass(frozen=True, slots=True)
class ActivityStart:
    name: str
    step: str
    run: str | None = None
    seconds: float | None = None  # the time box; None: until the activity or teacher ends it
    params: dict[str, Any] = field(default_factory=dict)
    seats: tuple[SeatInfo, ...] = ()
    lang: str | None = None

    def encode(self) -> bytes:
        return json.dumps({
            "v": 1, "name": self.name, "step": self.step, "run": self.run,
            "seconds": self.seconds, "params": self.params, "lang": self.lang,
            "seats": [{"controller": s.controller, "pupil": s.pupil, "team": s.team,
                       "number": s.number, "role": s.role} for s in self.seats],
        }, separators=(",", ":"), ensure_ascii=False).encode()


def decode_activity_start(payload: bytes) -> ActivityStart:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Rejected("too-large", "activity command too large")
    try:
        obj = json.loads(payload)
    except (ValueError, RecursionError) as e:
        raise Rejected("not-json", f"activity command is not JSON: {e}") from e
    if not isinstance(obj, dict) or obj.get("v") != 1:
        raise Rejected("unknown-version", "activity command must be an object with \"v\": 1")
    name, step, run = obj.get("name"), obj.get("step"), obj.get("run")
    if not is_id(name):
        raise Rejected("bad-field:name", f"activity {name!r} is not a valid name")
    if not is_id(step):
        raise Rejected("bad-field:step", f"step {step!r} is not a valid id")
    if run is not None and not is_id(run):
        raise Rejected("bad-field:run", f"run {run!r} is not a valid id")
    seconds = obj.get("seconds")
    if seconds is not None and (type(seconds) not in (int, float) or not math.isfinite(seconds)
                                or not 0 < seconds <= 4 * 3600):
        raise Rejected("bad-field:seconds", f"seconds {seconds!r}: a time box of up to 4 hours")
    params = obj.get("params") or {}
    if not isinstance(params, dict):
        raise Rejected("bad-field:params", "params must be an object")
    lang = obj.get("lang")
    if lang is not None and (not isinstance(lang, str) or len(lang) > 8):
        raise Rejected("bad-field:lang", f"lang {lang!r} is not a language code")
    seats = []
    raw_seats = obj.get("seats") or []
    if not isinstance(raw_seats, list) or len(raw_seats) > 256:
        raise Rejected("bad-field:seats", "seats must be a list of at most 256")
    for s in raw_seats:
        if not isinstance(s, dict):
            raise Rejected("bad-field:seats", "each seat must be an object")
        c, p, t, n, r = (s.get(k) for k in ("controller", "pupil", "team", "number", "role"))
        if not (is_id(c) and is_id(p) and is_id(t)) or type(n) is not int or not 0 < n < 1000:
            raise Rejected("bad-field:seats", f"seat {s!r} needs controller, pupil, team ids "
                           "and a number")
        if r is not None and not is_id(r):
            raise Rejected("bad-field:seats", f"role {r!r} is not a valid id")
        seats.append(SeatInfo(str(c), str(p), str(t), n, r))
    return ActivityStart(str(name), str(step), run, None if seconds is None else float(seconds),
                         params, tuple(seats), lang)


@dataclass(frozen=True, slots=True)
class ActivityEnd:
    name: str
    step: str | None
    reason: str
    outcome: dict[str, Any]


def activity_end(event: Event) -> ActivityEnd | None:
    """The screen's "done" signal, if ``event`` is one."""
    data = event.data or {}
    if event.kind != "activity" or data.get("action") != "end":
        return None
    name, step, reason = data.get("name"), data.get("step"), data.get("reason")
    if not isinstance(name, str) or reason not in END_REASONS:
        return None
    outcome = data.get("outcome")
    return ActivityEnd(name, step if isinstance(step, str) else None, str(reason),
                       outcome if isinstance(outcome, dict) else {})
