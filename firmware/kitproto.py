# kit radio and line protocol, shared by controller.py and gateway.py (see PROTOCOL.md).
# MicroPython 1.9 subset: no f-strings, no typing, no dataclasses.

GESTURES = ("A", "B", "AB", "logo", "shake", "tilt", "pair", "hello")
COMMANDS = ("seat", "led", "sound")


def key_packet(dev, seq, gesture, value):
    return "k," + dev + "," + str(seq) + "," + gesture + "," + str(value)


def beat_packet(dev):
    return "h," + dev


def ack_packet(dev, seq):
    return "a," + dev + "," + str(seq)


def cmd_packet(dev, cmd, arg):
    return "c," + dev + "," + cmd + "," + arg


def _int(text):
    if not text or len(text) > 9:
        return None
    start = 1 if text[0] == "-" else 0
    if start == len(text):
        return None
    for ch in text[start:]:
        if ch < "0" or ch > "9":
            return None
    return int(text)


def _dev_ok(dev):
    if len(dev) < 1 or len(dev) > 12:
        return False
    for ch in dev:
        if not ("0" <= ch <= "9" or "a" <= ch <= "z"):
            return False
    return True


def parse_packet(text):
    """A radio packet as a tuple, or None if it is not one of ours.

    ("k", dev, seq, gesture, value) | ("h", dev) | ("a", dev, seq) | ("c", dev, cmd, arg)
    """
    parts = text.split(",")
    kind = parts[0]
    if len(parts) < 2 or not _dev_ok(parts[1]):
        return None
    dev = parts[1]
    if kind == "k" and len(parts) == 5:
        seq = _int(parts[2])
        value = _int(parts[4])
        if seq is None or seq < 0 or value is None or parts[3] not in GESTURES:
            return None
        return ("k", dev, seq, parts[3], value)
    if kind == "h" and len(parts) == 2:
        return ("h", dev)
    if kind == "a" and len(parts) == 3:
        seq = _int(parts[2])
        if seq is None or seq < 0:
            return None
        return ("a", dev, seq)
    if kind == "c" and len(parts) == 4 and parts[2] in COMMANDS:
        return ("c", dev, parts[2], parts[3])
    return None


def key_line(dev, seq, gesture, value, t_ms, rssi):
    return ("K," + dev + "," + str(seq) + "," + gesture + "," + str(value) + "," + str(t_ms)
            + "," + str(rssi))


def beat_line(dev, t_ms, rssi):
    return "H," + dev + "," + str(t_ms) + "," + str(rssi)


def stats_line(t_ms, rx, dup, gap, bad):
    return "S," + str(t_ms) + "," + str(rx) + "," + str(dup) + "," + str(gap) + "," + str(bad)


def boot_line(version):
    return "B," + version


def parse_host_line(text):
    """A line from the host: ("A", dev, seq) or ("C", dev, cmd, arg), else None."""
    parts = text.strip().split(",")
    if len(parts) == 3 and parts[0] == "A" and _dev_ok(parts[1]):
        seq = _int(parts[2])
        if seq is not None and seq >= 0:
            return ("A", parts[1], seq)
    if len(parts) == 4 and parts[0] == "C" and _dev_ok(parts[1]) and parts[2] in COMMANDS:
        return ("C", parts[1], parts[2], parts[3])
    return None
