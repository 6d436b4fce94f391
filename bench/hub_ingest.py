"""How fast the hub records events durably, beside what the same broker delivers raw.

For each broker (embedded amqtt, Mosquitto), three runs in one invocation (the median ratio
is reported):
  raw       a bare QoS 1 subscriber (auto-acknowledge, stores nothing) counts the events;
  recorded  ``kit hub`` as a recorder process stores them (SQLite WAL, fsync per commit,
            acknowledging after commit) and reports its row count.
The same publisher process sends the same events in both phases (30 stations' worth, QoS 1).
Rates are events per second from the first publish to the last event handled; "lost" is
what the recorder never stored (it must be 0).

Then a flood: 8 connections publish valid events with QoS 0 as fast as they can (capped at
50,000 a second) for 10 s (3 s with --quick) at ``kit hub`` (broker and recorder); the
figure is the peak resident memory of the hub's processes (VmHWM; for Mosquitto, the hub's
plus Mosquitto's).

    python bench/hub_ingest.py [--quick] [--events N] [--runs 3]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kit import config  # noqa: E402
from kit.config import BrokerAddress, station_address  # noqa: E402
from kit.hub.service import free_port  # noqa: E402
from kit.link import mqtt  # noqa: E402
from kit.protocol import encode_event, topics  # noqa: E402
from kit.protocol.envelope import new_event  # noqa: E402

STATIONS = 30


async def publish(url: str, n: int) -> None:
    """Child process: 30 station connections publish n events between them, QoS 1."""
    from datetime import UTC, datetime

    address = BrokerAddress.parse(url)
    now = datetime.now(UTC)
    per = [n // STATIONS + (1 if i < n % STATIONS else 0) for i in range(STATIONS)]

    async def one(i: int, count: int) -> None:
        sid = f"st-{i:02d}"
        payloads = [encode_event(new_event(room="room-1", station=sid, seq=k, kind="contribution",
                                           at=now, pupil=f"p-bench{i:02d}", team="t"))
                    for k in range(count)]
        at = station_address(address, role="station", station=sid, room="room-1")
        async with mqtt.client(at, max_inflight=100) as c:
            for k in range(0, count, 100):
                await asyncio.gather(*(c.publish(topics.events("room-1", sid), p, qos=1)
                                       for p in payloads[k:k + 100]))

    print(json.dumps({"start": time.time()}), flush=True)
    await asyncio.gather(*(one(i, c) for i, c in enumerate(per)))
    print(json.dumps({"published": n, "end": time.time()}), flush=True)


async def _child(*args: str, stdout: int | None = asyncio.subprocess.PIPE
                 ) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(sys.executable, *args, env=env, stdout=stdout)


async def _lines(proc: asyncio.subprocess.Process):  # type: ignore[no-untyped-def]
    assert proc.stdout
    async for raw in proc.stdout:
        yield json.loads(raw)


async def start_publisher(url: str, n: int) -> tuple[asyncio.subprocess.Process, float]:
    pub = await _child(__file__, "--publish", url, str(n))
    first = await anext(_lines(pub))
    return pub, float(first["start"])


async def raw_phase(address: BrokerAddress, n: int, idle_s: float) -> dict[str, float]:
    got = 0
    last = 0.0
    at = station_address(address, role="hub", station="bench-raw", room="*")
    async with mqtt.client(at, max_inflight=1000) as sub:
        await sub.subscribe(topics.all_events(), qos=1)
        pub, start = await start_publisher(address.url, n)

        async def count() -> None:
            nonlocal got, last
            async for _ in sub.messages:
                got += 1
                last = time.time()
                if got >= n:
                    return

        try:
            await asyncio.wait_for(count(), idle_s)
        except TimeoutError:
            pass
        await pub.wait()
    return {"raw_per_s": got / max(last - start, 1e-9), "raw_lost": n - got}


async def recorded_phase(address: BrokerAddress, n: int, store: str, idle_s: float
                         ) -> dict[str, float]:
    rec = await _child("-m", "kit", "hub", "--broker", address.url, "--store", store,
                       "--progress", "--retention-days", "0", "--recorder-name", "bench")
    lines = _lines(rec)
    assert (await anext(lines)).get("ready")
    pub, start = await start_publisher(address.url, n)
    total, last = 0, start

    async def follow() -> None:
        nonlocal total, last
        async for line in lines:
            total = int(line.get("total") or 0)
            last = time.time()
            if total >= n:
                return

    try:
        await asyncio.wait_for(follow(), idle_s)
    except TimeoutError:
        pass
    await pub.wait()
    rec.send_signal(2)
    await rec.wait()
    return {"recorded_per_s": total / max(last - start, 1e-9), "lost": n - total}


def _credentials() -> None:
    """Every credential the benchmark uses, made before the brokers start."""
    for i in range(STATIONS):
        config.identity(role="station", station=f"st-{i:02d}", room="room-1")
    for name in ("bench-raw", "kit-recorder-bench", "kit-recorder-main", "kit-monitor-bench",
                 "kit-monitor-main"):
        config.identity(role="hub", station=name, room="*")


async def run_broker(kind: str, n: int, work: Path) -> dict[str, float]:
    port = free_port()
    if kind == "mosquitto":
        from kit.hub.mosquitto import MosquittoBroker

        broker = MosquittoBroker(work / f"mosquitto-{port}", port)
        await broker.start()
        stop = broker.stop
        address = BrokerAddress("127.0.0.1", port, protocol="5")
    else:
        proc = await _child("-m", "kit", "hub", "--broker", "embedded", "--port", str(port),
                            "--no-recorder", "--progress", "--retention-days", "0")
        assert (await anext(_lines(proc))).get("ready")

        async def stop() -> None:
            proc.send_signal(2)
            await proc.wait()

        address = BrokerAddress("127.0.0.1", port, protocol="3.1.1")
    try:
        idle = 30 + n / 500
        raw = await raw_phase(address, n, idle)
        rec = await recorded_phase(address, n, f"sqlite:///{work / f'{kind}-{port}.db'}", idle)
    finally:
        await stop()
    result = {**rec, **raw}
    result["ratio"] = round(result["recorded_per_s"] / result["raw_per_s"], 3)
    result["recorded_per_s"] = round(result["recorded_per_s"], 1)
    result["raw_per_s"] = round(result["raw_per_s"], 1)
    return result


async def flood(url: str, seconds: float, rate: int) -> None:
    """Child process: 8 connections publish valid events, QoS 0, as fast as allowed."""
    from datetime import UTC, datetime

    address = BrokerAddress.parse(url)
    now = datetime.now(UTC)
    sent = 0
    per = rate / 8
    end = time.monotonic() + seconds

    async def one(i: int) -> None:
        nonlocal sent
        sid = f"st-{i:02d}"
        payload = encode_event(new_event(room="room-1", station=sid, seq=0, kind="contribution",
                                         at=now, pupil="p-flood1", team="t"))
        at = station_address(address, role="station", station=sid, room="room-1")
        async with mqtt.client(at, max_inflight=1000) as c:
            start = time.monotonic()
            k = 0
            while time.monotonic() < end:
                c._client.publish(topics.events("room-1", sid), payload, qos=0)
                k += 1
                sent += 1
                if k % 200 == 0:
                    ahead = k / per - (time.monotonic() - start)
                    await asyncio.sleep(max(ahead, 0))

    await asyncio.gather(*(one(i) for i in range(8)))
    print(json.dumps({"flooded": sent, "per_s": round(sent / seconds)}), flush=True)


def _peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def flood_phase(kind: str, work: Path, seconds: float) -> dict[str, float]:
    port = free_port()
    hub = await _child("-m", "kit", "hub", "--broker", kind, "--port", str(port),
                       "--store", f"sqlite:///{work / f'flood-{kind}.db'}", "--progress",
                       "--retention-days", "0", "--status-every", "0")
    lines = _lines(hub)
    assert (await anext(lines)).get("ready")
    drain = asyncio.create_task(_drain(lines))
    base = _peak_kib(hub.pid)
    url = f"mqtt{'5' if kind == 'mosquitto' else ''}://127.0.0.1:{port}"
    pub = await _child(__file__, "--flood", url, str(seconds))
    assert pub.stdout
    out = json.loads((await pub.stdout.readline()) or b"{}")
    await pub.wait()
    peak = _peak_kib(hub.pid)
    if kind == "mosquitto":
        pid_file = config.home() / f"mosquitto-{port}" / "mosquitto.pid"
        peak += _peak_kib(int(pid_file.read_text()))
    hub.send_signal(2)
    await hub.wait()
    drain.cancel()
    return {"flood_per_s": out.get("per_s", 0), "rss_before_mb": round(base / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1)}


async def _drain(lines):  # type: ignore[no-untyped-def]
    async for _ in lines:
        pass


async def main(n: int, runs: int, flood_s: float) -> dict[str, dict[str, float]]:
    import statistics

    work = Path(tempfile.mkdtemp(prefix="kit-bench-"))
    os.environ["KIT_HOME"] = str(work)
    _credentials()
    try:
        out: dict[str, dict[str, float]] = {}
        for kind in ("mosquitto", "embedded"):
            results = []
            for _ in range(runs):
                results.append(await run_broker(kind, n, work))
                print(f"{kind}: {results[-1]}", flush=True)
            ratios = sorted(r["ratio"] for r in results)
            out[kind] = {"ratio_median": statistics.median(ratios), "ratios": ratios,
                         "lost": sum(r["lost"] for r in results),
                         "recorded_per_s_median": statistics.median(
                             r["recorded_per_s"] for r in results)}
            out[kind].update(await flood_phase(kind, work, flood_s))
            print(f"{kind} flood: {out[kind]}", flush=True)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--publish":
        asyncio.run(publish(sys.argv[2], int(sys.argv[3])))
        raise SystemExit(0)
    if len(sys.argv) >= 2 and sys.argv[1] == "--flood":
        asyncio.run(flood(sys.argv[2], float(sys.argv[3]), 50_000))
        raise SystemExit(0)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="5,000 events per broker, a 3 s flood (a few minutes)")
    ap.add_argument("--events", type=int, help="events per broker (default 20,000)")
    ap.add_argument("--runs", type=int, default=3, help="runs per broker (median reported)")
    args = ap.parse_args()
    n = args.events or (5000 if args.quick else 20000)
    print(json.dumps(asyncio.run(main(n, args.runs, 3.0 if args.quick else 10.0))))
