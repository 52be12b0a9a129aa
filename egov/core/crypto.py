"""SM2/SM3/SM4 (国密) adapter. Every other module calls these functions only.

The binding is gmssl-pyx (GmSSL in C); docs/adr/0002-sm-crypto.md records why
and the benchmark behind it. Conventions every caller can rely on:

- SM3 digests are 32 bytes (`sm3`) or 64 lowercase hex characters (`sm3_hex`).
- SM4 keys are 16 bytes. `sm4_cbc_encrypt` returns a random 16-byte IV followed
  by the CBC ciphertext of the PKCS#7-padded plaintext.
- SM2 public keys are the 64 bytes X||Y (a leading 0x04 is accepted), private
  keys 32 bytes; signatures are DER SEQUENCE {r, s} as GM/T 0009 prescribes,
  over SM3 with the default signer ID "1234567812345678".
- Wrong sizes, corrupt ciphertexts and bad keys raise ValueError; a signature
  that is malformed or does not match makes `sm2_verify` return False.
"""

import secrets
from collections.abc import Iterable
from functools import lru_cache

import gmssl_pyx
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SM4_KEY_BYTES = 16
SM4_BLOCK_BYTES = 16
SM2_PUBLIC_KEY_BYTES = 64
SM2_PRIVATE_KEY_BYTES = 32
_IV_BYTES = 16
_ZERO_IV = bytes(_IV_BYTES)
# What the C library raises for bad input; the adapter turns it into ValueError.
_BINDING_ERRORS = (gmssl_pyx.GmsslInnerError, TypeError, ValueError)


def sm3(data: bytes) -> bytes:
    return gmssl_pyx.sm3_hash(data)


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


def sm3_stream(chunks: Iterable[bytes]) -> str:
    """The SM3 digest (hex) of data given in pieces, e.g. an uploaded file.

    GmSSL's binding hashes one buffer at a time only, so a large file would have
    to sit in memory whole; pyca/cryptography's SM3 (from its OpenSSL) hashes
    incrementally and gives the same digest, which the tests check.
    """
    digest = hashes.Hash(hashes.SM3())
    for chunk in chunks:
        digest.update(chunk)
    return digest.finalize().hex()


def sm3_hmac(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 (32 bytes). An empty key is refused: it would protect nothing."""
    if not key:
        raise ValueError("an HMAC-SM3 key must not be empty")
    return gmssl_pyx.sm3_hmac(key, data)


def _sm4_key(key: bytes) -> bytes:
    # The C binding takes immutable bytes only.
    if not isinstance(key, bytes | bytearray) or len(key) != SM4_KEY_BYTES:
        raise ValueError(f"an SM4 key is {SM4_KEY_BYTES} bytes")
    return bytes(key)


def sm4_encrypt_block(key: bytes, block: bytes) -> bytes:
    """Encrypt exactly one 16-byte block, without chaining or padding.

    For known-answer tests and key check values only; data is encrypted with
    `sm4_cbc_encrypt`. The binding offers no ECB mode, but CBC with a zero IV
    over one block is that block's ECB encryption; the padding block that CBC
    appends is dropped.
    """
    key = _sm4_key(key)
    if len(block) != SM4_BLOCK_BYTES:
        raise ValueError(f"an SM4 block is {SM4_BLOCK_BYTES} bytes")
    return gmssl_pyx.sm4_cbc_padding_encrypt(key, _ZERO_IV, bytes(block))[
        :SM4_BLOCK_BYTES
    ]


def sm4_cbc_encrypt(key: bytes, plaintext: bytes) -> bytes:
    """SM4-CBC with PKCS#7 padding; a random IV is prepended to the ciphertext."""
    key = _sm4_key(key)
    iv = secrets.token_bytes(_IV_BYTES)
    if not plaintext:
        # The binding refuses empty input, though PKCS#7 turns it into one
        # whole padding block, which CBC encrypts as E(K, padding xor IV).
        block = bytes(SM4_BLOCK_BYTES ^ v for v in iv)
        return iv + sm4_encrypt_block(key, block)
    return iv + gmssl_pyx.sm4_cbc_padding_encrypt(key, iv, bytes(plaintext))


def sm4_cbc_decrypt(key: bytes, data: bytes) -> bytes:
    """The plaintext of `sm4_cbc_encrypt`'s output.

    Raises ValueError when the data is too short, not whole blocks, or its
    padding is wrong, which is what a wrong key or a damaged value gives.
    """
    key = _sm4_key(key)
    data = bytes(data)
    if len(data) < _IV_BYTES + SM4_BLOCK_BYTES or len(data) % SM4_BLOCK_BYTES:
        raise ValueError("SM4 ciphertext is too short or not whole blocks")
    try:
        return gmssl_pyx.sm4_cbc_padding_decrypt(
            key, data[:_IV_BYTES], data[_IV_BYTES:]
        )
    except gmssl_pyx.GmsslInnerError:
        raise ValueError("SM4 ciphertext cannot be decrypted with this key") from None


@lru_cache(maxsize=4)
def _derive(secret: str, purpose: str) -> bytes:
    # HMAC-SM3 keeps every key that protects personal data on SM algorithms,
    # which is what a 密评 (GB/T 39786) assessment looks for.
    return sm3_hmac(secret.encode(), purpose.encode())


def data_key() -> bytes:
    """The SM4 key for personal data at rest (EGOV_SM4_KEY, 32 hex characters).

    Without EGOV_SM4_KEY the key is derived from SECRET_KEY so that development
    works; production sets its own. A malformed value raises ImproperlyConfigured
    naming the setting, so the operator sees what to fix.
    """
    configured = (settings.EGOV_SM4_KEY or "").strip()
    if not configured:
        return _derive(settings.SECRET_KEY, "egov-sm4-data-key")[:SM4_KEY_BYTES]
    expected = "EGOV_SM4_KEY must be 32 hexadecimal characters (a 16-byte SM4 key)"
    try:
        key = bytes.fromhex(configured)
    except ValueError:
        raise ImproperlyConfigured(
            f"{expected}; the configured value is not hexadecimal"
        ) from None
    if len(key) != SM4_KEY_BYTES:
        raise ImproperlyConfigured(
            f"{expected}; the configured value has {len(configured)} characters"
        )
    return key


def index_key() -> bytes:
    """Key of the blind index that finds encrypted values by equality."""
    return _derive(data_key().hex(), "egov-blind-index")


def encrypt_text(value: str) -> str:
    """Hex of SM4-CBC(data_key, value); "" stays "" so blank fields stay blank."""
    if not value:
        return ""
    return sm4_cbc_encrypt(data_key(), value.encode()).hex()


def decrypt_text(value: str) -> str:
    """The inverse of `encrypt_text`; ValueError when the value is damaged."""
    if not value:
        return ""
    try:
        data = bytes.fromhex(value)
    except ValueError:
        raise ValueError("encrypted text is not hexadecimal") from None
    try:
        return sm4_cbc_decrypt(data_key(), data).decode()
    except UnicodeDecodeError:
        raise ValueError("SM4 ciphertext cannot be decrypted with this key") from None


def blind_index(value: str) -> str:
    """A keyed SM3 digest of a normalised value, for lookups and uniqueness."""
    return sm3_hmac(index_key(), value.strip().upper().encode()).hex()


def sm2_generate_keypair() -> tuple[bytes, bytes]:
    """Returns (public key 64 bytes X||Y, private key 32 bytes)."""
    return gmssl_pyx.sm2_key_generate()


def _public_key(public_key: bytes) -> bytes:
    if len(public_key) == SM2_PUBLIC_KEY_BYTES + 1 and public_key[0] == 4:
        return bytes(public_key[1:])
    if len(public_key) != SM2_PUBLIC_KEY_BYTES:
        raise ValueError(f"an SM2 public key is {SM2_PUBLIC_KEY_BYTES} bytes X||Y")
    return bytes(public_key)


def sm2_sign(private_key: bytes, public_key: bytes, message: bytes) -> bytes:
    """The DER signature of `message` (SM3 with the default signer ID)."""
    if len(private_key) != SM2_PRIVATE_KEY_BYTES:
        raise ValueError(f"an SM2 private key is {SM2_PRIVATE_KEY_BYTES} bytes")
    try:
        return gmssl_pyx.sm2_sign(private_key, _public_key(public_key), message)
    except gmssl_pyx.GmsslInnerError:
        raise ValueError("the SM2 key pair is not valid") from None


def _is_der_signature(signature: bytes) -> bool:
    """Whether the bytes are SEQUENCE { INTEGER, INTEGER } in short-form DER.

    Checked here so that junk never reaches the C library, which writes a
    diagnostic to stderr for every signature it cannot parse.
    """
    if len(signature) < 8 or signature[0] != 0x30 or signature[1] != len(signature) - 2:
        return False
    rest = signature[2:]
    for _ in range(2):
        if len(rest) < 3 or rest[0] != 0x02 or not 1 <= rest[1] <= 33:
            return False
        rest = rest[2 + rest[1] :]
    return rest == b""


def sm2_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True only for a valid signature; anything malformed is simply invalid."""
    if not isinstance(signature, bytes | bytearray) or not _is_der_signature(
        bytes(signature)
    ):
        return False
    try:
        return bool(
            gmssl_pyx.sm2_verify(_public_key(public_key), message, bytes(signature))
        )
    except _BINDING_ERRORS:
        return False
