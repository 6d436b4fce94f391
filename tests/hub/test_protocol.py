"""The wire protocol, checked against the shared file of test vectors."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from kit.hub.recorder import classify
from kit.hub.store import Rejection
from kit.protocol import Event, encode_event, topics
from kit.protocol.envelope import decode_event
from kit.protocol.ids import InvalidId, check_id, slug

VECTORS: list[dict[str, Any]] = json.loads(
    resources.files("kit.protocol").joinpath("vectors.json").read_text(encoding="utf-8")
)["vectors"]


def _payload(v: dict[str, Any]) -> bytes:
    return bytes.fromhex(v["payload_hex"]) if "payload_hex" in v else v["payload"].encode()


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    result = classify(vector["topic"], _payload(vector), "2026-01-12T09:06:00.000Z")
    if "rejected" in vector:
        assert isinstance(result, Rejection)
        assert result.reason == vector["rejected"]
        assert result.detail  # a sentence for the facilitator, not just a code
    else:
        assert isinstance(result, Event), getattr(result, "detail", "")
        assert {**result.as_dict(), "data": dict(result.data)} == {"v": 1, **vector["event"]}


def test_vectors_cover_every_rejection_reason_the_codec_knows() -> None:
    reasons = {v["rejected"].split(":")[0] for v in VECTORS if "rejected" in v}
    assert {"not-json", "not-utf8", "not-object", "too-large", "unknown-version",
            "missing-field", "bad-field", "unknown-field", "station-mismatch",
            "room-mismatch", "not-an-event-topic", "bad-number", "duplicate-key",
            "too-deep", "bad-text"} <= reasons


@pytest.mark.parametrize(("ts", "ok"), [
    ("2026-01-12T09:00:00.000Z", True), ("2026-01-13T08:00:00.000Z", True),
    ("1971-01-01T00:00:00.000Z", False), ("9999-12-31T23:59:59.999Z", False),
    ("2026-01-14T09:00:00.000Z", False)])
def test_event_times_far_from_the_hubs_clock_are_refused(ts: str, ok: bool) -> None:
    from datetime import UTC, datetime

    vector = next(v for v in VECTORS if "event" in v)
    payload = json.loads(_payload(vector))
    payload["ts"] = ts
    now = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    result = classify(vector["topic"], json.dumps(payload).encode(), "t", now)
    if ok:
        assert isinstance(result, Event)
    else:
        assert isinstance(result, Rejection) and result.reason == "bad-time"
        assert "clock" in result.detail


def test_encode_then_decode_is_identity() -> None:
    ok = next(v for v in VECTORS if "event" in v)
    ev = decode_event(_payload(ok))
    assert decode_event(encode_event(ev)) == ev


def test_topic_tree() -> None:
    assert topics.events("room-7b", "mural-1") == "kit/v1/room-7b/events/mural-1"
    assert topics.station_command("room-7b", "mb-tupaz", "show") == \
        "kit/v1/room-7b/station/mb-tupaz/show/set"
    assert topics.parse("kit/v1/room-7b/lesson/pause/set") == topics.Parsed(
        "lesson-command", "room-7b", command="pause")
    assert topics.parse("kit/v2/room-7b/events/x") is None
    assert topics.parse("kit/v1/Room/events/x") is None
    with pytest.raises(InvalidId, match="lower-case"):
        topics.events("Room 7B", "x")


def test_ids_and_slugs() -> None:
    assert check_id("room-7b") == "room-7b"
    for bad in ("", "-a", "a-", "A", "a b", "a/b", "x" * 65, None, 7):
        with pytest.raises(InvalidId):
            check_id(bad)
    assert slug("Room 7B (Vilnius)") == "room-7b-vilnius"


@pytest.mark.parametrize(("filter_", "topic", "match"), [
    ("kit/v1/+/events/+", "kit/v1/r/events/s", True),
    ("kit/v1/#", "kit/v1/r/events/s", True),
    ("kit/v1/+/events/+", "kit/v1/r/events/s/x", False),
    ("kit/v1/r/#", "kit/v1/q/events/s", False),
])
def test_filter_matching(filter_: str, topic: str, match: bool) -> None:
    assert topics.matches(filter_, topic) is match
