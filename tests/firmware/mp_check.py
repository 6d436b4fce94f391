# ruff: noqa  (MicroPython code: runs under MicroPython, not CPython)
# Runs under the WebAssembly MicroPython: the firmware's protocol against the shared vectors,
# then the gateway and controller scripts against the stand-in modules.
import json

import kitproto

v = json.loads(open("/fw/vectors.json").read())
n = 0
for case in v["radio"]:
    got = kitproto.parse_packet(case["text"])
    want = case["packet"]
    assert (got is None and want is None) or list(got) == want, (case, got)
    if want:
        kind = want[0]
        if kind == "k":
            text = kitproto.key_packet(want[1], want[2], want[3], want[4])
        elif kind == "h":
            text = kitproto.beat_packet(want[1])
        elif kind == "a":
            text = kitproto.ack_packet(want[1], want[2])
        else:
            text = kitproto.cmd_packet(want[1], want[2], want[3])
        assert text == case["text"], (text, case)
    n += 1
for case in v["from_gateway"]:
    f = case["fields"]
    kind = case["kind"]
    if kind == "K":
        line = kitproto.key_line(f[0], f[1], f[2], f[3], f[4], f[5])
    elif kind == "H":
        line = kitproto.beat_line(f[0], f[1], f[2])
    elif kind == "S":
        line = kitproto.stats_line(f[0], f[1], f[2], f[3], f[4])
    else:
        line = kitproto.boot_line(f[0])
    assert line == case["line"], (line, case)
    n += 1
for case in v["to_gateway"]:
    got = kitproto.parse_host_line(case["line"])
    want = case["parsed"]
    assert (got is None and want is None) or list(got) == want, (case, got)
    n += 1
print("vectors", n)

import microbit
import radio
import gateway

gateway.setup()
radio.inbox.append(b"\x01\x00\x01" + b"k,a1b2c3,1,A,0")
radio.inbox.append(b"\x01\x00\x01" + b"k,a1b2c3,1,A,0")
radio.inbox.append(b"garbage")
microbit._uart_in.append(b"A,a1b2c3,1\nC,a1b2c3,seat,4\n")
gateway.step()
lines = "".join(microbit._uart_out)
assert "B,kit-gw-1\r\n" in lines, lines
assert lines.count("K,a1b2c3,1,A,0,") == 2, lines
assert radio.sent == ["a,a1b2c3,1", "c,a1b2c3,seat,4"], radio.sent
assert gateway.dup == 1 and gateway.bad == 1
print("gateway ok")

del radio.sent[:]
import controller

controller.setup()
assert controller.dev == "a1b2c3"
controller.step()
assert radio.sent[-1].startswith("k,a1b2c3,0,hello,"), radio.sent
radio.inbox.append(b"\x01\x00\x01" + b"a,a1b2c3,0")
microbit.button_a.presses = 1
microbit.sleep(100)
controller.step()
assert radio.sent[-1] == "k,a1b2c3,1,A,0", radio.sent
radio.inbox.append(b"\x01\x00\x01" + b"c,a1b2c3,seat,9")
controller.step()
assert microbit.display.shown[-1] == "9"
print("controller ok")
