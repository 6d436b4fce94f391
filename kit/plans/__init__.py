"""The teacher's side of the record: dated observations (:mod:`kit.plans.notes`) and
individual support plans (:mod:`kit.plans.plans`), kept beside the events and erased with the
pupil."""
