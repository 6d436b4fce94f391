# kit controller: a pupil's micro:bit. Sends presses and gestures over the radio with its
# device id and sequence numbers, and repeats every press the host has not yet acknowledged
# (backoff with jitter) until an ack arrives. MicroPython 1.9 subset (runs on V1 and V2).
# Nothing on the air can stop it: foreign packets (MakeCode, send_bytes, empty) are counted
# and ignored. Protocol: PROTOCOL.md. On a V1 every file is compiled at boot in about 8 KB of
# heap, and compiling costs far more than the code keeps: hence two small files.
from microbit import *
import machine
import radio
import random
from micropython import const

import kitinput  # buttons, gestures, radio in; kept apart so each file compiles in a small heap

GROUP = const(42)
RETRY_MS = const(20)
MAX_RETRY_MS = const(60)
BEAT_MS = const(2000)
MAX_QUEUE = const(16)
WINDOW = const(14)  # presses per packet: "k,a1b2c3,12345," + 14 codes fits 29 characters
RADIO_QUEUE = const(16)

dev = ""
me = b""
boot = 0
hello = True  # our hello (sequence 0) is not acknowledged yet
first = 1  # sequence number of codes[0]
codes = ""  # presses not yet acknowledged, one character each
next_send = 0  # 0: send at once
wait = RETRY_MS
next_beat = 0
drops = 0
retries = 0
errors = 0  # steps that failed (nothing should; counted, never fatal)


def device_id():
    text = ""
    for b in machine.unique_id()[-3:]:
        text += "%02x" % b
    return text


def put(code):
    global codes, drops, next_send
    if len(codes) >= MAX_QUEUE:
        drops += 1
        return
    codes += code
    next_send = 0  # the packet also repeats what is still unacknowledged


def on_ack(s):
    global hello, first, codes, next_send, wait
    if hello:
        if s == 0:
            hello = False
            wait = RETRY_MS
            next_send = 0
    elif first <= s < first + len(codes):
        codes = codes[s - first + 1:]
        first = s + 1
        wait = RETRY_MS
        next_send = 0


def send(now):
    global next_send, next_beat, wait, retries
    if now >= next_beat:
        radio.send("h," + dev + "," + str(drops) + "," + str(retries))
        next_beat = now + BEAT_MS
    if (hello or codes) and now >= next_send:
        if next_send:
            retries += 1
            wait = min(wait * 2, MAX_RETRY_MS)
        if hello:
            radio.send("n," + dev + "," + str(boot))
        else:
            radio.send("k," + dev + "," + str(first) + "," + codes[:WINDOW])
        next_send = now + wait // 2 + random.randint(1, wait // 2)


def setup():
    global dev, me, boot
    dev = device_id()
    me = dev.encode()
    radio.config(group=GROUP, length=32, queue=RADIO_QUEUE)
    radio.on()
    boot = random.randint(1, 30000)
    display.show(Image.HAPPY)


def step():
    global errors
    now = running_time()
    try:
        kitinput.read(now, put)
        kitinput.receive(me, on_ack)
        send(now)
    except Exception:
        errors += 1


def main():
    setup()
    while True:
        step()
        sleep(5)


if __name__ == "__main__":
    main()
