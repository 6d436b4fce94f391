"""What ``kit pupil forget`` erases beyond the participation log: the facilitator's tables
(roll-ups, flags, notes, support plans) and recognition (badges, xAPI outbox, page links);
and what the hub's retention sweep removes beside old events (the roll-ups made from them).
Registered here, in the composition root, so the store knows nothing of those parts and each
part knows nothing of the others; each erasure, and each sweep, is one transaction."""

from __future__ import annotations

FACILITATOR_TABLES = ("insight_runs", "insight_pupil_runs", "insight_edges", "insight_flags",
                      "teacher_notes", "plans", "plan_risks", "plan_measures",
                      "plan_measure_risks", "plan_history")
RECOGNITION_TABLES = ("badge_awards", "badge_status", "xapi_outbox", "pupil_page_tokens")


def register() -> None:
    from kit import recognition
    from kit.hub.store import register_eraser, register_purger
    from kit.insight import erase, rollup

    register_eraser("facilitator", erase.forget, tables=FACILITATOR_TABLES)
    register_eraser("recognition", recognition.forget, tables=RECOGNITION_TABLES)
    register_purger("facilitator", rollup.purge_before)
