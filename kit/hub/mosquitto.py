"""A Mosquitto broker that kit starts with a configuration it writes itself."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import getpass
import hashlib
import logging
import os
import shutil
import signal
from pathlib import Path

from kit.errors import ConfigError
from kit.hub import acl

log = logging.getLogger(__name__)


def password_line(user: str, password: str, salt: bytes | None = None) -> str:
    """One line of a Mosquitto 2 password file (``$7$``: PBKDF2-SHA512, 101 rounds)."""
    salt = salt or os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101)
    return f"{user}:$7$101${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def write_config(directory: Path, port: int, credentials: dict[str, str],
                 host: str = "127.0.0.1") -> Path:
    """Write mosquitto.conf, its password file and ACL file into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    passwd, aclfile = directory / "passwd", directory / "acl"
    passwd.write_text("".join(password_line(u, p) + "\n" for u, p in credentials.items()))
    passwd.chmod(0o600)
    aclfile.write_text(acl.mosquitto_acl())
    conf = directory / "mosquitto.conf"
    conf.write_text(
        "# written by kit hub\n"
        # Started as root, Mosquitto would drop to user 'mosquitto', who cannot read our
        # private password file: stay the user who runs kit.
        f"user {getpass.getuser()}\n"
        "per_listener_settings false\n"
        "allow_anonymous false\n"
        f"password_file {passwd}\n"
        f"acl_file {aclfile}\n"
        f"listener {port} {host}\n"
        "persistence true\n"
        f"persistence_location {directory}/\n"
        "autosave_interval 30\n"
        # The default of 1000 drops messages for a recorder that falls behind.
        "max_queued_messages 1000000\n"
        "max_inflight_messages 1000\n"
        "persistent_client_expiration 14d\n"
        "log_dest stderr\n"
        "log_type error\n"
        "log_type warning\n"
        "log_type notice\n"
    )
    return conf


def binary() -> str:
    found = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()),
        None)
    if not found:
        raise ConfigError("Mosquitto is not installed: install it (Debian/Ubuntu: "
                          "'sudo apt-get install mosquitto') or use the embedded broker")
    return found


class MosquittoBroker:
    """``async with MosquittoBroker(dir, port, creds):`` runs a private Mosquitto process."""

    def __init__(self, directory: Path, port: int, credentials: dict[str, str],
                 host: str = "127.0.0.1") -> None:
        self.directory, self.port, self.host = directory, port, host
        self.conf = write_config(directory, port, credentials, host)
        self._proc: asyncio.subprocess.Process | None = None
        self.log_path = directory / "mosquitto.log"

    async def start(self) -> None:
        log_file = self.log_path.open("ab")
        self._proc = await asyncio.create_subprocess_exec(
            binary(), "-c", str(self.conf), stdout=log_file, stderr=log_file)
        log_file.close()
        await _wait_listening(self.host, self.port, self._proc)

    async def stop(self) -> None:
        """Stop gracefully: Mosquitto saves its persistent sessions and queues on SIGTERM."""
        if self._proc and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGTERM)
            await self._proc.wait()
        self._proc = None

    async def __aenter__(self) -> MosquittoBroker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def __repr__(self) -> str:
        state = "running" if self._proc and self._proc.returncode is None else "stopped"
        return f"<MosquittoBroker {self.host}:{self.port} {state}>"


async def _wait_listening(host: str, port: int, proc: asyncio.subprocess.Process,
                          attempts: int = 200) -> None:
    """Wait until the broker accepts TCP connections (each try is a real connect)."""
    for _ in range(attempts):
        if proc.returncode is not None:
            raise ConfigError(f"Mosquitto exited at start (code {proc.returncode}); "
                              f"is port {port} free?")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 1)
        except (OSError, TimeoutError):
            await asyncio.sleep(0.025)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return
    raise ConfigError(f"Mosquitto did not start listening on {host}:{port}")
