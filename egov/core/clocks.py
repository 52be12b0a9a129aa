"""Stopping, restarting and extending a time limit's clock.

Domains call these from their own actions (挂起, 补正告知, 听证, 延期审批…),
inside their transaction, after their own permission check: core does not know
who may suspend a case or approve an extension, only how the clock is kept.
Each call writes its own audit entry naming the subject.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.core.models import ClockStop, Extension, TimeUnit

# Extensions beyond this are a typing mistake, not a decision.
LARGEST_EXTENSION = 366


def _moment(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ActionError(_("时间须带时区"), code="clock_naive_time")
    if at > now:
        raise ActionError(_("时间不能晚于当前时间"), code="clock_time_in_future")
    return at


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(
            _("请填写原因"),
            code="clock_reason_missing",
            fields={"reason": _("请填写原因")},
        )
    return reason[:500]


def _subject(subject: str) -> str:
    if not subject or len(subject) > 200:
        raise ActionError(_("计时对象无效"), code="clock_bad_subject")
    return subject


@audited("core.start_clock_stop")
def start_clock_stop(
    *, subject: str, kind: str, reason: str, actor, at: datetime | None = None
) -> ClockStop:
    """Pause the subject's clock from `at` (default: now) until
    `end_clock_stop`. Refused when it is already paused."""
    subject = _subject(subject)
    if kind not in ClockStop.Kind.values:
        raise ActionError(_("暂停计时的类型无效"), code="clock_bad_kind")
    reason = _reason(reason)
    started_at = _moment(at)
    paused = ClockStop.objects.filter(subject=subject, ended_at__isnull=True)
    if paused.exists():
        raise ActionError(_("计时已暂停，不能重复暂停"), code="clock_already_stopped")
    try:
        with transaction.atomic():
            stop = ClockStop.objects.create(
                subject=subject,
                kind=kind,
                reason=reason,
                started_at=started_at,
                started_by=actor,
            )
    except IntegrityError as exc:
        # A concurrent request paused it first (one open stop per subject).
        raise ActionError(
            _("计时已暂停，不能重复暂停"), code="clock_already_stopped"
        ) from exc
    record(
        actor=actor,
        action="core.start_clock_stop",
        target=stop,
        detail={
            "subject": subject,
            "kind": kind,
            "reason": reason,
            "started_at": started_at,
        },
    )
    return stop


@audited("core.end_clock_stop")
def end_clock_stop(*, subject: str, actor, at: datetime | None = None) -> ClockStop:
    """Restart the subject's clock at `at` (default: now). Refused when it is
    not paused."""
    subject = _subject(subject)
    ended_at = _moment(at)
    stop = (
        ClockStop.objects.select_for_update()
        .filter(subject=subject, ended_at__isnull=True)
        .first()
    )
    if stop is None:
        raise ActionError(_("计时未暂停，无需恢复"), code="clock_not_stopped")
    if ended_at < stop.started_at:
        raise ActionError(
            _("恢复时间不能早于暂停时间"), code="clock_ends_before_start", target=stop
        )
    stop.ended_at = ended_at
    stop.ended_by = actor
    stop.save(update_fields=["ended_at", "ended_by"])
    record(
        actor=actor,
        action="core.end_clock_stop",
        target=stop,
        detail={
            "subject": subject,
            "kind": stop.kind,
            "started_at": stop.started_at,
            "ended_at": ended_at,
        },
    )
    return stop


@audited("core.grant_extension")
def grant_extension(
    *,
    subject: str,
    amount: int,
    reason: str,
    actor,
    unit: str = TimeUnit.WORKDAYS,
    approver=None,
    approved_at: datetime | None = None,
) -> Extension:
    """Record an approved extension of the subject's limit, in the limit's
    unit. `approver` defaults to the actor."""
    subject = _subject(subject)
    if unit not in TimeUnit.values:
        raise ActionError(_("延长期限的单位无效"), code="clock_bad_unit")
    if not isinstance(amount, int) or not 1 <= amount <= LARGEST_EXTENSION:
        raise ActionError(
            _("延长数量须在1至%(max)d之间") % {"max": LARGEST_EXTENSION},
            code="clock_bad_amount",
            fields={
                "amount": _("延长数量须在1至%(max)d之间") % {"max": LARGEST_EXTENSION}
            },
        )
    reason = _reason(reason)
    approver = approver or actor
    extension = Extension.objects.create(
        subject=subject,
        amount=amount,
        unit=unit,
        reason=reason,
        approver=approver,
        approved_at=_moment(approved_at),
        entered_by=actor,
    )
    record(
        actor=actor,
        action="core.grant_extension",
        target=extension,
        detail={
            "subject": subject,
            "amount": amount,
            "unit": unit,
            "reason": reason,
            "approver": approver.get_username() if approver else "",
        },
    )
    return extension
