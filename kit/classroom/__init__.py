"""The classroom: the set-up a teacher writes once (:mod:`kit.classroom.setup`) and the one
place that assembles a room from it (:mod:`kit.classroom.compose`): broker and store, the
gateway and its micro:bits, robots, the lesson and the shared screen, real or simulated. The
parts know nothing of each other; only this package joins them."""
