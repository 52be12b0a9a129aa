"""The RSA keys that sign the ID tokens of the OpenID Connect provider.

settings.OAUTH2_PROVIDER holds the lazy values SIGNING_KEY and INACTIVE_KEYS, so
no file is read and no key is made until django-oauth-toolkit first signs a token
or publishes its key set; settings, management commands and imports stay cheap.

- settings.EGOV_OIDC_RSA_KEY_FILE names a PEM file with the active private key.
  Production sets it (the file comes from the key management of the site).
- Without it, a 2048-bit key is generated once into VAR_DIR/oidc_rsa.pem (mode
  0600) and reused by every process that shares VAR_DIR.
- settings.EGOV_OIDC_RSA_INACTIVE_KEY_FILES lists retired keys: they no longer
  sign, but stay in the JWKS so that tokens signed before a rotation still verify.

Key files are read once per process; a rotation takes effect on restart.
"""

import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy

from egov.core.keyfiles import create_private_file

GENERATED_KEY_NAME = "oidc_rsa.pem"
KEY_SIZE = 2048


def signing_key_path() -> Path:
    """Where the active signing key lives under the current settings."""
    configured = getattr(settings, "EGOV_OIDC_RSA_KEY_FILE", "")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / GENERATED_KEY_NAME


def signing_key_pem() -> str:
    """The PEM text of the active signing key (read, or made on first use)."""
    if getattr(settings, "EGOV_OIDC_RSA_KEY_FILE", ""):
        return read_key_file(signing_key_path())
    return load_or_create_key(signing_key_path())


def inactive_key_pems() -> list[str]:
    """The PEM texts of retired keys still published for verification."""
    files = getattr(settings, "EGOV_OIDC_RSA_INACTIVE_KEY_FILES", []) or []
    return [read_key_file(Path(name)) for name in files]


@lru_cache(maxsize=16)
def read_key_file(path: Path) -> str:
    """Read a configured key file; a missing or foreign file stops the provider."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(
            f"The OpenID Connect key file {path} cannot be read: {exc}"
        ) from exc
    _check_rsa_private_key(text, path)
    return text


@lru_cache(maxsize=16)
def load_or_create_key(path: Path) -> str:
    """The key at `path`, generating it there first when there is none.

    Several processes may start at once: the key is written to a private
    temporary file and linked into place, so exactly one key wins and nobody
    ever reads a half-written file.
    """
    if not path.exists():
        _create_key(path)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return read_key_file(path)


def _create_key(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    create_private_file(path, pem)


def _check_rsa_private_key(text: str, path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"The OpenID Connect key file {path} does not hold an unencrypted "
            f"PEM private key: {exc}"
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < KEY_SIZE:
        raise ImproperlyConfigured(
            f"The OpenID Connect key file {path} must hold an RSA key of at least "
            f"{KEY_SIZE} bits."
        )


SIGNING_KEY = lazy(signing_key_pem, str)()
INACTIVE_KEYS = lazy(inactive_key_pems, list)()
