"""The lesson-to-screen protocol, checked against the shared vectors."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from kit.protocol import topics
from kit.protocol.envelope import Rejected, decode_event
from kit.protocol.screen import ActivityStart, activity_end, decode_activity_start

SCREEN = json.loads(
    resources.files("kit.protocol").joinpath("vectors.json").read_text(encoding="utf-8")
)["screen"]


@pytest.mark.parametrize("v", SCREEN["activity_start"], ids=lambda v: v["name"])
def test_activity_commands_decode_or_are_refused_with_a_reason(v: dict[str, str]) -> None:
    payload = v["payload"].encode()
    if "rejected" in v:
        with pytest.raises(Rejected) as e:
            decode_activity_start(payload)
        assert e.value.reason == v["rejected"]
    else:
        start = decode_activity_start(payload)
        assert isinstance(start, ActivityStart)
        assert decode_activity_start(start.encode()) == start


@pytest.mark.parametrize("v", SCREEN["activity_end"], ids=lambda v: v["name"])
def test_the_screen_says_done_with_an_activity_event(v: dict[str, object]) -> None:
    parsed = topics.parse(str(v["topic"]))
    assert parsed is not None
    event = decode_event(str(v["payload"]).encode(), topic_room=parsed.room,
                         topic_station=parsed.station)
    end = activity_end(event)
    assert end is not None
    assert {"name": end.name, "step": end.step, "reason": end.reason} == v["end"]

