from kit.config import BrokerAddress
from kit.link.station import Station


async def test_station_events_reach_a_subscriber(
    broker: BrokerAddress, creds: dict[str, str]
) -> None:
    from kit.link import mqtt
    from kit.protocol import decode_event, topics

    async with mqtt.client(broker.as_role("hub", creds), "watcher") as watcher:
        await watcher.subscribe(topics.all_events(), qos=1)
        async with Station(broker.as_role("station", creds), room="room-1", station="st-1") as st:
            sent = [await st.record("contribution", pupil="p-aaaa11", team="red") for _ in range(3)]
            got = []
            async for message in watcher.messages:
                got.append(decode_event(message.payload))  # type: ignore[arg-type]
                if len(got) == 3:
                    break
    assert [e.id for e in got] == [e.id for e in sent]
    assert [e.seq for e in got] == [0, 1, 2]
