"""Pretend pupils for the simulated classroom: who they are (:mod:`kit.sim.classlist`) and how
they behave from week to week (:mod:`kit.sim.habits`). Teachers rehearse with them, the demo
plays them, and the tests and benchmarks use them; nothing here does I/O."""
