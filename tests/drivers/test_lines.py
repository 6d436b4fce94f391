"""The gateway line protocol, checked against the shared vectors (firmware tests read them too)."""

from __future__ import annotations

from typing import Any

import pytest

from kit.drivers.microbit.lines import (
    BadLine,
    BeatLine,
    BootLine,
    KeyBatch,
    KeyLine,
    StatsLine,
    decode_line,
    encode_ack,
    encode_acks,
    encode_command,
    encode_keys,
)

from .conftest import VECTORS

KINDS: dict[str, Any] = {"H": BeatLine, "S": StatsLine, "B": BootLine}


@pytest.mark.parametrize("v", VECTORS["from_gateway"], ids=lambda v: v["line"])
def test_gateway_lines_decode(v: dict[str, Any]) -> None:
    line = decode_line(v["line"])
    if "keys" in v:
        assert line == KeyBatch(tuple(KeyLine(*k) for k in v["keys"]))
        if v["line"].startswith("K"):
            assert isinstance(line, KeyBatch) and encode_keys(line.keys) == v["line"]
    else:
        assert line == KINDS[v["kind"]](*v["fields"])
    assert decode_line(v["line"] + "\r") == line


@pytest.mark.parametrize("raw", VECTORS["from_gateway_bad"])
def test_bad_gateway_lines_are_refused(raw: str) -> None:
    with pytest.raises(BadLine) as e:
        decode_line(raw)
    assert "ignored a line from the gateway" in str(e.value)


@pytest.mark.parametrize("v", [v for v in VECTORS["to_gateway"] if v["radio"]],
                         ids=lambda v: v["line"])
def test_host_lines_encode(v: dict[str, Any]) -> None:
    if "acks" in v:
        assert encode_acks(v["acks"]) == [v["line"]]
    else:
        assert encode_command(*v["command"]) == v["line"]


def test_many_acks_are_split_into_short_lines() -> None:
    acks = {f"{i:06x}": 10_000 + i for i in range(30)}
    lines = encode_acks(acks)
    assert len(lines) == 4 and all(len(x) <= 100 for x in lines)
    back = {g[:6]: int(g[6:]) for x in lines for g in x[1:].split(";")}
    assert back == acks


def test_literal_lines() -> None:
    assert decode_line("Ka1b2c37A") == KeyBatch((KeyLine("a1b2c3", 7, "A", 0),))
    assert encode_ack("a1b2c3", 7) == "Aa1b2c37"
    assert encode_command("a1b2c3", "seat", "12") == "C,a1b2c3,seat,12"
    with pytest.raises(ValueError, match="unknown controller command"):
        encode_command("a1b2c3", "explode", "1")
    with pytest.raises(ValueError, match="command argument"):
        encode_command("a1b2c3", "seat", "1,2")
    with pytest.raises(ValueError, match="six lower-case hex"):
        encode_ack("robot1", 1)
