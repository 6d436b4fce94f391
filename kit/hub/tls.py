"""A certificate for the hub's TLS listener: the school's own (given as files), or one kit
makes itself, signed by a small certificate authority of its own kept in the data directory
(``tls/ca.pem`` is what stations trust; ``kit`` clients on this machine find it there)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from kit import config
from kit.errors import ConfigError


def server_certificate(host: str, cert: str | None = None, key: str | None = None
                       ) -> tuple[Path, Path]:
    """``(certificate, key)`` files for a TLS listener on ``host``."""
    if cert or key:
        if not (cert and key and Path(cert).exists() and Path(key).exists()):
            raise ConfigError("give both --tls-cert and --tls-key, as files that exist")
        return Path(cert), Path(key)
    directory = config.private_dir(config.home() / "tls")
    cert_path, key_path = directory / "hub.pem", directory / "hub.key"
    if not cert_path.exists() or not key_path.exists():
        _make(directory, host)
    return cert_path, key_path


def _make(directory: Path, host: str) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kit classroom hub CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    for h in {host, "127.0.0.1"}:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            names.append(x509.DNSName(h))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    config.private_file(directory / "hub.key")
    (directory / "hub.key").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (directory / "hub.pem").write_bytes(cert.public_bytes(pem))
