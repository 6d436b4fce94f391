# kit gateway: the micro:bit on the teacher's USB port. Relays pupils' presses from the radio
# to the host as compact batched lines (115200 baud), and the host's acks and commands back.
# Repeats the host already has are answered here (the ack was lost on the air) and never
# cross the serial line. MicroPython 1.9 subset (V1 and V2). Protocol: PROTOCOL.md.
from microbit import *
import radio

import kitproto

VERSION = "kit-gw-2"
GROUP = 42
STATS_MS = 5000
REFORWARD_MS = 400
MAX_DEVS = 64
MAX_LINE = 100

devs = {}  # dev -> [boot, forwarded seq, acknowledged seq, ms when forwarded]
out = []  # press groups for this step's K line
rx = 0
dup = 0
gap = 0
bad = 0
reack = 0
host = b""
next_stats = 0


def write(line):
    uart.write(line + "\n")


def flush():
    line = "K"
    for g in out:
        if len(line) + len(g) > MAX_LINE:
            write(line)
            line = "K"
        line = (line + ";" + g) if len(line) > 1 else (line + g)
    if len(line) > 1:
        write(line)
    del out[:]


def track(dev, now):
    st = devs.get(dev)
    if st is None:
        if len(devs) >= MAX_DEVS:
            devs.clear()
        st = [-1, -1, -1, now]
        devs[dev] = st
    return st


def forward(dev, st, seq, codes, start, now):
    out.append(dev + str(start) + codes[start - seq:])
    st[3] = now


def on_press(dev, seq, codes, now):
    global rx, dup, gap, reack
    rx += 1
    last = seq + len(codes) - 1
    st = devs.get(dev)
    if st is None:  # not seen since this gateway started: the host sorts out repeats
        st = track(dev, now)
        st[1] = st[2] = seq - 1
    if last > st[1]:
        start = seq if seq > st[1] else st[1] + 1
        if start > st[1] + 1:
            gap += 1
        forward(dev, st, seq, codes, start, now)
        st[1] = last
    elif st[2] >= last:
        reack += 1  # the host has them all: its ack was lost on the air
        radio.send(kitproto.packet("a", dev, st[2]))
    elif now - st[3] > REFORWARD_MS:
        start = seq if seq > st[2] else st[2] + 1  # never acknowledged: send again
        forward(dev, st, seq, codes, start, now)
    else:
        dup += 1


def on_hello(dev, boot, rssi, now):
    global dup, reack
    st = devs.get(dev)
    if st is None or st[0] != boot:
        st = track(dev, now)
        st[0], st[1], st[2] = boot, 0, -1
        write("N," + dev + "," + str(boot) + "," + str(rssi))
    elif st[2] >= 0:
        reack += 1
        radio.send(kitproto.packet("a", dev, 0))
    elif now - st[3] > REFORWARD_MS:
        st[3] = now
        write("N," + dev + "," + str(boot) + "," + str(rssi))
    else:
        dup += 1


def on_packet(data, rssi, now):
    global bad
    msg = kitproto.parse_packet(kitproto.text_of(data))
    if msg is None:
        bad += 1
    elif msg[0] == "k":
        on_press(msg[1], msg[2], msg[3], now)
    elif msg[0] == "n":
        on_hello(msg[1], msg[2], rssi, now)
    elif msg[0] == "h":
        write("H," + msg[1] + "," + str(rssi) + "," + str(msg[2]) + "," + str(msg[3]))
    else:
        bad += 1  # an ack or command from another gateway on our group


def on_host(raw):
    global bad
    for b in raw:
        if b < 32 or b > 126:
            bad += 1
            return
    line = str(raw, "ascii")
    if line[:1] == "A":
        for g in line[1:].split(";"):
            dev = g[:6]
            s = kitproto.num(g[6:])
            if s is None or not kitproto.dev_ok(dev):
                bad += 1
                continue
            st = devs.get(dev)
            if st is not None and s > st[2]:
                st[2] = s
            radio.send(kitproto.packet("a", dev, s))
        return
    p = line.split(",")
    if len(p) == 4 and p[0] == "C" and kitproto.dev_ok(p[1]) and p[2] in kitproto.COMMANDS:
        radio.send(kitproto.packet("c", p[1], p[2], p[3]))
    elif line:
        bad += 1


def read_host():
    global host, bad
    data = uart.read()
    if not data:
        return
    host += data
    while True:
        i = host.find(b"\n")
        if i < 0:
            break
        raw = host[:i]
        host = host[i + 1:]
        if raw[-1:] == b"\r":
            raw = raw[:-1]
        on_host(raw)
    if len(host) > MAX_LINE:
        host = b""
        bad += 1


def setup():
    uart.init(115200)
    try:
        import micropython
        micropython.kbd_intr(-1)
    except Exception:
        pass
    radio.config(group=GROUP, length=32, queue=40)
    radio.on()
    display.show(Image.TRIANGLE)
    write("B," + VERSION)


def step():
    global next_stats, bad
    now = running_time()
    try:
        for _ in range(40):
            try:
                pkt = radio.receive_full()
            except Exception:
                bad += 1
                continue
            if pkt is None:
                break
            on_packet(pkt[0], pkt[1], now)
        if uart.any():
            read_host()
        flush()
    except Exception:
        bad += 1
        del out[:]
    if now >= next_stats:
        next_stats = now + STATS_MS
        write("S," + str(now) + "," + str(rx) + "," + str(dup) + "," + str(gap) + ","
              + str(bad) + "," + str(reack))


def main():
    setup()
    while True:
        step()
        sleep(1)


if __name__ == "__main__":
    main()
