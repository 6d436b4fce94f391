"""Learning records: xAPI 1.0.3 statements for participation and badges, a file export, and an
LRS client behind an outbox. See docs/xapi.md."""

from kit.xapi.export import export_xapi, statements
from kit.xapi.lrs import LrsClient, LrsConfig, LrsError, flush
from kit.xapi.outbox import forget

__all__ = ["LrsClient", "LrsConfig", "LrsError", "export_xapi", "flush", "forget", "statements"]
