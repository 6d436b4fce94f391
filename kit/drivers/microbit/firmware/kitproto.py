# kit radio packets, shared by controller.py and gateway.py (see PROTOCOL.md).
# MicroPython 1.9 subset: no f-strings, no typing, no dataclasses. Kept small: on a V1 board
# every function here costs heap when the script is compiled at boot.

# One character per press: A, B, C (A+B), L (logo), S (shake), P (pair), tilt l r f b.
CODES = "ABCLSPlrfb"
COMMANDS = ("seat", "led", "sound")
HEADER = b"\x01\x00\x01"  # what radio.send(str) puts before the text


def text_of(data):
    """The text of one of our radio packets (bytes from receive_full), or None."""
    if data is None or len(data) < 5 or data[:3] != HEADER:
        return None
    for b in data[3:]:
        if b < 32 or b > 126:
            return None
    return str(data[3:], "ascii")


def num(text):
    if not text or len(text) > 9:
        return None
    for ch in text:
        if ch < "0" or ch > "9":
            return None
    return int(text)


def dev_ok(dev):
    if len(dev) != 6:
        return False
    for ch in dev:
        if not ("0" <= ch <= "9" or "a" <= ch <= "f"):
            return False
    return True


def codes_ok(codes):
    if not codes or len(codes) > 16:
        return False
    for ch in codes:
        if ch not in CODES:
            return False
    return True


def parse_packet(text):
    """A radio packet as a tuple, or None if it is not one of ours.

    ("k", dev, seq, codes) | ("n", dev, boot) | ("h", dev, drops, retries)
    | ("a", dev, seq) | ("c", dev, cmd, arg)
    """
    if text is None:
        return None
    parts = text.split(",")
    n = len(parts)
    if n < 2 or not dev_ok(parts[1]):
        return None
    kind = parts[0]
    if kind == "k" and n == 4:
        seq = num(parts[2])
        if seq is None or not codes_ok(parts[3]):
            return None
        return ("k", parts[1], seq, parts[3])
    if (kind == "n" or kind == "a") and n == 3:
        v = num(parts[2])
        if v is None:
            return None
        return (kind, parts[1], v)
    if kind == "h" and n == 4:
        d = num(parts[2])
        r = num(parts[3])
        if d is None or r is None:
            return None
        return ("h", parts[1], d, r)
    if kind == "c" and n == 4 and parts[2] in COMMANDS:
        return ("c", parts[1], parts[2], parts[3])
    return None


def packet(kind, dev, a, b=None):
    if b is None:
        return kind + "," + dev + "," + str(a)
    return kind + "," + dev + "," + str(a) + "," + str(b)
