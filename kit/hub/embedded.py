"""The embedded broker (amqtt), with kit's credentials and ACL rules as amqtt plugins.

amqtt speaks MQTT 3.1.1 only, so the recorder uses ``clean_session=False`` under a named user:
amqtt queues nothing for offline anonymous sessions (see amqtt's ``broker.py``: messages are
kept for a disconnected session only when ``not target_session.is_anonymous``), which is why
anonymous access is off here.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass, field
from typing import Any

from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

from kit.hub import acl

log = logging.getLogger(__name__)


class KitAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Accepts exactly the role names with their passwords."""

    @dataclass
    class Config:
        credentials: dict[str, str] = field(default_factory=dict)

    async def authenticate(self, *, session: Session) -> bool:
        creds: dict[str, str] = self.config.credentials
        user, password = session.username, session.password
        expected = creds.get(user or "")
        ok = bool(expected) and password is not None and hmac.compare_digest(
            str(expected).encode(), str(password).encode())
        if not ok:
            log.warning("refused a connection from client %r as user %r: wrong credentials",
                        session.client_id, user)
        return ok


class KitTopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """Enforces :data:`kit.hub.acl.RULES` (the same rules Mosquitto gets as an ACL file)."""

    @dataclass
    class Config:
        pass

    async def topic_filtering(self, *, session: Session | None = None, topic: str | None = None,
                              action: Action | None = None) -> bool:
        if session is None or topic is None:
            return False
        role, client = session.username or "", session.client_id or ""
        if action == Action.SUBSCRIBE:
            allowed = acl.may_subscribe(role, client, topic)
        elif action == Action.PUBLISH:
            allowed = acl.may_publish(role, client, topic)
        else:
            allowed = acl.may_receive(role, client, topic)
        if not allowed and action != Action.RECEIVE:
            log.warning("refused %s on %r for client %r (role %r)", action, topic, client, role)
        return allowed


def broker_config(port: int, credentials: dict[str, str], host: str = "127.0.0.1"
                  ) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}",
                                  "max_connections": 500}},
        # Keep an offline recorder's queue for a day; sessions beyond that are dropped.
        "session_expiry_interval": 86400,
        "plugins": {
            f"{__name__}.KitAuthPlugin": {"credentials": dict(credentials)},
            f"{__name__}.KitTopicPlugin": {},
        },
    }


_patched = False


class _SnapshotDict(dict[Any, Any]):
    def items(self) -> Any:
        return list(super().items())

    def __iter__(self) -> Any:
        return iter(list(super().__iter__()))


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
    global _patched
    if _patched:
        return
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
    _patched = True


class _Broker(Broker):  # type: ignore[misc]
    """amqtt's broker, made to route every message it has acknowledged.

    amqtt 0.12.1 sends PUBACK when an incoming message enters the session's delivery queue,
    and routes the queue one message at a time in the client's loop; when the client
    disconnects, the loop stops and whatever is still queued is discarded. A station that
    publishes a burst and disconnects would lose acknowledged events. Here the queue is
    drained (routed) before the session is torn down.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # amqtt routes each message while iterating over its subscriptions with awaits in
        # between; a recorder (re)subscribing meanwhile raised "dictionary changed size
        # during iteration" and the message being routed was lost. Iterate over snapshots.
        self._subscriptions = _SnapshotDict(self._subscriptions)  # type: ignore[has-type]

    async def _handle_disconnect(self, client_session: Any, handler: Any,
                                 disconnect_waiter: Any) -> None:
        queue = client_session.delivered_message_queue
        while not queue.empty():
            done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            done.set_result(queue.get_nowait())
            await self._handle_message_delivery(client_session, handler, done)
        await super()._handle_disconnect(client_session, handler, disconnect_waiter)


class EmbeddedBroker:
    """``async with EmbeddedBroker(port, creds):`` runs amqtt inside this event loop."""

    def __init__(self, port: int, credentials: dict[str, str], host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        _patient_outgoing_qos1()
        self._broker = _Broker(broker_config(port, credentials, host))

    async def __aenter__(self) -> EmbeddedBroker:
        await self._broker.start()
        log.info("embedded broker listening on %s:%d", self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._broker.shutdown()

    def __repr__(self) -> str:
        return f"<EmbeddedBroker {self.host}:{self.port}>"
