"""xAPI statements: what they say (and never say), that ADL's TinCanPython parses them, and
that a real LRS (Ralph) gets each one exactly once, through an outbox that loses nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import tincan

from kit.badges import Issuer, award_all, load_definitions
from kit.hub.store import Store, open_store
from kit.xapi import LrsClient, LrsConfig, export_xapi, flush, forget, outbox
from kit.xapi.statements import KIT
from tests.badges.classroom import NAMES, make_class
from tests.xapi.conftest import DroppingProxy, Ralph

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def issuer(kit_home: Path) -> Issuer:
    iss = Issuer()
    iss.configure(base_url="https://hub.school-a.example")
    return iss


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(f"sqlite:///{tmp_path / 'kit.db'}")
    make_class(s)
    return s


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_statements_use_opaque_accounts_adl_and_kit_verbs(
        store: Store, issuer: Issuer, tmp_path: Path) -> None:
    award_all(store, load_definitions(), NOW, issuer)
    out = tmp_path / "statements.jsonl"
    counts = export_xapi(store, out, NOW, issuer)
    sts = lines(out)
    assert counts == {"statements": len(sts), "queued": len(sts)}
    verbs = {s["verb"]["id"] for s in sts}
    assert {"http://adlnet.gov/expapi/verbs/attended", KIT + "verbs/contributed",
            KIT + "verbs/helped", KIT + "verbs/complimented",
            "https://openbadgespec.org/xapi/verbs/earned"} <= verbs
    text = out.read_text()
    for pupil, name in NAMES.items():
        assert pupil not in text and name not in text
    helped = next(s for s in sts if s["verb"]["id"].endswith("/helped"))
    assert helped["actor"]["account"]["name"] == issuer.learner_id("p-ada001")
    assert helped["context"]["team"] == {"objectType": "Group", "account": {
        "homePage": "https://hub.school-a.example", "name": "lesson-w1/red"}}
    assert "member" not in helped["context"]["team"]
    assert helped["context"]["extensions"][KIT + "extensions/teammate"] == \
        issuer.learner_id("p-bo0002")
    assert len({s["id"] for s in sts}) == len(sts)
    done = [s for s in sts if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"]
    assert len(done) == 7  # four pupils in week 1, three in week 2
    ada = next(s for s in done if s["actor"]["account"]["name"] == issuer.learner_id("p-ada001")
               and s["object"]["id"].endswith("/runs/lesson-w1"))
    assert ada["result"] == {"completion": True, "duration": "PT30M12S"}  # join 0:30 to 30:42


def test_statements_parse_with_adl_tincan(store: Store, issuer: Issuer, tmp_path: Path) -> None:
    award_all(store, load_definitions(), NOW, issuer)
    out = tmp_path / "statements.jsonl"
    export_xapi(store, out, NOW, issuer)
    for raw in lines(out):
        st = tincan.Statement(raw)
        assert str(st.id) == raw["id"]
        assert st.actor.account.name == raw["actor"]["account"]["name"]
        assert st.verb.id == raw["verb"]["id"]
        # and back: TinCanPython writes what it read
        again = json.loads(st.to_json())
        assert again["object"]["id"] == raw["object"]["id"]


def test_exporting_again_queues_nothing_twice(store: Store, issuer: Issuer) -> None:
    first = export_xapi(store, None, NOW, issuer)
    assert first["queued"] == first["statements"] > 0
    assert export_xapi(store, None, NOW, issuer)["queued"] == 0


async def test_statements_reach_a_real_lrs(store: Store, issuer: Issuer, ralph: Ralph) -> None:
    n = export_xapi(store, None, NOW, issuer)["statements"]
    config = LrsConfig(ralph.endpoint, ralph.username, ralph.password)
    async with LrsClient(config) as client:
        assert await flush(store, client, NOW) == {"sent": n, "pending": 0, "failed": 0}
        assert await flush(store, client, NOW) == {"sent": 0, "pending": 0, "failed": 0}
    stored = ralph.stored()
    assert len(stored) == n
    assert {s["id"] for s in stored} == {s["id"] for s in outbox_statements(store)}


def outbox_statements(store: Store) -> list[dict[str, Any]]:
    return [json.loads(s) for (s,) in store.query("SELECT statement FROM xapi_outbox")]


async def test_a_retry_after_a_dropped_connection_stores_each_statement_once(
        store: Store, issuer: Issuer, ralph: Ralph) -> None:
    n = export_xapi(store, None, NOW, issuer)["statements"]
    port = int(ralph.endpoint.split(":")[2].split("/")[0])
    async with DroppingProxy(port, drops=1) as proxy:
        config = LrsConfig(f"http://127.0.0.1:{proxy.port}/xAPI", ralph.username,
                           ralph.password)
        async with LrsClient(config) as client:
            got = await flush(store, client, NOW, retries=1)
    assert proxy.connections == 2  # the first answer was lost; the batch went again
    assert got == {"sent": n, "pending": 0, "failed": 0}
    stored = ralph.stored()
    assert len(stored) == n == len({s["id"] for s in stored})


async def test_an_unreachable_or_refusing_lrs_loses_nothing(
        store: Store, issuer: Issuer, ralph: Ralph) -> None:
    from kit.hub.service import free_port

    n = export_xapi(store, None, NOW, issuer)["statements"]
    nobody = LrsConfig(f"http://127.0.0.1:{free_port()}/xAPI", "kit", "x", timeout_s=5)
    async with LrsClient(nobody) as client:
        assert await flush(store, client, NOW) == {"sent": 0, "pending": n, "failed": 1}
    assert outbox.counts(store) == {"sent": 0, "pending": n}
    async with LrsClient(LrsConfig(ralph.endpoint, ralph.username, "wrong")) as client:
        assert await flush(store, client, NOW) == {"sent": 0, "pending": n, "failed": 1}
    err = store.query("SELECT last_error FROM xapi_outbox LIMIT 1")[0][0]
    assert "refused kit's login" in err
    assert ralph.stored() == []
    async with LrsClient(LrsConfig(ralph.endpoint, ralph.username, ralph.password)) as client:
        assert (await flush(store, client, NOW))["sent"] == n
    assert len(ralph.stored()) == n


def test_forgetting_a_pupil_drops_their_statements(store: Store, issuer: Issuer) -> None:
    export_xapi(store, None, NOW, issuer)
    learner = issuer.learner_id("p-bo0002")
    assert any(learner in json.dumps(s) and s["actor"]["account"]["name"] == learner
               for s in outbox_statements(store))
    assert forget(store, "p-bo0002")["xapi_outbox"] > 0
    assert all(s["actor"]["account"]["name"] != learner for s in outbox_statements(store))


def test_export_new_queues_only_what_arrived_since(store: Store, issuer: Issuer) -> None:
    from kit.xapi.sender import export_new

    first = export_new(store, NOW, issuer)
    assert first == export_xapi(store, None, NOW, issuer)["statements"]  # the same statements
    assert export_new(store, NOW, issuer) == 0
    make_class_week3(store)
    assert export_new(store, NOW, issuer) > 0
    assert export_new(store, NOW, issuer) == 0


def make_class_week3(store: Store) -> None:
    from tests.badges.classroom import _events

    evs = _events(3)
    store.insert_events(evs, "2026-03-17T10:00:00.000Z")


async def test_the_hubs_sender_sends_new_records_and_waits_longer_while_the_lrs_is_away(
        store: Store, issuer: Issuer, ralph: Ralph, ralph2: Ralph, tmp_path: Path) -> None:
    import asyncio

    from kit.clock import FakeClock
    from kit.hub.service import free_port
    from kit.hub.store import AsyncStore
    from kit.xapi.sender import run_sender

    store.close()
    url = f"sqlite:///{tmp_path / 'kit.db'}"
    clock = FakeClock(NOW)
    rounds: asyncio.Queue[dict[str, int]] = asyncio.Queue()
    async with AsyncStore(url) as astore:
        nobody = LrsConfig(f"http://127.0.0.1:{free_port()}/xAPI", "kit", "x", timeout_s=5)
        async with LrsClient(nobody) as client, asyncio.TaskGroup() as tg:
            task = tg.create_task(run_sender(astore, client, issuer=issuer, clock=clock,
                                             every_s=60, rounds=rounds), name="xapi-sender")
            r1 = await asyncio.wait_for(rounds.get(), 60)
            assert r1["failed"] == 1 and r1["pending"] == r1["queued"] > 0
            await clock.advance(60)
            assert rounds.empty()  # waits 120 s after a failure
            await clock.advance(60)
            r2 = await asyncio.wait_for(rounds.get(), 60)
            assert r2 == {"sent": 0, "pending": r1["pending"], "failed": 1, "queued": 0}
            task.cancel()
        config = LrsConfig(ralph.endpoint, ralph.username, ralph.password)
        async with LrsClient(config) as client, asyncio.TaskGroup() as tg:
            task = tg.create_task(run_sender(astore, client, issuer=issuer, clock=clock,
                                             every_s=60, rounds=rounds), name="xapi-sender")
            r3 = await asyncio.wait_for(rounds.get(), 60)
            assert r3 == {"sent": r1["pending"], "pending": 0, "failed": 0, "queued": 0}
            task.cancel()
        assert len(ralph.stored()) == r1["pending"]
        await astore.call(make_class_week3)
        # Ralph's file backend takes one POST per store: the next round goes to a fresh one.
        config = LrsConfig(ralph2.endpoint, ralph2.username, ralph2.password)
        async with LrsClient(config) as client, asyncio.TaskGroup() as tg:
            task = tg.create_task(run_sender(astore, client, issuer=issuer, clock=clock,
                                             every_s=60, rounds=rounds), name="xapi-sender")
            r4 = await asyncio.wait_for(rounds.get(), 60)
            assert r4["sent"] == r4["queued"] > 0 and r4["pending"] == 0
            task.cancel()
    assert len(ralph2.stored()) == r4["sent"]  # only what was new
