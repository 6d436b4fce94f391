# ruff: noqa  (MicroPython code: runs under MicroPython, not CPython)
# Runs under the WebAssembly MicroPython: the firmware's protocol against the shared vectors,
# then the gateway and controller scripts against the stand-in modules, with everything a
# classroom's air and a host can throw at them.
import json

import kitproto

v = json.loads(open("/fw/vectors.json").read())
H = b"\x01\x00\x01"


def air(text):
    return H + text.encode()


def unhex(s):
    out = bytearray()
    for i in range(0, len(s), 2):
        out.append(int(s[i:i + 2], 16))
    return bytes(out)


n = 0
for case in v["radio"]:
    got = kitproto.parse_packet(kitproto.text_of(air(case["text"])))
    want = case["packet"]
    assert (got is None and want is None) or list(got) == want, (case, got)
    if want:
        if want[0] == "c":
            text = kitproto.packet("c", want[1], want[2], want[3])
        elif len(want) == 4:
            text = kitproto.packet(want[0], want[1], want[2], want[3])
        else:
            text = kitproto.packet(want[0], want[1], want[2])
        assert text == case["text"], (text, case)
    n += 1
for case in v["foreign_radio"]:
    assert kitproto.parse_packet(kitproto.text_of(unhex(case["hex"]))) is None, case
    n += 1
print("vectors", n)

import microbit
import radio
import gateway

gateway.setup()
for case in v["to_gateway"]:
    del radio.sent[:]
    bad = gateway.bad
    microbit._uart_in.append(case["line"].encode() + b"\n")
    gateway.step()
    assert radio.sent == case["radio"], (case, radio.sent)
    assert gateway.bad == bad + (0 if case["radio"] else 1), case
del radio.sent[:]
del microbit._uart_out[:]

# presses: new ones are forwarded once, batched; repeats stay on the gateway
radio.inbox.append(air("n,a1b2c3,4711"))
radio.inbox.append(air("k,0f0f0f,5,AB"))
gateway.step()
out = "".join(microbit._uart_out)
assert "N,a1b2c3,4711,-60\n" in out, out
assert "K0f0f0f5AB\n" in out, out
del microbit._uart_out[:]
radio.inbox.append(air("k,0f0f0f,5,ABl"))  # a repeat with one new press
radio.inbox.append(air("k,a1b2c3,1,A"))
gateway.step()
out = "".join(microbit._uart_out)
assert out == "K0f0f0f7l;a1b2c31A\n", out
del microbit._uart_out[:]
radio.inbox.append(air("k,0f0f0f,5,ABl"))  # not yet acknowledged by the host: dropped
gateway.step()
assert microbit._uart_out == [] and gateway.dup == 1, microbit._uart_out
# the host acknowledges; the ack is lost on the air; the repeat is answered by the gateway
microbit._uart_in.append(b"A0f0f0f7\n")
gateway.step()
del radio.sent[:]
radio.inbox.append(air("k,0f0f0f,5,ABl"))
gateway.step()
assert radio.sent == ["a,0f0f0f,7"] and microbit._uart_out == [], radio.sent
assert gateway.reack == 1
# a host that never answered (it restarted): forwarded again after a while
microbit.sleep(500)
radio.inbox.append(air("k,a1b2c3,1,A"))
gateway.step()
assert "".join(microbit._uart_out) == "Ka1b2c31A\n", microbit._uart_out
del microbit._uart_out[:]

# nothing on the air or the wire stops it
bad = gateway.bad
for case in v["foreign_radio"]:
    radio.inbox.append(unhex(case["hex"]))
gateway.step()
assert gateway.bad == bad + len(v["foreign_radio"]), gateway.bad
microbit._uart_in.append(b"\xff\xfe garbage \x00\n")
microbit._uart_in.append(b"C,a1b2c3,seat,\xc3")  # a character split across two reads
gateway.step()
microbit._uart_in.append(b"\xa9\nAa1b2")
gateway.step()
microbit._uart_in.append(b"c31\n" + b"x" * 300)
del radio.sent[:]
gateway.step()
assert radio.sent == ["a,a1b2c3,1"], radio.sent
assert gateway.bad == bad + len(v["foreign_radio"]) + 3, gateway.bad
microbit._uart_in.append(b"\nC,a1b2c3,seat,4\n")
gateway.step()
assert radio.sent[-1] == "c,a1b2c3,seat,4", radio.sent
print("gateway ok")

del radio.sent[:]
import controller

controller.setup()
assert controller.dev == "a1b2c3"
controller.step()
assert radio.sent[-1].startswith("n,a1b2c3,"), radio.sent
for case in v["foreign_radio"]:
    radio.inbox.append(unhex(case["hex"]))
radio.inbox.append(air("a,a1b2c3,0"))
microbit.button_a.presses = 1
microbit.sleep(100)
for _ in range(3):
    controller.step()
import kitinput

assert kitinput.foreign == len(v["foreign_radio"]), kitinput.foreign
assert "k,a1b2c3,1,A" in radio.sent, radio.sent
microbit.button_b.presses = 1
microbit.sleep(10)
controller.step()
assert radio.sent[-1] == "k,a1b2c3,1,AB", radio.sent  # still unacked: sent with the new one
radio.inbox.append(air("a,a1b2c3,1"))
microbit.accelerometer.x = -900
microbit.sleep(10)
controller.step()
assert radio.sent[-1] == "k,a1b2c3,2,Bl", radio.sent
# no ack: repeats with backoff, counted
sends = len(radio.sent)
for _ in range(200):
    microbit.sleep(5)
    controller.step()
repeats = [s for s in radio.sent[sends:] if s.startswith("k,")]
assert 10 <= len(repeats) <= 50 and controller.retries == len(repeats), (repeats, controller.retries)
radio.inbox.append(air("c,a1b2c3,seat,9"))
radio.inbox.append(air("c,a1b2c3,led,NOSUCHIMAGE"))
radio.inbox.append(air("c,a1b2c3,sound,abc"))
controller.step()
assert microbit.display.shown[-1] == "9"
# a full queue drops presses and counts them; the heartbeat carries the counters
for _ in range(20):
    microbit.button_a.presses = 1
    controller.step()
assert len(controller.codes) == 16 and controller.drops > 0
microbit.sleep(2000)
controller.step()
beats = [s for s in radio.sent if s.startswith("h,")]
assert beats[-1].startswith("h,a1b2c3," + str(controller.drops) + ","), beats
assert controller.errors == 0 and kitinput.errors == 0, (controller.errors, kitinput.errors)
print("controller ok")
