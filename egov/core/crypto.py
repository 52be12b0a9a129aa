"""SM2/SM3/SM4 (国密) adapter. Every other module calls these functions only.

The binding is gmssl-pyx (GmSSL in C); docs/adr/0002-sm-crypto.md records why.
"""

import hashlib
import hmac
import secrets
from functools import lru_cache

import gmssl_pyx
from django.conf import settings

SM4_KEY_BYTES = 16
_IV_BYTES = 16


def sm3(data: bytes) -> bytes:
    return gmssl_pyx.sm3_hash(data)


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


def sm3_hmac(key: bytes, data: bytes) -> bytes:
    return gmssl_pyx.sm3_hmac(key, data)


def sm4_cbc_encrypt(key: bytes, plaintext: bytes) -> bytes:
    """SM4-CBC with PKCS#7 padding; a random IV is prepended to the ciphertext."""
    iv = secrets.token_bytes(_IV_BYTES)
    return iv + gmssl_pyx.sm4_cbc_padding_encrypt(key, iv, plaintext)


def sm4_cbc_decrypt(key: bytes, data: bytes) -> bytes:
    if len(data) < _IV_BYTES * 2:
        raise ValueError("ciphertext too short")
    return gmssl_pyx.sm4_cbc_padding_decrypt(key, data[:_IV_BYTES], data[_IV_BYTES:])


@lru_cache(maxsize=4)
def _derive(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def data_key() -> bytes:
    """The SM4 key for personal data at rest (EGOV_SM4_KEY, 32 hex characters)."""
    if settings.EGOV_SM4_KEY:
        key = bytes.fromhex(settings.EGOV_SM4_KEY)
        if len(key) != SM4_KEY_BYTES:
            raise ValueError("EGOV_SM4_KEY must be 32 hexadecimal characters")
        return key
    return _derive(settings.SECRET_KEY, "egov-sm4-data-key")[:SM4_KEY_BYTES]


def index_key() -> bytes:
    """Key of the blind index that finds encrypted values by equality."""
    return _derive(data_key().hex(), "egov-blind-index")


def encrypt_text(value: str) -> str:
    if not value:
        return ""
    return sm4_cbc_encrypt(data_key(), value.encode()).hex()


def decrypt_text(value: str) -> str:
    if not value:
        return ""
    return sm4_cbc_decrypt(data_key(), bytes.fromhex(value)).decode()


def blind_index(value: str) -> str:
    """A keyed SM3 digest of a normalised value, for lookups and uniqueness."""
    return sm3_hmac(index_key(), value.strip().upper().encode()).hex()


def sm2_generate_keypair() -> tuple[bytes, bytes]:
    """Returns (public key 64 bytes, private key 32 bytes)."""
    return gmssl_pyx.sm2_key_generate()


def sm2_sign(private_key: bytes, public_key: bytes, message: bytes) -> bytes:
    return gmssl_pyx.sm2_sign(private_key, public_key, message)


def sm2_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        return bool(gmssl_pyx.sm2_verify(public_key, message, signature))
    except Exception:  # noqa: BLE001 - a malformed signature is simply invalid
        return False
