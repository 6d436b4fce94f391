"""One exception root for kit. Subclasses mix in stdlib types and carry data."""

from __future__ import annotations


class KitError(Exception):
    """Root of every error kit raises on purpose.

    ``str(err)`` is written for the person in front of the class: what went wrong and what
    to do about it.
    """


class ConfigError(KitError, ValueError):
    """A setting, URL or file given to kit cannot be used."""


class BrokerUnavailable(KitError, ConnectionError):
    """No MQTT broker answers where kit was told to find one."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"no MQTT broker answers at {url} ({reason}); start one with 'kit hub' "
            "or pass --broker with the right address"
        )
        self.url = url
        self.reason = reason


class StoreError(KitError, RuntimeError):
    """The participation store cannot be opened or written."""
