# kit controller's inputs: buttons, logo, shake and tilt become one-character press codes,
# and acks and commands for this board come in over the radio (PROTOCOL.md); also the commands
# a controller obeys. MicroPython 1.9 subset (V1 and V2).
from microbit import *
from micropython import const
import radio

PAIR_HOLD_MS = const(1500)
TILT = const(500)

tilt_state = 0
both_since = -1
pair_sent = False
logo_was = False
foreign = 0  # packets that are not kit's, or bad
errors = 0  # commands that failed
HEADER = b"\x01\x00\x01"  # what radio.send(str) puts before the text
COMMANDS = ("seat", "led", "sound")


def read(now, put):
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


def receive(me, on_ack):
    # Every controller hears every packet on the group (30 controllers: well over a thousand a
    # second), so the bytes are checked before anything is built from them: only acks and
    # commands for this board are parsed; other controllers' packets are skipped; anything
    # that is not a kit packet at all is counted.
    global foreign, errors
    for _ in range(16):  # the radio queue
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
