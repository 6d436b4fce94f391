"""Making MQTT clients (aiomqtt over paho) with kit's settings, in one place."""

from __future__ import annotations

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from kit.config import BrokerAddress


def client(
    address: BrokerAddress,
    client_id: str | None = None,
    *,
    persistent: bool = False,
    session_expiry: int = 86400,
    will: aiomqtt.Will | None = None,
    max_inflight: int = 100,
    keepalive: int = 15,
) -> aiomqtt.Client:
    """An aiomqtt client. ``persistent`` keeps the broker-side session (and its queue of QoS 1
    messages) across disconnects and process restarts.

    An address made by :func:`kit.config.station_address` carries its client id (the
    credential's user name; the brokers refuse any other), and ``client_id`` is then unused.
    """
    identifier = address.client_id or client_id
    tls_params = None
    if address.tls:
        import ssl

        tls_params = aiomqtt.TLSParameters(ca_certs=address.ca, cert_reqs=ssl.CERT_REQUIRED)
    v5 = address.protocol == "5"
    kwargs: dict[str, object] = {}
    if v5:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        if persistent:
            props.SessionExpiryInterval = session_expiry
        props.ReceiveMaximum = max(1, min(max_inflight, 65535))
        kwargs["properties"] = props
        # paho's default (clean on first connect of the process) would wipe the session a
        # restarted recorder must resume.
        kwargs["clean_start"] = not persistent
    else:
        kwargs["clean_session"] = not persistent
    c = aiomqtt.Client(
        address.host,
        address.port,
        username=address.username,
        password=address.password,
        identifier=identifier,
        tls_params=tls_params,
        protocol=aiomqtt.ProtocolVersion.V5 if v5 else aiomqtt.ProtocolVersion.V311,
        will=will,
        keepalive=keepalive,
        max_inflight_messages=max_inflight,
        timeout=10,
        **kwargs,  # type: ignore[arg-type]
    )
    # A station sends up to max_inflight events at once on purpose; aiomqtt would warn at 10.
    c.pending_calls_threshold = max_inflight + 10
    return c
