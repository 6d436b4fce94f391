# ruff: noqa  (MicroPython code: runs under MicroPython, not CPython)
# The radio as the firmware sees it: inbox holds raw packets (bytes, as on the air).
sent = []
inbox = []
config_seen = {}


def config(**kwargs):
    for k in kwargs:
        if k not in ("length", "queue", "channel", "power", "data_rate", "address", "group"):
            raise ValueError("unknown argument")
    config_seen.update(kwargs)


def on():
    pass


def off():
    pass


def send(text):
    sent.append(text)


def send_bytes(data):
    sent.append(data)


def receive_full():
    if not inbox:
        return None
    return (inbox.pop(0), -60, 0)


def receive_bytes():
    if not inbox:
        return None
    return inbox.pop(0)


def receive():
    # What MicroPython does with a packet that is not a string: raise and drop it.
    if not inbox:
        return None
    data = inbox.pop(0)
    if data[:3] != b"\x01\x00\x01":
        raise ValueError("received packet is not a string")
    return str(data[3:], "utf-8")
