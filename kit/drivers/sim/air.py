"""The micro:bit radio, simulated in-process: broadcast per group, no ack, lossy on demand."""

from __future__ import annotations

import random
from typing import Protocol


class Receiver(Protocol):
    group: int
    channel: int
    enabled: bool

    def deliver(self, data: bytes, rssi: int) -> None: ...


class Air:
    """Every simulated radio in one room. ``loss`` is the chance (0-1) a packet is lost."""

    def __init__(self, *, loss: float = 0.0, seed: int = 1) -> None:
        self.loss = loss
        self._rng = random.Random(seed)
        self._radios: list[Receiver] = []
        self.sent = 0
        self.lost = 0

    def join(self, radio: Receiver) -> None:
        self._radios.append(radio)

    def leave(self, radio: Receiver) -> None:
        if radio in self._radios:
            self._radios.remove(radio)

    def transmit(self, sender: Receiver, data: bytes) -> None:
        self.sent += 1
        for r in list(self._radios):
            if r is sender or not r.enabled or r.group != sender.group:
                continue
            if r.channel != sender.channel:
                continue
            if self.loss and self._rng.random() < self.loss:
                self.lost += 1
                continue
            r.deliver(data, -50 - self._rng.randrange(30))
