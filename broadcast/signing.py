"""Ed25519 signing of package manifests, so a station can verify a package offline
with the public key served at /api/v1/keys."""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

# cryptography is imported where a key is used: it is about 9 MB of every process
# otherwise (this module is imported at start-up through the admin hooks), and only
# package building, the log and the key endpoint sign or verify.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _key_path() -> Path:
    return Path(settings.LOA_SIGNING_KEY_FILE)


@functools.cache
def _private_key(path: str) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written whole under a name of its own, then published with link(),
        # which fails if the key exists: two workers starting at once never write
        # two keys, and none reads a key another is still writing (an exclusive
        # create of the key itself let a second worker read it empty).
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".signing-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, p)
            except FileExistsError:
                pass
            except OSError:
                # A file system without hard links: rename is atomic too, though
                # of two first starts at the same instant the later key wins.
                if not p.exists():
                    os.replace(tmp, p)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    return serialization.load_pem_private_key(p.read_bytes(), password=None)


def private_key() -> Ed25519PrivateKey:
    return _private_key(str(_key_path()))


def sign(data: bytes) -> bytes:
    """Detached signature, base64 text (one line) so it can be read and pasted."""
    return base64.b64encode(private_key().sign(data)) + b"\n"


def public_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization

    return (
        private_key()
        .public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )


def public_key_raw_b64() -> str:
    from cryptography.hazmat.primitives import serialization

    raw = (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode()


def verify(data: bytes, signature_b64: str | bytes) -> bool:
    """Whether `signature_b64` (as made by `sign`) signs `data` with Loa's key."""
    from cryptography.exceptions import InvalidSignature

    try:
        raw = base64.b64decode(signature_b64, validate=False)
        private_key().public_key().verify(raw, data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
