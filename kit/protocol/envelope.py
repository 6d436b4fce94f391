"""The participation event envelope (schema version 1).

An event is made once, at its origin (station, gateway, lesson engine), with a UUID and a
per-origin sequence number; it is then published and stored as is. Decoding is strict: any
payload that is not exactly a v1 event is rejected with a machine-readable reason
(``Rejected.reason``) and a sentence a teacher can read (``str(err)``).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kit.errors import KitError
from kit.protocol.ids import check_id, is_id

SCHEMA_VERSION = 1
MAX_PAYLOAD_BYTES = 8192
MAX_SEQ = 2**53 - 1
#: Integers beyond this are rejected anywhere in an event (JSON numbers above 2^53 lose
#: precision in most readers, and a 5,000-digit one would stop Python's parser).
MAX_INT = 2**53
#: Nesting deeper than this is rejected (erasure walks every level).
MAX_DEPTH = 32
#: Events dated before this, or more than :data:`MAX_AHEAD` after their arrival, are refused:
#: a wrong clock would put them outside every report and beyond retention.
EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)
MAX_AHEAD = timedelta(days=1)

#: The kinds kit itself emits; other ``[a-z][a-z0-9-]*`` kinds are accepted for extensions.
CORE_KINDS = frozenset(
    {
        "join", "leave", "contribution", "turn-start", "turn-end", "pass", "timeout",
        "help", "compliment", "input", "step", "lesson", "vote", "reflect", "badge",
        "activity", "robot-lost", "robot-back",
        "health",  # devices' drop/retry counters (kit/drivers/bridge.py HEALTH_KIND)
    }
)

_KIND = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_FIELDS = ("v", "id", "ts", "room", "run", "pupil", "team", "station", "seq", "kind", "data")
_REQUIRED = ("v", "id", "ts", "room", "station", "seq", "kind")
_FIELD_SET = frozenset(_FIELDS)
_REQUIRED_SET = frozenset(_REQUIRED)


class Rejected(KitError, ValueError):
    """A payload that is not a valid event. ``reason`` is a short code for the rejected table."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    ts: str
    room: str
    station: str
    seq: int
    kind: str
    run: str | None = None
    pupil: str | None = None
    team: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def time(self) -> datetime:
        return parse_ts(self.ts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "v": SCHEMA_VERSION, "id": self.id, "ts": self.ts, "room": self.room,
            "run": self.run, "pupil": self.pupil, "team": self.team, "station": self.station,
            "seq": self.seq, "kind": self.kind, "data": dict(self.data),
        }


def format_ts(t: datetime) -> str:
    """UTC, millisecond precision, ``Z`` suffix: sorts as text."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def parse_ts(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def new_event(
    *,
    room: str,
    station: str,
    seq: int,
    kind: str,
    at: datetime,
    run: str | None = None,
    pupil: str | None = None,
    team: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> Event:
    """Make an event at its origin, with a fresh UUID. Raises ``Rejected`` on bad fields."""
    ev = Event(
        id=str(uuid.uuid4()), ts=format_ts(at), room=room, station=station, seq=seq,
        kind=kind, run=run, pupil=pupil, team=team, data=dict(data or {}),
    )
    _check(ev.as_dict())
    return ev


def encode_event(ev: Event) -> bytes:
    return json.dumps(ev.as_dict(), separators=(",", ":"), ensure_ascii=False).encode()


class _Strict(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _int(text: str) -> int:
    if len(text) > 16 and len(text.lstrip("-")) > 16:
        raise _Strict("bad-number", f"integer {text[:20]}{'…' if len(text) > 20 else ''} is "
                                    f"beyond 2^53; send it as text")
    value = int(text)
    if abs(value) > MAX_INT:
        raise _Strict("bad-number", f"integer {text[:20]}{'…' if len(text) > 20 else ''} is "
                                    f"beyond 2^53; send it as text")
    return value


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Strict("bad-number", f"number {text[:20]} is too large to be finite")
    return value


def _constant(name: str) -> Any:
    raise _Strict("bad-number", f"{name} is not a JSON number (only finite numbers are kept)")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Strict("duplicate-key", f"key {dup!r} appears twice in one object")
    return obj


_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant,
                            object_pairs_hook=_object)


def loads_strict(text: str) -> Any:
    """JSON with no NaN/Infinity, no number beyond 2^53, no duplicate key, no NUL character
    and at most :data:`MAX_DEPTH` levels. Raises ``Rejected``.

    Numbers and keys are checked as they are read. A text with at most :data:`MAX_DEPTH`
    brackets nests no deeper than that, and one without the escape ``\\u0000`` holds no NUL
    (JSON allows no raw one): such a text, nearly every event, skips the walk over every
    value that checks depth and text."""
    try:
        if text.startswith("\ufeff"):  # as json.loads says it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        obj = _DECODER.decode(text)
    except _Strict as e:
        raise Rejected(e.reason, str(e)) from None
    except (ValueError, RecursionError) as e:
        raise Rejected("not-json", f"payload is not JSON: {e}") from None
    if text.count("{") + text.count("[") > MAX_DEPTH or "\\u0000" in text:
        _check_tree(obj)
    return obj


def _check_tree(obj: Any) -> None:
    """Depth and NUL check without recursion."""
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Rejected("too-deep", f"data is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, str):
            if "\0" in value:
                raise Rejected("bad-text", "text holds a NUL character")
        elif isinstance(value, dict):
            for k, v in value.items():
                if "\0" in k:
                    raise Rejected("bad-text", "a key holds a NUL character")
                stack.append((v, depth + 1))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def check_time(ts: str, received: datetime) -> None:
    """Refuse an event time before :data:`EARLIEST` or more than :data:`MAX_AHEAD` after
    ``received`` (the hub's clock when it arrived)."""
    _check_time(parse_ts(ts), ts, received)


def _check_time(t: datetime, ts: str, received: datetime) -> None:
    if t < EARLIEST:
        raise Rejected("bad-time", f"timestamp {ts} is before {EARLIEST.year}: the station's "
                                   "clock is wrong; set its date and time")
    if t > received + MAX_AHEAD:
        raise Rejected("bad-time", f"timestamp {ts} is {(t - received).days} days ahead of the "
                                   "hub's clock: the station's clock is wrong; set its date and "
                                   "time")


def decode_event(payload: bytes, *, topic_room: str | None = None,
                 topic_station: str | None = None, received: datetime | None = None) -> Event:
    """Parse and validate a payload. If the topic's room/station are given they must match;
    if ``received`` is given the event time must be plausible (:func:`check_time`)."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Rejected("too-large", f"payload is {len(payload)} bytes; the limit is "
                                    f"{MAX_PAYLOAD_BYTES}")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Rejected("not-utf8",
                       f"payload is not UTF-8 text ({e.reason} at byte {e.start})") from e
    obj = loads_strict(text)
    if not isinstance(obj, dict):
        raise Rejected("not-object", f"payload is JSON {type(obj).__name__}, not an object")
    t = _check(obj)
    if topic_room is not None and obj["room"] != topic_room:
        raise Rejected("room-mismatch", f"event says room {obj['room']!r} but was published "
                                        f"in room {topic_room!r}")
    if topic_station is not None and obj["station"] != topic_station:
        raise Rejected("station-mismatch", f"event says station {obj['station']!r} but was "
                                           f"published by station {topic_station!r}")
    if received is not None:
        _check_time(t, obj["ts"], received)
    return Event(
        id=obj["id"], ts=obj["ts"], room=obj["room"], station=obj["station"], seq=obj["seq"],
        kind=obj["kind"], run=obj.get("run"), pupil=obj.get("pupil"), team=obj.get("team"),
        data=obj.get("data") or {},
    )


def _check(obj: dict[str, Any]) -> datetime:
    """Every field as schema version 1 has it; returns the event time."""
    v = obj.get("v")
    if v is None:
        raise Rejected("missing-field:v", "event has no schema version 'v'")
    if type(v) is not int:
        raise Rejected("bad-field:v", f"schema version must be an integer, not {v!r}")
    if v != SCHEMA_VERSION:
        raise Rejected("unknown-version", f"schema version {v} is not supported (this kit "
                                          f"speaks version {SCHEMA_VERSION}); update kit")
    if not _FIELD_SET.issuperset(obj):
        name = next(n for n in obj if n not in _FIELD_SET)
        raise Rejected(f"unknown-field:{name}", f"event has an unknown field {name!r}")
    if not _REQUIRED_SET.issubset(obj):
        name = next(n for n in _REQUIRED if n not in obj)
        raise Rejected(f"missing-field:{name}", f"event has no {name!r}")
    i = obj["id"]
    if not isinstance(i, str) or not _UUID.match(i):
        raise Rejected("bad-field:id", f"event id must be a lower-case UUID, not {i!r}")
    ts = obj["ts"]
    if not isinstance(ts, str) or not _TS.match(ts):
        raise Rejected("bad-field:ts", f"timestamp must look like 2026-01-12T09:00:00.000Z, "
                                       f"not {ts!r}")
    try:
        t = parse_ts(ts)
    except ValueError as e:
        raise Rejected("bad-field:ts", f"timestamp {ts!r} is not a real time") from e
    for name in ("room", "station"):
        if not is_id(obj[name]):
            raise Rejected(f"bad-field:{name}", f"{name} {obj[name]!r} is not a valid id")
    for name in ("run", "pupil", "team"):
        val = obj.get(name)
        if val is not None and not is_id(val):
            raise Rejected(f"bad-field:{name}", f"{name} {val!r} is not a valid id")
    seq = obj["seq"]
    if type(seq) is not int or not 0 <= seq <= MAX_SEQ:
        raise Rejected("bad-field:seq", f"seq must be a whole number from 0, not {seq!r}")
    kind = obj["kind"]
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise Rejected("bad-field:kind", f"kind {kind!r} is not a valid event kind")
    data = obj.get("data", {})
    if data is not None and not isinstance(data, dict):
        raise Rejected("bad-field:data", f"data must be an object, not {type(data).__name__}")
    return t


__all__ = [
    "CORE_KINDS", "MAX_PAYLOAD_BYTES", "SCHEMA_VERSION", "Event", "Rejected", "check_id",
    "check_time", "decode_event", "encode_event", "format_ts", "loads_strict", "new_event",
    "parse_ts",
]
