"""Writing to the audit log. Every app calls `record`; nothing else writes entries.

Besides `record`, this module holds the log's own actions: the export of a
filtered set to Excel and the retention purge, both of which leave an entry.
"""

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.append import append
from egov.audit.chain import PURGE_ACTION, verify_chain
from egov.audit.models import AuditEntry, ChainAnchor, ChainHead
from egov.audit.permissions import audit_policy
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.core.middleware import current_request_context

EXPORT_ACTION = "audit.export_entries"
READ_ACTION = "audit.view_entries"
# Below this no deployment may go, whatever its settings say.
MINIMUM_RETENTION_DAYS = 180


def _now() -> datetime:
    return datetime.now(UTC)


def _clean(value):
    """A copy that PostgreSQL stores and hands back unchanged, so it hashes alike.

    Text loses NUL characters (PostgreSQL text cannot hold them); a float that
    is not finite becomes text, and a whole float too large for plain notation
    becomes an integer, as jsonb would hand it back.
    """
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)
        return value
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _normalise_detail(detail) -> dict:
    # Stored exactly as hashed: a JSON round trip turns dates, decimals and
    # UUIDs into the strings the database will hand back to the verifier.
    if not detail:
        return {}
    encoded = json.dumps(_clean(detail), cls=DjangoJSONEncoder)
    return _clean(json.loads(encoded))


def _describe_target(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    meta = getattr(target, "_meta", None)
    kind = meta.label if meta else type(target).__name__
    ident = getattr(target, "audit_id", None) or getattr(target, "pk", "") or ""
    return kind[:100], _clean(str(ident))[:100], _clean(str(target))[:200]


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

    The entry commits or rolls back with the caller's transaction; the chain
    never forks and its seqs have no gaps. Usually the entry is chained at
    once (its seq is set on return). On PostgreSQL, when another transaction
    holds the chain head, the entry is stored as pending instead (seq None on
    return) and chained right after the caller commits, so concurrent actions
    never queue behind one another (see egov.audit.append). All preparation
    (organization lookup, serialising the detail) happens before the head is
    touched.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ctx = current_request_context()
    target_type, target_id, target_repr = _describe_target(target)
    org_code, org_name = _organization_of(actor)
    entry = AuditEntry(
        user=actor,
        username=_clean(actor.get_username() if actor else username)[:150],
        organization_code=org_code,
        organization_name=org_name,
        ip=_clean(ctx.ip if ip is None else ip)[:64],
        user_agent=_clean(ctx.user_agent if user_agent is None else user_agent)[:500],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        outcome=outcome,
        detail=_normalise_detail(detail),
    )
    using = router.db_for_write(AuditEntry)
    # No savepoint: a failed append must fail the caller's whole transaction,
    # and skipping it saves two round trips while the head is locked.
    with transaction.atomic(using=using, savepoint=False):
        append(entry, using=using, now=_now)
    return entry


# Reading and export ----------------------------------------------------------


def require_reader(*, actor) -> None:
    """Raise PermissionDenied, logged as a denied attempt, unless `actor` may read.

    Reads are not logged; refused reads are, so an administrator looking into
    the log they have no part in shows up in it.
    """
    if not audit_policy.can(actor, "view"):
        _refuse_reader(actor=actor)


@audited(READ_ACTION)
def _refuse_reader(*, actor) -> None:
    audit_policy.require(actor, "view")


@audited(EXPORT_ACTION)
def _authorize_export(*, actor, entries, limit: int) -> int:
    audit_policy.require(actor, "export")
    count = entries[: limit + 1].count()
    if count > limit:
        raise ActionError(
            _("符合条件的日志超过 %(limit)s 条，无法导出，请缩小筛选范围后再导出。")
            % {"limit": f"{limit:,}"},
            code="export_too_large",
        )
    return count


def export_entries(*, actor, entries, filters: dict, limit: int | None = None):
    """Write `entries` (a query from `queries.entries_for`) to an Excel file.

    Refuses, and logs the refusal, when the actor may not export or the set
    holds more than `limit` rows. The workbook is written outside any
    transaction so the log stays open to writers meanwhile; the export entry is
    appended once the file is complete. Returns the temporary file (the caller
    closes it) and the number of rows.
    """
    from egov.audit.export import EXPORT_ROW_LIMIT, write_workbook

    limit = EXPORT_ROW_LIMIT if limit is None else limit
    _authorize_export(actor=actor, entries=entries, limit=limit)
    handle, rows = write_workbook(entries)
    with transaction.atomic():
        record(
            actor=actor,
            action=EXPORT_ACTION,
            detail={"filters": filters, "rows": rows},
        )
    return handle, rows


# Retention -------------------------------------------------------------------


def retention_days() -> int:
    return max(MINIMUM_RETENTION_DAYS, settings.EGOV_AUDIT_RETENTION_DAYS)


def latest_purge_date(today: date | None = None) -> date:
    """The latest cutoff a purge may use today: everything younger is kept."""
    today = today or timezone.localdate()
    return today - timedelta(days=retention_days())


@dataclass(frozen=True)
class PurgeResult:
    before: date
    purge_seq: int
    through_seq: int
    removed: int


@audited(PURGE_ACTION)
def _announce_purge(*, before: date, actor=None, username: str = "") -> PurgeResult:
    latest = latest_purge_date()
    if before > latest:
        raise ActionError(
            _(
                "拒绝清理：日志至少保存 %(days)s 天，截止日期最晚只能是 "
                "%(latest)s，%(before)s 之后的日志不能清理。"
            )
            % {
                "days": retention_days(),
                "latest": latest.isoformat(),
                "before": before.isoformat(),
            },
            code="retention_period",
        )
    cutoff = timezone.make_aware(datetime.combine(before, time.min))
    start = ChainAnchor.objects.order_by("-seq").values_list("seq", flat=True).first()
    first_kept = (
        AuditEntry.objects.filter(created_at__gte=cutoff, seq__isnull=False)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    # A prefix of the chain goes, never a middle part, and nothing at or after
    # the cutoff, even if clocks made an older seq carry a later time.
    if first_kept is None:
        first_kept = ChainHead.objects.get(pk=1).seq + 1
    through = first_kept - 1
    if through <= (start or 0):
        raise ActionError(
            _("%(before)s 之前没有可清理的日志条目。") % {"before": before.isoformat()},
            code="nothing_to_purge",
        )
    report = verify_chain(through_seq=through + 1)
    if not report.intact:
        raise ActionError(
            _("拒绝清理：%(report)s。请先查明原因。") % {"report": report.message},
            code="chain_broken",
        )
    through_hash = AuditEntry.objects.values_list("hash", flat=True).get(seq=through)
    count = AuditEntry.objects.filter(seq__lte=through).count()
    entry = record(
        actor=actor,
        username=username,
        action=PURGE_ACTION,
        detail={
            "before": before.isoformat(),
            "through_seq": through,
            "through_hash": through_hash,
            "count": count,
        },
    )
    return PurgeResult(
        before=before, purge_seq=entry.seq, through_seq=through, removed=count
    )


def _remove_through(plan: PurgeResult, batch_size: int) -> None:
    # Each batch commits on its own and moves the anchor with it, so appends
    # never wait long and an interrupted purge leaves a verifiable chain.
    anchor = ChainAnchor.objects.order_by("-seq").values_list("seq", flat=True).first()
    done = anchor or 0
    while done < plan.through_seq:
        upto = min(done + batch_size, plan.through_seq)
        with transaction.atomic():
            upto_hash = AuditEntry.objects.values_list("hash", flat=True).get(seq=upto)
            AuditEntry.objects.filter(seq__gt=done, seq__lte=upto).delete_for_purge()
            ChainAnchor.objects.update_or_create(
                purge_seq=plan.purge_seq, defaults={"seq": upto, "hash": upto_hash}
            )
        done = upto


def purge_entries(
    *, before: date, actor=None, username: str = "", batch_size: int = 5000
) -> PurgeResult:
    """Remove the entries older than `before` (a local date), keeping the chain.

    Refuses unless `before` is at least the retention period ago (never less
    than 180 days) and the part to remove verifies intact. The purge is
    announced in the log first, then the oldest entries go in batches, each
    moving the chain's anchor to the last removed entry.
    """
    plan = _announce_purge(before=before, actor=actor, username=username)
    _remove_through(plan, batch_size)
    return plan
