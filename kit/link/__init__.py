"""The room's MQTT link, below the hub, the lesson, the activities and the gateway: one place
that makes clients with kit's settings (:mod:`kit.link.mqtt`) and the :class:`Station` that
records participation events through an on-disk outbox (:mod:`kit.link.station`)."""

from kit.link.station import Station

__all__ = ["Station"]
