"""The facilitator's view: roll-ups of the participation events (:mod:`.rollup`), the figures
per pupil and run (:mod:`.metrics`), early-warning signals that explain themselves
(:mod:`.signals`, kept with the facilitator's decisions in :mod:`.flags`), reports
(:mod:`.report`, :mod:`.html`) and school statistics (:mod:`.stats`)."""
