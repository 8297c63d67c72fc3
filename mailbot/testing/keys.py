"""Keys and certificates made on the spot for tests: a TLS certificate for a loopback server, an Entra-style client
certificate, a Google-style service-account key. RSA 2048 (what the providers take), made with cryptography."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    certificate_pem: str
    not_after: dt.datetime

    @property
    def combined_pem(self) -> str:
        """The private key and the certificate in one file: what MAILBOT_OAUTH2_CERTIFICATE holds."""
        return self.private_pem + self.certificate_pem

    def public_key(self) -> object:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode()).public_key()

    def thumbprint(self) -> str:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode()).fingerprint(hashes.SHA1()).hex()


def key_pair(name: str = "localhost", *, days: int = 2, loopback: bool = True) -> KeyPair:
    """A self-signed certificate and its key, valid for `days` (for 127.0.0.1 and localhost if `loopback`)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    not_after = now + dt.timedelta(days=days)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(not_after))
    if loopback:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    certificate = builder.sign(key, hashes.SHA256())
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    return KeyPair(private_pem, certificate.public_bytes(serialization.Encoding.PEM).decode(), not_after)


def service_account_key(token_uri: str,
                        email: str = "mailbot@council-mail.iam.gserviceaccount.com") -> tuple[str, KeyPair]:
    """Google's JSON key file for a service account whose tokens come from `token_uri`, and its key pair."""
    pair = key_pair("service-account", loopback=False)
    info = {"type": "service_account", "project_id": "council-mail", "private_key_id": "0123456789abcdef",
            "private_key": pair.private_pem, "client_email": email, "client_id": "104857600000000000001",
            "token_uri": token_uri}
    return json.dumps(info), pair
