# ruff: noqa  (MicroPython code: runs under MicroPython, not CPython)
played = []


def pitch(freq, duration=-1, pin=None, wait=True):
    played.append(freq)
