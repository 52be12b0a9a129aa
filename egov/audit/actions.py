"""Writing to the audit log. Every app calls `record`; nothing else writes entries."""

from datetime import UTC, datetime

from django.db import transaction

from egov.audit.chain import GENESIS, entry_hash
from egov.audit.models import AuditEntry, ChainHead
from egov.core.middleware import current_request_context


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _describe_target(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    meta = getattr(target, "_meta", None)
    kind = meta.label if meta else type(target).__name__
    ident = getattr(target, "audit_id", None) or getattr(target, "pk", "") or ""
    return kind, str(ident)[:100], str(target)[:200]


def _organization_of(user) -> tuple[str, str]:
    org = getattr(user, "primary_organization", None) if user else None
    return (org.code, org.name) if org else ("", "")


def record(
    *,
    actor=None,
    action: str,
    target=None,
    outcome: str = AuditEntry.Outcome.SUCCESS,
    detail: dict | None = None,
    username: str = "",
    ip: str | None = None,
    user_agent: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction.

    The chain head row is locked until the caller's transaction ends, so
    concurrent writers append one after another and the chain never forks.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ctx = current_request_context()
    target_type, target_id, target_repr = _describe_target(target)
    org_code, org_name = _organization_of(actor)
    with transaction.atomic():
        head = _lock_head()
        entry = AuditEntry(
            seq=head.seq + 1,
            created_at=datetime.now(UTC),
            user=actor,
            username=(actor.get_username() if actor else username)[:150],
            organization_code=org_code,
            organization_name=org_name,
            ip=(ctx.ip if ip is None else ip)[:64],
            user_agent=(ctx.user_agent if user_agent is None else user_agent)[:500],
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_repr=target_repr,
            outcome=outcome,
            detail=detail or {},
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        head.seq = entry.seq
        head.hash = entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry
