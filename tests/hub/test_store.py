"""One store test suite, run on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kit.hub.store import Rejection, open_store
from kit.protocol.envelope import new_event

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def ev(seq: int, pupil: str | None = "p-aaaa11", kind: str = "contribution",
       at: datetime = T0, **data: str) -> object:
    return new_event(room="room-1", station="st-1", seq=seq, kind=kind, at=at, run="run-1",
                     pupil=pupil, team="red", data=data)


def test_events_are_stored_once(store_url: str) -> None:
    store = open_store(store_url)
    try:
        batch = [ev(i) for i in range(50)]
        assert store.insert_events(batch, "now") == 50  # type: ignore[arg-type]
        assert store.insert_events(batch[:20], "now") == 0  # type: ignore[arg-type]
        assert store.count_events() == 50
        rows = store.events(room="room-1")
        assert [r.seq for r in rows] == list(range(50))
        assert rows[0].data == {}
    finally:
        store.close()


def test_rejected_messages_are_kept_with_their_reason(store_url: str) -> None:
    store = open_store(store_url)
    try:
        r = Rejection("kit/v1/r/events/x", "not-json", "payload is not JSON", b"\xff\x00", "t")
        assert store.insert_rejected([r, r]) == 1
        assert store.rejected() == [r]
    finally:
        store.close()


def test_a_recorders_batch_is_one_transaction(store_url: str) -> None:
    """Events, rejected messages and the count of those beyond the limit: all or nothing."""
    store = open_store(store_url)
    try:
        events = [ev(i) for i in range(5)]
        r = Rejection("kit/v1/room-1/events/st-1", "not-json", "payload is not JSON", b"x", "t")
        broken = Rejection("kit/v1/room-1/events/st-1", "not-json", "no", object(), "t")  # type: ignore[arg-type]
        with pytest.raises(Exception):  # noqa: B017 (each backend has its own error)
            store.record(events, [r, broken], {}, "now")  # type: ignore[arg-type]
        store.rollback()
        assert store.count_events() == 0 and store.rejected() == []
        assert store.record(events, [r], {("kit/v1/room-1/events/st-1", "2026-01-12T09"): 3},
                            "now") == (5, 1)  # type: ignore[arg-type]
        assert store.count_events() == 5
        assert sorted(x.reason for x in store.rejected()) == ["not-json", "rate-limited"]
    finally:
        store.close()


def test_forget_erases_every_row_naming_the_pupil(store_url: str) -> None:
    store = open_store(store_url)
    try:
        gone, kept = "p-gone12", "p-kept34"
        store.set_name(gone, "Greta", "room-1", "t")
        store.set_name(kept, "Hugo", "room-1", "t")
        store.insert_events([ev(0, gone), ev(1, gone), ev(2, kept),  # type: ignore[list-item]
                             ev(3, kept, "help", target=gone),
                             ev(4, kept, "compliment", target="p-gone123")], "t")
        store.insert_rejected([Rejection("kit/v1/r/events/st-1", "bad-field:seq", "bad",
                                         f'{{"pupil":"{gone}"}}'.encode(), "t")])
        counts = store.forget(gone)
        core = {"events": 2, "roster": 1, "events_redacted": 1, "rejected": 1}
        # (other parts' registered erasers may add counts of their own tables, all zero here)
        assert {k: counts[k] for k in core} == core
        assert not any(v for k, v in counts.items() if k not in core)
        assert store.tables_mentioning(gone) == {"events": 0, "roster": 0, "rejected": 0}
        # The other pupil's help is kept (their effort counts), without the erased name;
        # a different pupil whose pseudonym merely starts the same way is untouched.
        rows = {r.seq: r for r in store.events()}
        assert rows[3].data == {"target": "erased"}
        assert rows[4].data == {"target": "p-gone123"}
        assert store.names() == {kept: "Hugo"}
    finally:
        store.close()


def test_retention_purges_old_events(store_url: str) -> None:
    store = open_store(store_url)
    try:
        store.insert_events([ev(0, at=T0 - timedelta(days=400)),  # type: ignore[list-item]
                             ev(1, at=T0)], "t")
        gone = store.purge_before((T0 - timedelta(days=365)).isoformat())
        # (with what registered purgers removed beside them: see kit.classroom.erasure)
        assert (gone["events"], gone["rejected"]) == (1, 0)
        assert [r.seq for r in store.events()] == [1]
    finally:
        store.close()
