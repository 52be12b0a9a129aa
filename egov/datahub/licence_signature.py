"""The canonical form of a licence, its SM3 digest and SM2 signature.

The canonical form (docs/adr/0011-electronic-licences.md) is the UTF-8 JSON of
the signed fields with sorted keys, no whitespace and characters unescaped.
Times are UTC to the second (`2026-11-26T07:30:00Z`), dates ISO, a licence
without end has `"valid_until": null`. The state and the revocation are not
signed: they change after issue, and every change is in the audit log.
"""

import json
from datetime import UTC

from egov.core import crypto
from egov.datahub import licence_keys

CANONICAL_VERSION = 1


def canonical_fields(licence) -> dict:
    """The signed fields of `licence`, as plain JSON values."""
    return {
        "v": CANONICAL_VERSION,
        "code": licence.code,
        "number": licence.number,
        "licence_type": licence.licence_type,
        "holder_kind": licence.holder_kind,
        "holder_name": licence.holder_name,
        "holder_id": licence.holder_id,
        "data": licence.data,
        "issuer_code": licence.organization.code,
        "issuer_name": licence.issuer_name,
        "issued_at": licence.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "case_number": licence.case.number,
        "key_id": licence.key_id,
    }


def canonical_bytes(licence) -> bytes:
    return json.dumps(
        canonical_fields(licence),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def sign(licence) -> None:
    """Set `licence.key_id`, `digest` and `signature` with the active key."""
    key = licence_keys.signing_key()
    licence.key_id = key.key_id
    message = canonical_bytes(licence)
    licence.digest = crypto.sm3_hex(message)
    licence.signature = crypto.sm2_sign(key.private, key.public, message).hex()


def is_intact(licence) -> bool:
    """Whether the stored licence is exactly what was signed: its canonical
    form hashes to the stored digest and the signature verifies under a key
    the platform trusts. Anything unreadable counts as tampered."""
    try:
        message = canonical_bytes(licence)
        signature = bytes.fromhex(licence.signature)
    except (ValueError, TypeError, AttributeError):
        return False
    if crypto.sm3_hex(message) != licence.digest:
        return False
    public = licence_keys.trusted_public_keys().get(licence.key_id)
    if public is None:
        return False
    return crypto.sm2_verify(public, message, signature)
