# ruff: noqa  (MicroPython code: runs under MicroPython, not CPython)
# How much heap a firmware script needs, under the WebAssembly MicroPython. Phases (split at
# "#---") run as separate top-level calls, so garbage is collected between them and never
# inside one: a phase that needs more than the heap makes the heap grow, which the test sees
# in "total". On a board the stand-in modules are built in; here they are imported first and
# counted in the base. The program's own library files are imported in phases of their own
# first (a board collects garbage between compiling one file and the next; this MicroPython
# collects only between phases).
import gc
import micropython
import microbit
import radio
import machine
import random
import music
#---
import gc
base = gc.mem_alloc()
print("base", base)
micropython.mem_info()
#---
LIBRARIES
#---
import PROGRAM
#---
after_import = gc.mem_alloc() - base
PROGRAM.setup()
#---
H = b"\x01\x00\x01"
i = 0
#--- 60
radio.inbox.append(H + b"k,0f0f0f,12,AB")
radio.inbox.append(H + b"n,0f0f0f,4711")
radio.inbox.append(H + b"a,a1b2c3," + str(i).encode())
radio.inbox.append(H + b"k," + ("%06x" % (i % 30)).encode() + b"," + str(i).encode() + b",ABl")
if "PROGRAM" == "gateway":
    microbit._uart_in.append(b"A" + ("%06x" % (i % 30)).encode() + str(i).encode() + b"\n")
microbit.button_a.presses = 1
microbit.sleep(7)
PROGRAM.step()
del radio.sent[:]
del microbit._uart_out[:]
i += 1
#---
print("retained", gc.mem_alloc() - base, "after_import", after_import)
micropython.mem_info()
