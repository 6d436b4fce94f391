"""A Mosquitto broker that kit owns: started with a configuration kit writes, its password and
ACL files rewritten and reloaded (SIGHUP) when a station makes its credential, stopped with
the hub (and by the next hub, if a killed one left it running), never someone else's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ctypes
import getpass
import hashlib
import logging
import os
import shutil
import signal
import socket
from pathlib import Path

from kit import config
from kit.errors import ConfigError
from kit.hub import acl

log = logging.getLogger(__name__)

#: Mosquitto closes a connection that sends a bigger packet (events are at most 8 KiB).
MAX_PACKET_BYTES = 16384


def password_line(user: str, password: str, salt: bytes | None = None) -> str:
    """One line of a Mosquitto 2 password file (``$7$``: PBKDF2-SHA512, 101 rounds)."""
    salt = salt or os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101)
    return f"{user}:$7$101${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write_users(directory: Path, users: dict[str, config.Identity]) -> None:
    """The password and ACL files for these credentials (user name = client id)."""
    ok = {n: u for n, u in users.items() if ":" not in n and "\n" not in n}
    _write_private(directory / "passwd",
                   "".join(password_line(n, u.password) + "\n" for n, u in sorted(ok.items())))
    _write_private(directory / "acl", acl.mosquitto_acl(ok.items()))


def write_config(directory: Path, port: int, users: dict[str, config.Identity],
                 host: str = "127.0.0.1", *, tls: tuple[Path, Path] | None = None,
                 tls_port: int | None = None) -> Path:
    """Write mosquitto.conf, its password file and ACL file into ``directory``."""
    config.private_dir(directory)
    write_users(directory, users)
    # The client id is the user name: no credential can take another's session. (A listener
    # setting: given before any listener line, Mosquitto would open a default one on 1883.)
    listeners = f"listener {port} {host}\nuse_username_as_clientid true\n"
    if tls is not None:
        listeners += (f"listener {tls_port or port + 7000} {host}\n"
                      "use_username_as_clientid true\n"
                      f"certfile {tls[0]}\nkeyfile {tls[1]}\n")
    conf = directory / "mosquitto.conf"
    _write_private(conf, (
        "# written by kit hub\n"
        # Started as root, Mosquitto would drop to user 'mosquitto', who cannot read our
        # private password file: stay the user who runs kit.
        f"user {getpass.getuser()}\n"
        "per_listener_settings false\n"
        "allow_anonymous false\n"
        f"password_file {directory / 'passwd'}\n"
        f"acl_file {directory / 'acl'}\n"
        f"max_packet_size {MAX_PACKET_BYTES}\n"
        + listeners +
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
        "log_type information\n"
        "connection_messages false\n"
    ))
    return conf


def binary() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()),
        None)


def require_binary() -> str:
    found = binary()
    if not found:
        raise ConfigError("Mosquitto is not installed: install it (Debian/Ubuntu: "
                          "'sudo apt-get install mosquitto') or use the embedded broker")
    return found


def _die_with_parent() -> None:
    """In the child, before exec: Linux sends SIGTERM (Mosquitto then saves its queues) when
    the hub that started it dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def ensure_ports_free(host: str, *ports: int | None) -> None:
    """Refuse, in words a teacher can act on, to start a broker on a port already taken."""
    for port in ports:
        if port is not None and not port_free(host, port):
            raise ConfigError(f"port {port} on {host} is already in use by another program "
                              "(another broker?): stop it, or start 'kit hub' with --port and "
                              "a free port")


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


class MosquittoBroker:
    """``async with MosquittoBroker(dir, port):`` runs a private Mosquitto process."""

    def __init__(self, directory: Path, port: int, registry: Path | None = None,
                 host: str = "127.0.0.1", *, tls: tuple[Path, Path] | None = None,
                 tls_port: int | None = None) -> None:
        self.directory, self.port, self.host = directory, port, host
        self.registry = registry or config.registry_path()
        self.tls_port = (tls_port or port + 7000) if tls else None
        self._stamp = self._registry_stamp()
        self.conf = write_config(directory, port, config.identities(self.registry), host,
                                 tls=tls, tls_port=tls_port)
        self._proc: asyncio.subprocess.Process | None = None
        self._watch: asyncio.Task[None] | None = None
        self.log_path = directory / "mosquitto.log"
        self.pid_path = directory / "mosquitto.pid"

    def _registry_stamp(self) -> tuple[int, int]:
        try:
            st = self.registry.stat()
        except FileNotFoundError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_size)

    async def start(self) -> None:
        await self._stop_stale()
        ensure_ports_free(self.host, self.port, self.tls_port)
        config.private_file(self.log_path)
        start = self.log_path.stat().st_size
        log_file = self.log_path.open("ab")
        self._proc = await asyncio.create_subprocess_exec(
            require_binary(), "-c", str(self.conf), stdout=log_file, stderr=log_file,
            preexec_fn=_die_with_parent)
        log_file.close()
        self.pid_path.write_text(f"{self._proc.pid}\n")
        await self._until_logged("running", start)
        await _wait_listening(self.host, self.port, self._proc)
        self._watch = asyncio.create_task(self._watch_registry(), name="mosquitto-credentials")

    async def reload(self) -> None:
        """Rewrite the password and ACL files from the credentials and make Mosquitto read
        them; returns once it has (its log says so)."""
        self._stamp = self._registry_stamp()
        write_users(self.directory, config.identities(self.registry))
        if self._proc is None or self._proc.returncode is not None:
            return
        start = self.log_path.stat().st_size
        self._proc.send_signal(signal.SIGHUP)
        await self._until_logged("Reloading config", start)

    async def _watch_registry(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            if self._registry_stamp() != self._stamp:
                try:
                    await self.reload()
                except (OSError, ConfigError) as e:
                    log.warning("could not reload Mosquitto's credentials: %s", e)

    async def _until_logged(self, text: str, start: int, limit: int = 800) -> None:
        """Wait until Mosquitto's log, after byte ``start``, holds ``text``."""
        for _ in range(limit):
            with self.log_path.open("rb") as f:
                f.seek(start)
                if text.encode() in f.read():
                    return
            if self._proc is None or self._proc.returncode is not None:
                tail = self.log_path.read_bytes()[start:].decode("utf-8", "replace").strip()
                raise ConfigError(f"Mosquitto stopped at start on port {self.port}: "
                                  f"{tail[-300:] or 'no message'}")
            await asyncio.sleep(0.025)
        raise ConfigError(f"Mosquitto did not say {text!r} in {self.log_path}")

    async def _stop_stale(self) -> None:
        """A hub killed with SIGKILL may have left its Mosquitto running: stop it."""
        try:
            pid = int(self.pid_path.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return
        if not any(b"mosquitto" in part for part in cmdline[:1]) or \
                str(self.conf).encode() not in cmdline:
            return
        log.warning("stopping the Mosquitto (pid %d) a previous hub left running", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(400):
            if not Path(f"/proc/{pid}").exists() or _zombie(pid):
                break
            await asyncio.sleep(0.025)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    async def stop(self) -> None:
        """Stop gracefully: Mosquitto saves its persistent sessions and queues on SIGTERM."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        if self._proc and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGTERM)
            await self._proc.wait()
        self._proc = None
        with contextlib.suppress(OSError):
            self.pid_path.unlink()

    async def kill(self) -> None:
        """SIGKILL, as a power cut would (for tests of what survives)."""
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self._proc and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGKILL)
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


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


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
