"""A private CA and the certificates for mutual TLS between the app, its workers, the Web UI and
the Temporal frontend: made once, offline, with `cravelynos tls generate DIR`.

Files (PEM): ca.pem / ca.key (the CA; its key only signs, keep it offline once done),
server.pem / server.key (the Temporal frontend and its nodes), client.pem / client.key (the web
app, workers and Web UI). Keys are written owner-only. Existing files are never overwritten.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = timedelta(days=825)
FILES = ("ca.pem", "ca.key", "server.pem", "server.key", "client.pem", "client.key")


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cravelynos"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: str, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
    )


def make_ca() -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        _builder("Cravelynos Temporal CA", _name("Cravelynos Temporal CA"), key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def issue(ca: Issued, common_name: str, *, server_names: tuple[str, ...] = ()) -> Issued:
    """A leaf certificate: for a server when `server_names` are given, else for a client."""
    key = ec.generate_private_key(ec.SECP256R1())
    # A Temporal node also connects to the other nodes (internode mTLS) with its server
    # certificate: server certificates are valid for both ends.
    usage = (
        [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
        if server_names
        else [ExtendedKeyUsageOID.CLIENT_AUTH]
    )
    builder = (
        _builder(common_name, ca.certificate.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usage), critical=False)
    )
    if server_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_alt_name(name) for name in server_names]),
            critical=False,
        )
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def _alt_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.fchmod(fd, mode)  # exactly `mode`: the CLI runs under umask 077
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _save(directory: Path, stem: str, issued: Issued, key_mode: int) -> None:
    _write(
        directory / f"{stem}.pem",
        issued.certificate.public_bytes(serialization.Encoding.PEM),
        0o644,
    )
    key = issued.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(directory / f"{stem}.key", key, key_mode)


def generate_tls_files(
    directory: Path, server_names: tuple[str, ...], *, group_readable: bool = False
) -> bool:
    """Write the CA, server and client files; False (nothing written) if any already exists.

    `group_readable`: keys 0640 instead of 0600, for containers that share the files through a
    group (docker-compose.yml gives the Temporal and Web UI containers the app's group)."""
    directory.mkdir(parents=True, exist_ok=True)
    if any((directory / name).exists() for name in FILES):
        return False
    key_mode = 0o640 if group_readable else 0o600
    ca = make_ca()
    _save(directory, "ca", ca, 0o600)
    _save(directory, "server", issue(ca, server_names[0], server_names=server_names), key_mode)
    _save(directory, "client", issue(ca, "cravelynos-app"), key_mode)
    return True
