# ruff: noqa  (MicroPython code: runs under MicroPython, not CPython)
# A minimal micro:bit stand-in for MicroPython itself (the firmware tests under WebAssembly).
_t = [0]
_uart_out = []
_uart_in = []


def running_time():
    return _t[0]


def sleep(ms):
    _t[0] += ms


class _Button:
    def __init__(self):
        self.presses = 0
        self.held = False

    def was_pressed(self):
        p = self.presses
        self.presses = 0
        return p > 0

    def is_pressed(self):
        return self.held


class _Acc:
    x = 0
    y = 0
    gestures = []

    def get_x(self):
        return self.x

    def get_y(self):
        return self.y

    def was_gesture(self, name):
        if name in self.gestures:
            self.gestures.remove(name)
            return True
        return False


class _Display:
    shown = []

    def show(self, what, *args, **kwargs):
        self.shown.append(what)


class Image:
    HEART = "HEART"
    HAPPY = "HAPPY"
    TRIANGLE = "TRIANGLE"
    NO = "NO"


class _Touch:
    touched = False

    def is_touched(self):
        return self.touched


class _Uart:
    def init(self, baudrate=9600, **kwargs):
        pass

    def any(self):
        return len(_uart_in)

    def read(self):
        if not _uart_in:
            return None
        data = b"".join(_uart_in)
        del _uart_in[:]
        return data

    def write(self, text):
        _uart_out.append(text)


button_a = _Button()
button_b = _Button()
accelerometer = _Acc()
display = _Display()
pin_logo = _Touch()
uart = _Uart()
