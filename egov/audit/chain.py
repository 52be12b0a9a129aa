"""The hash chain: what each entry's SM3 digest covers, and its verification."""

import json
from dataclasses import dataclass
from datetime import UTC

from django.utils.translation import gettext as _

from egov.core.crypto import sm3_hex

GENESIS = "0" * 64
PURGE_ACTION = "audit.purge_entries"


def canonical(entry) -> bytes:
    """The bytes an entry's hash covers: every recorded field and the previous hash."""
    fields = {
        "seq": entry.seq,
        # In UTC, as the database hands it back whatever zone it was given in.
        "created_at": entry.created_at.astimezone(UTC).isoformat(
            timespec="microseconds"
        ),
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


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain.

    `broken_seq` is the seq of the first broken link (None when intact) and
    `reason` says in Chinese what is wrong there.
    """

    verified: int
    first_seq: int | None = None
    last_seq: int | None = None
    broken_seq: int | None = None
    reason: str = ""
    pending: int = 0

    @property
    def intact(self) -> bool:
        return self.broken_seq is None

    @property
    def message(self) -> str:
        if not self.intact:
            return _("日志链在序号 %(seq)s 处断裂：%(reason)s") % {
                "seq": self.broken_seq,
                "reason": self.reason,
            }
        if self.verified == 0:
            message = _("日志链完整：没有需要校验的条目。")
        else:
            message = _(
                "日志链完整：已校验 %(count)s 条（序号 %(first)s 至 %(last)s）。"
            ) % {
                "count": self.verified,
                "first": self.first_seq,
                "last": self.last_seq,
            }
        if self.pending:
            message += _("另有 %(count)s 条刚写入，正在等待上链。") % {
                "count": self.pending
            }
        return message


def _start():
    """The seq and hash the chain continues from, and the anchor row if any."""
    from egov.audit.models import ChainAnchor

    anchor = ChainAnchor.objects.order_by("-seq").first()
    if anchor is None:
        return 0, GENESIS, None
    return anchor.seq, anchor.hash, anchor


def _anchor_confirmed(anchor) -> bool:
    """Whether a purge entry still in the chain announced removal up to the anchor."""
    from egov.audit.models import AuditEntry

    announced = AuditEntry.objects.filter(
        action=PURGE_ACTION, seq=anchor.purge_seq, seq__gt=anchor.seq
    ).first()
    return announced is not None and (
        announced.detail.get("through_seq", -1) >= anchor.seq
    )


def verify_chain(*, batch_size: int = 2000, through_seq: int | None = None):
    """Walk the chain in seq order and report the first broken link.

    Reads the entries in keyset batches, so memory stays bounded however long the
    log is. Detects edited fields (the recomputed hash differs), deleted rows (a
    gap in seq, or a tail shorter than the chain head says), rows inserted or
    reordered (a prev_hash that does not match the previous entry's hash), and
    rows written past the chain head. `through_seq` stops the walk early (the
    purge checks the part it is about to remove).
    """
    from egov.audit.models import AuditEntry, ChainHead

    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        return ChainReport(
            verified=0, broken_seq=1, reason=_("日志链头缺失（数据库被直接修改）")
        )
    stop = head.seq if through_seq is None else min(through_seq, head.seq)
    expected_seq, expected_prev, anchor = _start()
    if anchor is not None and not _anchor_confirmed(anchor):
        return ChainReport(
            verified=0,
            broken_seq=anchor.seq + 1,
            reason=_("链的起始锚点没有对应的清理记录（早期条目被直接删除）"),
        )
    expected_seq += 1
    first_seq = None
    verified = 0
    while expected_seq <= stop:
        batch = list(
            AuditEntry.objects.filter(seq__gte=expected_seq, seq__lte=stop).order_by(
                "seq"
            )[:batch_size]
        )
        if not batch:
            break
        for entry in batch:
            broken = _check(entry, expected_seq, expected_prev)
            if broken:
                return ChainReport(
                    verified=verified,
                    first_seq=first_seq,
                    last_seq=expected_seq - 1 if verified else None,
                    broken_seq=expected_seq,
                    reason=broken,
                )
            first_seq = entry.seq if first_seq is None else first_seq
            verified += 1
            expected_seq = entry.seq + 1
            expected_prev = entry.hash
    last_seq = expected_seq - 1
    if last_seq < stop:
        missing = {"first": expected_seq, "last": stop}
        return ChainReport(
            verified=verified,
            first_seq=first_seq,
            last_seq=last_seq if verified else None,
            broken_seq=expected_seq,
            reason=(
                _("序号 %(first)s 至 %(last)s 的条目缺失（链尾条目被删除）") % missing
                if stop == head.seq
                else _("序号 %(first)s 至 %(last)s 的条目缺失（条目被删除）") % missing
            ),
        )
    if through_seq is None:
        broken = _check_tail(head, expected_prev)
        if broken:
            return ChainReport(
                verified=verified,
                first_seq=first_seq,
                last_seq=last_seq if verified else None,
                broken_seq=broken[0],
                reason=broken[1],
            )
    return ChainReport(
        verified=verified,
        first_seq=first_seq,
        last_seq=last_seq if verified else None,
        pending=AuditEntry.objects.filter(seq__isnull=True).count(),
    )


def _check(entry, expected_seq: int, expected_prev: str) -> str:
    if entry.seq != expected_seq:
        return _("该序号的条目缺失（条目被删除或序号被改动）")
    if entry_hash(entry) != entry.hash:
        return _("条目内容与其摘要不符（条目被修改）")
    if entry.prev_hash != expected_prev:
        return _("前一条摘要与链上前一条不一致（条目被插入、替换或调换顺序）")
    return ""


def _check_tail(head, last_hash: str):
    """The head must name the last entry, and nothing may lie beyond it.

    The newest seq is read before the head is re-read: an append commits its
    entry and the head together, so an entry seen earlier is always covered by
    a head read later, and any entry beyond it was written around the log.
    """
    from egov.audit.models import AuditEntry, ChainHead

    if head.hash != last_hash:
        return head.seq, _("链头记录的摘要与最后一条不一致（链头或最后一条被修改）")
    newest = (
        AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    )
    current = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    if newest > current:
        return current + 1, _("条目未经链头登记（疑似直接写入数据库）")
    return None
