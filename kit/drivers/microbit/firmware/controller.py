# kit controller: a pupil's micro:bit. Sends presses and gestures over the radio with its
# device id and sequence numbers, and repeats every press the host has not yet acknowledged
# (backoff with jitter) until an ack arrives. MicroPython 1.9 subset (runs on V1 and V2).
# Nothing on the air can stop it: foreign packets (MakeCode, send_bytes, empty) are counted
# and ignored. Protocol: PROTOCOL.md.
from microbit import *
import machine
import radio
import random

GROUP = 42
RETRY_MS = 25
MAX_RETRY_MS = 120
BEAT_MS = 2000
PAIR_HOLD_MS = 1500
MAX_QUEUE = 16
WINDOW = 14  # presses per packet: "k,a1b2c3,12345," + 14 codes fits 29 characters
TILT = 500
RADIO_QUEUE = 16
HEADER = b"\x01\x00\x01"  # what radio.send(str) puts before the text
COMMANDS = ("seat", "led", "sound")

dev = ""
me = b""
boot = 0
hello = True  # our hello (sequence 0) is not acknowledged yet
first = 1  # sequence number of codes[0]
codes = ""  # presses not yet acknowledged, one character each
next_send = 0  # 0: send at once
wait = RETRY_MS
next_beat = 0
tilt_state = 0
both_since = -1
pair_sent = False
logo_was = False
drops = 0
retries = 0
foreign = 0
errors = 0


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


def read_inputs(now):
    global tilt_state, both_since, pair_sent, logo_was
    a = button_a.was_pressed()
    b = button_b.was_pressed()
    held_a = button_a.is_pressed()
    held_b = button_b.is_pressed()
    if a or b:
        if (a or held_a) and (b or held_b):
            put("C")
        elif a:
            put("A")
        else:
            put("B")
    if held_a and held_b:
        if both_since < 0:
            both_since = now
        elif not pair_sent and now - both_since >= PAIR_HOLD_MS:
            put("P")
            pair_sent = True
    else:
        both_since = -1
        pair_sent = False
    try:
        touched = pin_logo.is_touched()
    except NameError:
        touched = False
    if touched and not logo_was:
        put("L")
    logo_was = touched
    if accelerometer.was_gesture("shake"):
        put("S")
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
            put("lrfb"[t - 1])


def obey(cmd, arg):
    if cmd == "seat":
        display.show(arg)
    elif cmd == "led":
        img = getattr(Image, arg.upper(), None)
        if img is not None:
            display.show(img)
    elif cmd == "sound":
        import music
        music.pitch(int(arg) if arg.isdigit() else 440, 150, wait=False)


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


def read_radio():
    # Every controller hears every packet on the group (30 controllers: well over a thousand a
    # second), so the bytes are checked before anything is built from them: only acks and
    # commands for this board are parsed; other controllers' packets are skipped; anything
    # that is not a kit packet at all is counted.
    global foreign, errors
    for _ in range(RADIO_QUEUE):
        try:
            full = radio.receive_full()
        except Exception:
            foreign += 1
            continue
        if full is None:
            return
        data = full[0]
        if data[:3] != HEADER or data[4:5] != b",":
            foreign += 1
            continue
        if data[5:11] != me:
            continue
        # ours, for this board: "a,<dev>,<seq>" or "c,<dev>,<cmd>,<arg>" (PROTOCOL.md)
        try:
            text = str(data[12:], "ascii")
            if data[11:12] != b",":
                raise ValueError
            if data[3:4] == b"a":
                on_ack(int(text))
            elif data[3:4] == b"c":
                cmd, arg = text.split(",")
                if cmd not in COMMANDS:
                    raise ValueError
                obey(cmd, arg)
            else:
                raise ValueError
        except Exception:
            foreign += 1


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
        read_inputs(now)
        read_radio()
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
