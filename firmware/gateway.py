# kit gateway: the micro:bit on the teacher's USB port. Relays radio packets from pupils'
# controllers to a line protocol on serial (115200 baud) and the host's acks and commands back.
# MicroPython 1.9 subset (runs on V1 and V2). Protocol: PROTOCOL.md.
from microbit import *
import radio

import kitproto

VERSION = "kit-gw-1"
GROUP = 42
STATS_MS = 5000
HEADER = b"\x01\x00\x01"

last = {}
rx = 0
dup = 0
gap = 0
bad = 0
buf = ""
next_stats = 0


def out(line):
    uart.write(line + "\r\n")


def on_packet(data, rssi, now):
    global rx, dup, gap, bad
    if data[:3] != HEADER:
        bad += 1
        return
    try:
        text = str(data[3:], "utf-8")
    except UnicodeError:
        bad += 1
        return
    msg = kitproto.parse_packet(text)
    if msg is None:
        bad += 1
        return
    if msg[0] == "k":
        rx += 1
        dev, s = msg[1], msg[2]
        before = last.get(dev)
        if before is not None and s == before:
            dup += 1
        elif before is not None and s > before + 1:
            gap += 1
        if len(last) > 60 and dev not in last:
            last.clear()
        last[dev] = s
        out(kitproto.key_line(dev, s, msg[3], msg[4], now, rssi))
    elif msg[0] == "h":
        out(kitproto.beat_line(msg[1], now, rssi))


def on_host(line):
    global bad
    msg = kitproto.parse_host_line(line)
    if msg is None:
        bad += 1
    elif msg[0] == "A":
        radio.send(kitproto.ack_packet(msg[1], msg[2]))
    else:
        radio.send(kitproto.cmd_packet(msg[1], msg[2], msg[3]))


def setup():
    uart.init(115200)
    try:
        import micropython
        micropython.kbd_intr(-1)
    except (ImportError, AttributeError):
        pass
    radio.config(group=GROUP, length=32, queue=40)
    radio.on()
    display.show(Image.TRIANGLE)
    out(kitproto.boot_line(VERSION))


def step():
    global buf, next_stats
    now = running_time()
    for _ in range(40):
        pkt = radio.receive_full()
        if pkt is None:
            break
        on_packet(pkt[0], pkt[1], now)
    if uart.any():
        data = uart.read()
        if data:
            buf += str(data, "utf-8")
            while "\n" in buf:
                i = buf.index("\n")
                on_host(buf[:i])
                buf = buf[i + 1:]
            if len(buf) > 80:
                buf = ""
    if now >= next_stats:
        next_stats = now + STATS_MS
        out(kitproto.stats_line(now, rx, dup, gap, bad))


def main():
    setup()
    while True:
        step()
        sleep(1)


if __name__ == "__main__":
    main()
