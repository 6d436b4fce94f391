"""Simulated devices: micro:bits that run the real firmware scripts over a pseudo-terminal,
and BLE robots on bumble's in-process virtual link. Tests and teachers' rehearsals use them."""
