"""Live controller input: a pupil's press or gesture, relayed by the radio gateway.

Published with QoS 1 on ``kit/v1/<room>/input/<controller>``. Input is not the participation
log (activity stations may read it; they may not read the log): the lesson or activity that
gives a press its meaning records the participation event, with the pupil's pseudonym.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from kit.protocol.envelope import MAX_PAYLOAD_BYTES, Rejected
from kit.protocol.ids import is_id

GESTURES = frozenset({"A", "B", "AB", "logo", "shake", "tilt", "pair", "hello"})


@dataclass(frozen=True, slots=True)
class Input:
    controller: str  # the controller's id, e.g. "mb-tupaz" (also its station id)
    seq: int  # the controller's own press counter: gaps and repeats are visible
    gesture: str  # one of GESTURES
    value: int = 0  # tilt direction/amount or other gesture detail
    pupil: str | None = None  # pseudonym, once the controller is paired to a seat
    ts: str | None = None  # when the gateway received it (UTC, format_ts)

    def encode(self) -> bytes:
        return json.dumps({"v": 1, "controller": self.controller, "seq": self.seq,
                           "gesture": self.gesture, "value": self.value, "pupil": self.pupil,
                           "ts": self.ts}, separators=(",", ":")).encode()


def decode_input(payload: bytes) -> Input:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Rejected("too-large", "input payload too large")
    try:
        obj = json.loads(payload)
    except (ValueError, RecursionError) as e:
        raise Rejected("not-json", f"input is not JSON: {e}") from e
    if not isinstance(obj, dict) or obj.get("v") != 1:
        raise Rejected("unknown-version", "input must be a JSON object with \"v\": 1")
    c, seq, g = obj.get("controller"), obj.get("seq"), obj.get("gesture")
    if not is_id(c):
        raise Rejected("bad-field:controller", f"controller {c!r} is not a valid id")
    if type(seq) is not int or seq < 0:
        raise Rejected("bad-field:seq", f"seq {seq!r} is not a whole number")
    if g not in GESTURES:
        raise Rejected("bad-field:gesture", f"gesture {g!r} is not one of {sorted(GESTURES)}")
    value, pupil, ts = obj.get("value", 0), obj.get("pupil"), obj.get("ts")
    if type(value) is not int:
        raise Rejected("bad-field:value", f"value {value!r} is not a whole number")
    if pupil is not None and not is_id(pupil):
        raise Rejected("bad-field:pupil", f"pupil {pupil!r} is not a valid id")
    if ts is not None and not isinstance(ts, str):
        raise Rejected("bad-field:ts", f"ts {ts!r} is not a timestamp")
    assert isinstance(c, str)
    return Input(c, seq, g, value, pupil, ts)


class Fresh:
    """Says whether a controller's press is new: MQTT's QoS 1 may deliver a press twice, and
    a controller that reboots (a new ``hello`` boot id) numbers its presses from the start
    again. Pure and small: one set per controller, cleared on reboot."""

    def __init__(self) -> None:
        self._seen: dict[str, set[int]] = {}
        self._boot: dict[str, int] = {}
        self.repeats = 0

    def __call__(self, inp: Input) -> bool:
        seen = self._seen.setdefault(inp.controller, set())
        if inp.gesture == "hello" and inp.seq == 0:
            if self._boot.get(inp.controller) == inp.value:
                self.repeats += 1
                return False
            self._boot[inp.controller] = inp.value
            seen.clear()
            return True
        if inp.seq in seen:
            self.repeats += 1
            return False
        seen.add(inp.seq)
        return True
