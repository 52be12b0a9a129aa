"""The hash chain: what each entry's SM3 digest covers, and its verification."""

import json

from egov.core.crypto import sm3_hex

GENESIS = "0" * 64


def canonical(entry) -> bytes:
    """The bytes an entry's hash covers: every recorded field and the previous hash."""
    fields = {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "user_id": entry.user_id,
        "username": entry.username,
        "organization_code": entry.organization_code,
        "organization_name": entry.organization_name,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_repr": entry.target_repr,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(
        fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def entry_hash(entry) -> str:
    return sm3_hex(canonical(entry))
