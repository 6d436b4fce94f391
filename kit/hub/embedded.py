"""The embedded broker (amqtt), with kit's credentials and ACL rules as amqtt plugins.

amqtt speaks MQTT 3.1.1 only, so the recorder uses ``clean_session=False`` under a named user:
amqtt queues nothing for offline anonymous sessions (see amqtt's ``broker.py``: messages are
kept for a disconnected session only when ``not target_session.is_anonymous``), which is why
anonymous access is off here.

What it does not guarantee (said at start, see :data:`LIMITS`): its queues live in the hub's
memory, so a killed hub loses what the broker had accepted but the recorder had not yet
stored; the stations' end-to-end acknowledgement (:mod:`kit.link.station`) sends those again.
Mosquitto is the default whenever it is installed.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.errors import MQTTError
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

from kit import config
from kit.config import Identity
from kit.hub import acl

log = logging.getLogger(__name__)

#: The largest MQTT packet the embedded broker reads; a bigger one closes the connection
#: before its body is read (Mosquitto gets the same limit as ``max_packet_size``).
MAX_PACKET_BYTES = 16384

LIMITS = ("the embedded broker keeps its queues in this process's memory: if the hub is "
          "killed, messages not yet stored are sent again by the stations (end-to-end "
          "acknowledgement); install Mosquitto for a broker that keeps them on disk")


class _Registry:
    """The credentials file, read again whenever it changes (stations make theirs on first
    use, after the hub has started)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, Identity] = {}

    def get(self, username: str | None) -> Identity | None:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = (0, 0)
        if stamp != self._stamp:
            self._users = config.identities(self.path)
            self._stamp = stamp
        return self._users.get(username or "")


class KitAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Accepts a credential made by kit, and only under its own client id."""

    @dataclass
    class Config:
        registry: Any = None

    async def authenticate(self, *, session: Session) -> bool:
        registry: _Registry = self.config.registry
        who = registry.get(session.username)
        password = session.password
        ok = who is not None and password is not None and hmac.compare_digest(
            who.password.encode(), str(password).encode())
        if not ok:
            log.warning("refused a connection as user %r: wrong or unknown credentials",
                        session.username)
        elif session.client_id != who.username:  # type: ignore[union-attr]
            log.warning("refused a connection as user %r: its client id must be %r",
                        session.username, session.username)
            ok = False
        return ok


class KitTopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """Enforces :data:`kit.hub.acl.RULES` (the same rules Mosquitto gets as an ACL file)."""

    @dataclass
    class Config:
        registry: Any = None

    async def topic_filtering(self, *, session: Session | None = None, topic: str | None = None,
                              action: Action | None = None) -> bool:
        if session is None or topic is None:
            return False
        registry: _Registry = self.config.registry
        who = registry.get(session.username)
        if who is None or session.client_id != who.username:
            return False
        if action == Action.SUBSCRIBE:
            allowed = acl.may_subscribe(who, topic)
        elif action == Action.PUBLISH:
            allowed = acl.may_publish(who, topic)
        else:
            allowed = acl.may_receive(who, topic)
        if not allowed and action != Action.RECEIVE:
            log.warning("refused %s on %r for %r", action, topic, who.username)
        return allowed


def broker_config(port: int, registry: Path, host: str = "127.0.0.1", *,
                  tls: tuple[Path, Path] | None = None, tls_port: int | None = None
                  ) -> dict[str, Any]:
    reg = _Registry(registry)
    listeners: dict[str, Any] = {
        "default": {"type": "tcp", "bind": f"{host}:{port}", "max_connections": 500}}
    if tls is not None:
        listeners["tls"] = {"type": "tcp", "bind": f"{host}:{tls_port or port + 7000}",
                            "max_connections": 500, "ssl": True,
                            "certfile": str(tls[0]), "keyfile": str(tls[1])}
    return {
        "listeners": listeners,
        # Keep an offline recorder's queue for a day; sessions beyond that are dropped.
        "session_expiry_interval": 86400,
        "plugins": {
            f"{__name__}.KitAuthPlugin": {"registry": reg},
            f"{__name__}.KitTopicPlugin": {"registry": reg},
        },
    }


class PacketTooLarge(Exception):
    """Not an MQTTError on purpose: amqtt's reader skips those and would read the body as
    headers; any other exception closes the connection."""


_patched = False


class _SnapshotDict(dict[Any, Any]):
    def items(self) -> Any:
        # Each filter's list of subscribers too: a session cleaned up meanwhile is removed
        # from it with ``list.pop``, which made the loop skip the next subscriber.
        return [(k, list(v)) for k, v in super().items()]

    def __iter__(self) -> Any:
        return iter(list(super().__iter__()))


def _patch_amqtt() -> None:
    global _patched
    if _patched:
        return
    _patient_outgoing_qos1()
    _packet_size_limit()
    _patched = True


def _packet_size_limit() -> None:
    """amqtt 0.12.1 has no packet size limit: it reads a 100 MB PUBLISH into memory and hands
    it on. Here the fixed header's length is checked before the body is read."""
    from amqtt.mqtt.packet import MQTTFixedHeader

    original = MQTTFixedHeader.from_stream.__func__

    async def from_stream(cls: Any, reader: Any) -> Any:
        header = await original(cls, reader)
        if header is not None and header.remaining_length > MAX_PACKET_BYTES:
            raise PacketTooLarge(f"packet of {header.remaining_length} bytes; the limit is "
                                 f"{MAX_PACKET_BYTES}")
        return header

    MQTTFixedHeader.from_stream = classmethod(from_stream)


def _patient_outgoing_qos1() -> None:
    """Make amqtt wait for a subscriber's PUBACK for as long as the subscriber is connected.

    amqtt 0.12.1 waits 5 s for the PUBACK of each QoS 1 message it sends and then *discards*
    the message (``mqtt/protocol/handler.py``: ``wait_for(waiter, timeout=5)``, then
    ``inflight_out.pop`` in ``finally``). It also sends a subscriber every queued message at
    once, so a recorder that acknowledges only after its store has committed (the point of
    manual acknowledgement) can be handed more than it commits in 5 s after an outage, and
    the rest would be lost. Here the outgoing flow waits without a deadline; if the
    subscriber disconnects, the message stays in flight and is sent again when it reconnects,
    as MQTT 3.1.1 section 4.4 asks.
    """
    from amqtt.mqtt.protocol import handler as h
    from amqtt.session import OUTGOING

    original = h.ProtocolHandler._handle_qos1_message_flow

    async def flow(self: Any, app_message: Any) -> None:
        if app_message.direction != OUTGOING or app_message.puback_packet or not self.session:
            await original(self, app_message)
            return
        pid = app_message.packet_id
        self.session.inflight_out.setdefault(pid, app_message)
        packet = app_message.build_publish_packet(dup=app_message.publish_packet is not None)
        await self._send_packet(packet)
        app_message.publish_packet = packet
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._puback_waiters[pid] = waiter
        try:
            app_message.puback_packet = await waiter
            self.session.inflight_out.pop(pid, None)
        finally:
            self._puback_waiters.pop(pid, None)

    h.ProtocolHandler._handle_qos1_message_flow = flow


class _Broker(Broker):  # type: ignore[misc]
    """amqtt's broker, made to route every message it has acknowledged, and to let no
    refused connection touch a session.

    amqtt 0.12.1 sends PUBACK when an incoming message enters the session's delivery queue,
    and routes the queue one message at a time in the client's loop; when the client
    disconnects, the loop stops and whatever is still queued is discarded. A station that
    publishes a burst and disconnects would lose acknowledged events. Here the queue is
    drained (routed) before the session is torn down.

    amqtt 0.12.1 also handles a CONNECT before checking its credentials: a clean session
    deletes the session of that client id, a persistent one copies its user name and
    password onto the existing session, and a client id already connected is taken over,
    all before ``_authenticate`` runs (``broker.py``: ``_initialize_client_session`` then
    ``_handle_client_session``). Any connection using the recorder's client id, even one
    refused for a wrong password, stopped the recording. Here the credentials are checked
    on the CONNECT first, and a refused one is answered and closed without touching any
    session. (Session takeover and client-id binding: emqx/emqx-docs#3725,
    eclipse-mosquitto/mosquitto#3553; amqtt's takeover came with Yakifo/amqtt#89.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # amqtt routes each message while iterating over its subscriptions with awaits in
        # between; a recorder (re)subscribing meanwhile raised "dictionary changed size
        # during iteration", and a client's subscription removed meanwhile (a clean session
        # cleaned up) made the loop skip the subscriber after it: either way the message
        # being routed was lost. Iterate over snapshots.
        self._subscriptions = _SnapshotDict(self._subscriptions)  # type: ignore[has-type]

    async def _initialize_client_session(self, reader: Any, writer: Any, remote_address: str,
                                         remote_port: int) -> Any:
        from amqtt.mqtt.connack import NOT_AUTHORIZED, ConnackPacket
        from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler

        original_init = BrokerProtocolHandler.init_from_connect

        async def checked_init(*args: Any, **kwargs: Any) -> Any:
            handler, session = await original_init(*args, **kwargs)
            if not await self._authenticate(session, None):
                await ConnackPacket.build(0, NOT_AUTHORIZED).to_stream(writer)
                await writer.close()
                raise MQTTError(f"refused client {session.client_id!r} before its session")
            return handler, session

        # One connection's CONNECT at a time goes through here; swap the reader in for it.
        token = _checked_init.set(checked_init)
        try:
            return await super()._initialize_client_session(reader, writer, remote_address,
                                                            remote_port)
        finally:
            _checked_init.reset(token)

    async def _handle_disconnect(self, client_session: Any, handler: Any,
                                 disconnect_waiter: Any) -> None:
        queue = client_session.delivered_message_queue
        while not queue.empty():
            done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            done.set_result(queue.get_nowait())
            await self._handle_message_delivery(client_session, handler, done)
        await super()._handle_disconnect(client_session, handler, disconnect_waiter)


_checked_init: Any = None


def _authenticate_before_session() -> None:
    """Route amqtt's ``init_from_connect`` through the connection's own check (a context
    variable, so concurrent connections each get theirs)."""
    global _checked_init
    import contextvars

    from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler

    if _checked_init is not None:
        return
    _checked_init = contextvars.ContextVar("kit_checked_init", default=None)
    original = BrokerProtocolHandler.init_from_connect.__func__

    async def init_from_connect(cls: Any, *args: Any, **kwargs: Any) -> Any:
        check = _checked_init.get()
        if check is None:
            return await original(cls, *args, **kwargs)
        _checked_init.set(None)
        try:
            return await check(*args, **kwargs)
        finally:
            _checked_init.set(check)

    BrokerProtocolHandler.init_from_connect = classmethod(init_from_connect)


class EmbeddedBroker:
    """``async with EmbeddedBroker(port):`` runs amqtt inside this event loop, accepting the
    credentials in ``registry`` (default: this machine's, see :func:`kit.config.identity`)."""

    def __init__(self, port: int, registry: Path | None = None, host: str = "127.0.0.1", *,
                 tls: tuple[Path, Path] | None = None, tls_port: int | None = None) -> None:
        self.host, self.port = host, port
        self.tls_port = (tls_port or port + 7000) if tls else None
        _patch_amqtt()
        _authenticate_before_session()
        self._broker = _Broker(broker_config(port, registry or config.registry_path(), host,
                                             tls=tls, tls_port=tls_port))

    async def __aenter__(self) -> EmbeddedBroker:
        await self._broker.start()
        log.info("embedded broker listening on %s:%d", self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._broker.shutdown()

    def __repr__(self) -> str:
        return f"<EmbeddedBroker {self.host}:{self.port}>"


__all__ = ["LIMITS", "MAX_PACKET_BYTES", "EmbeddedBroker"]
