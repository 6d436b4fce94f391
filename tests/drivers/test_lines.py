"""The gateway line protocol, checked against the shared vectors (firmware tests read them too)."""

from __future__ import annotations

import pytest

from kit.drivers.microbit.lines import (
    BadLine,
    BeatLine,
    BootLine,
    KeyLine,
    StatsLine,
    decode_line,
    encode_ack,
    encode_command,
)

from .conftest import VECTORS

KINDS = {"K": KeyLine, "H": BeatLine, "S": StatsLine, "B": BootLine}


@pytest.mark.parametrize("v", VECTORS["from_gateway"], ids=lambda v: v["line"])
def test_gateway_lines_decode(v: dict[str, object]) -> None:
    line = decode_line(str(v["line"]))
    assert line == KINDS[str(v["kind"])](*v["fields"])  # type: ignore[misc]
    assert decode_line(str(v["line"]) + "\r") == line


@pytest.mark.parametrize("raw", VECTORS["from_gateway_bad"])
def test_bad_gateway_lines_are_refused(raw: str) -> None:
    with pytest.raises(BadLine) as e:
        decode_line(raw)
    assert "ignored a line from the gateway" in str(e.value)


@pytest.mark.parametrize("v", [v for v in VECTORS["to_gateway"] if v["parsed"]],
                         ids=lambda v: v["line"])
def test_host_lines_encode(v: dict[str, object]) -> None:
    parsed = v["parsed"]
    assert isinstance(parsed, list)
    if parsed[0] == "A":
        assert encode_ack(parsed[1], parsed[2]) == v["line"]
    else:
        assert encode_command(parsed[1], parsed[2], parsed[3]) == v["line"]


def test_literal_lines() -> None:
    assert decode_line("K,a1b2c3,7,A,0,1234,-60") == KeyLine("a1b2c3", 7, "A", 0, 1234, -60)
    assert encode_ack("a1b2c3", 7) == "A,a1b2c3,7"
    assert encode_command("a1b2c3", "seat", "12") == "C,a1b2c3,seat,12"
    with pytest.raises(ValueError, match="unknown controller command"):
        encode_command("a1b2c3", "explode", "1")
    with pytest.raises(ValueError, match="command argument"):
        encode_command("a1b2c3", "seat", "1,2")
