"""The SM2 key pair that signs electronic licences.

- settings.EGOV_LICENCE_SM2_KEY_FILE names the key file. Production sets it
  (the file comes from the site's key management).
- Without it, a key pair is generated once into VAR_DIR/licence_sm2.key (mode
  0600) and reused by every process that shares VAR_DIR, like the development
  OpenID Connect key (egov.identity.oidc_keys).
- settings.EGOV_LICENCE_SM2_RETIRED_PUBLIC_KEYS lists the public keys (128 hex
  characters each) of retired key pairs, so licences signed before a rotation
  still verify.

A key file holds two lines: `private <64 hex characters>` and `public <128 hex
characters>` (X||Y). The pair is checked by signing and verifying once when
the file is read. Key files are read once per process; a rotation takes
effect on restart.
"""

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from egov.core import crypto
from egov.core.keyfiles import create_private_file

GENERATED_KEY_NAME = "licence_sm2.key"


@dataclass(frozen=True)
class SigningKey:
    private: bytes
    public: bytes

    @property
    def key_id(self) -> str:
        return key_id(self.public)


def key_id(public: bytes) -> str:
    """A short, stable name of a public key: the start of its SM3 digest."""
    return crypto.sm3_hex(public)[:16]


def key_path() -> Path:
    configured = getattr(settings, "EGOV_LICENCE_SM2_KEY_FILE", "")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / GENERATED_KEY_NAME


def signing_key() -> SigningKey:
    """The active key pair (read, or made on first use in development)."""
    path = key_path()
    if not getattr(settings, "EGOV_LICENCE_SM2_KEY_FILE", ""):
        return load_or_create_key(path)
    return read_key_file(path)


def trusted_public_keys() -> dict[str, bytes]:
    """Every public key a licence may have been signed with, by key id."""
    keys = {}
    for text in getattr(settings, "EGOV_LICENCE_SM2_RETIRED_PUBLIC_KEYS", []) or []:
        try:
            public = bytes.fromhex(text.strip())
        except ValueError:
            public = b""
        if len(public) != crypto.SM2_PUBLIC_KEY_BYTES:
            raise ImproperlyConfigured(
                "EGOV_LICENCE_SM2_RETIRED_PUBLIC_KEYS holds a value that is not "
                f"{crypto.SM2_PUBLIC_KEY_BYTES * 2} hexadecimal characters"
            )
        keys[key_id(public)] = public
    active = signing_key()
    keys[active.key_id] = active.public
    return keys


def format_key(key: SigningKey) -> str:
    return f"private {key.private.hex()}\npublic {key.public.hex()}\n"


@lru_cache(maxsize=8)
def read_key_file(path: Path) -> SigningKey:
    """Read and check a key file; an unreadable or broken one stops issuing
    with a message naming the file."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(
            f"The licence signing key file {path} cannot be read: {exc}"
        ) from exc
    values = {}
    for line in text.splitlines():
        name, _sep, value = line.strip().partition(" ")
        values[name] = value.strip()
    try:
        key = SigningKey(
            bytes.fromhex(values.get("private", "")),
            bytes.fromhex(values.get("public", "")),
        )
        ok = crypto.sm2_verify(
            key.public, b"egov", crypto.sm2_sign(key.private, key.public, b"egov")
        )
    except ValueError:
        ok = False
    if not ok:
        raise ImproperlyConfigured(
            f"The licence signing key file {path} does not hold a matching SM2 "
            "key pair as lines `private <64 hex>` and `public <128 hex>`"
        )
    return key


@lru_cache(maxsize=8)
def load_or_create_key(path: Path) -> SigningKey:
    """The key pair at `path`, generated there first when there is none.

    Written to a private temporary file and linked into place, so that when
    several processes start at once exactly one key pair wins.
    """
    if not path.exists():
        public, private = crypto.sm2_generate_keypair()
        text = format_key(SigningKey(private, public)).encode("ascii")
        create_private_file(path, text)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return read_key_file(path)
