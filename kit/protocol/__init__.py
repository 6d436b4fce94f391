"""Pure codecs for kit's MQTT wire protocol (see docs/protocol.md). No I/O here."""

from kit.protocol.envelope import (
    MAX_PAYLOAD_BYTES,
    SCHEMA_VERSION,
    Event,
    Rejected,
    decode_event,
    encode_event,
    new_event,
)
from kit.protocol.ids import InvalidId, check_id, is_id, slug

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "SCHEMA_VERSION",
    "Event",
    "InvalidId",
    "Rejected",
    "check_id",
    "decode_event",
    "encode_event",
    "is_id",
    "new_event",
    "slug",
]
