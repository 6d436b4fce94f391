# kit controller: a pupil's micro:bit. Sends presses and gestures over the radio with its
# device id and a sequence number, one at a time, retrying until the gateway's host acknowledges.
# MicroPython 1.9 subset (runs on V1 and V2). Protocol: PROTOCOL.md.
from microbit import *
import machine
import radio
import random

import kitproto

GROUP = 42
RETRY_MS = 40
BEAT_MS = 2000
PAIR_HOLD_MS = 1500
MAX_QUEUE = 16
TILT = 500

dev = ""
queue = []
seq = 0
next_send = 0
next_beat = 0
tilt_state = 0
both_since = -1
pair_sent = False
logo_was = False
dropped = 0


def device_id():
    text = ""
    for b in machine.unique_id()[-3:]:
        text += "%02x" % b
    return text


def put(gesture, value):
    global seq, dropped
    if len(queue) >= MAX_QUEUE:
        dropped += 1
        return
    seq += 1
    queue.append((seq, gesture, value))


def read_inputs(now):
    global tilt_state, both_since, pair_sent, logo_was
    a = button_a.was_pressed()
    b = button_b.was_pressed()
    held_a = button_a.is_pressed()
    held_b = button_b.is_pressed()
    if a or b:
        if (a or held_a) and (b or held_b):
            put("AB", 0)
        elif a:
            put("A", 0)
        else:
            put("B", 0)
    if held_a and held_b:
        if both_since < 0:
            both_since = now
        elif not pair_sent and now - both_since >= PAIR_HOLD_MS:
            put("pair", 0)
            pair_sent = True
    else:
        both_since = -1
        pair_sent = False
    try:
        touched = pin_logo.is_touched()
    except NameError:
        touched = False
    if touched and not logo_was:
        put("logo", 0)
    logo_was = touched
    if accelerometer.was_gesture("shake"):
        put("shake", 0)
    x = accelerometer.get_x()
    y = accelerometer.get_y()
    t = 0
    if x < -TILT:
        t = 1
    elif x > TILT:
        t = 2
    elif y < -TILT:
        t = 3
    elif y > TILT:
        t = 4
    if t != tilt_state:
        tilt_state = t
        if t:
            put("tilt", t)


def obey(cmd, arg):
    if cmd == "seat":
        display.show(arg)
    elif cmd == "led":
        img = getattr(Image, arg.upper(), None)
        if img is not None:
            display.show(img)
    elif cmd == "sound":
        try:
            import music
            music.pitch(int(arg) if arg.isdigit() else 440, 150, wait=False)
        except (ImportError, ValueError):
            pass


def read_radio():
    global next_send
    while True:
        text = radio.receive()
        if text is None:
            return
        msg = kitproto.parse_packet(text)
        if msg is None or msg[1] != dev:
            continue
        if msg[0] == "a":
            if queue and queue[0][0] == msg[2]:
                queue.pop(0)
                next_send = 0
        elif msg[0] == "c":
            obey(msg[2], msg[3])


def send(now):
    global next_send, next_beat
    if queue and now >= next_send:
        s, g, v = queue[0]
        radio.send(kitproto.key_packet(dev, s, g, v))
        next_send = now + RETRY_MS + random.randint(0, RETRY_MS)
        next_beat = now + BEAT_MS
    elif now >= next_beat:
        radio.send(kitproto.beat_packet(dev))
        next_beat = now + BEAT_MS


def setup():
    global dev, seq, queue
    dev = device_id()
    radio.config(group=GROUP, length=32, queue=6)
    radio.on()
    queue = [(0, "hello", random.randint(1, 30000))]
    seq = 0
    display.show(Image.HAPPY)


def step():
    now = running_time()
    read_inputs(now)
    read_radio()
    send(now)


def main():
    setup()
    while True:
        step()
        sleep(5)


if __name__ == "__main__":
    main()
