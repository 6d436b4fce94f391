# ruff: noqa  (MicroPython code: runs under MicroPython, not CPython)
def unique_id():
    return b"\x5a\x17\x00\xa1\xb2\xc3"
