# ruff: noqa  (MicroPython code: runs under MicroPython, not CPython)
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


def send(text):
    sent.append(text)


def receive():
    if not inbox:
        return None
    return str(inbox.pop(0)[3:], "utf-8")


def receive_full():
    if not inbox:
        return None
    return (inbox.pop(0), -60, 0)
