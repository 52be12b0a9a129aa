"""委托: a standing delegation of one's tasks to a colleague for a period.

While a delegation runs, tasks that arrive for the delegator (委托人) go to the
delegate (受托人) instead (egov.workflow.assignment.delegate_of), and pooled
tasks the delegator could claim by post or role may be claimed by the delegate
as well (assignment.candidate_filter). A delegation may cover every process
or only some; tasks that already reached someone stay where they are.

Anyone on the staff manages their own delegations: they create them and end
them early (a delegation that has not begun yet is cancelled instead). The
delegate sees the delegations given to them but cannot change them. Who may
do which is the workflow policy's to say (egov.workflow.permissions: delegate,
delegate_to, end_delegation, view_delegation); this module checks the period,
the processes and overlaps.

A delegate who claims (抢办) a pooled task they see only through a delegation
holds it on the delegator's behalf (Task.delegated_from), like a task sent to
them directly; see egov.workflow.permissions.acting_for for which delegator
is named when several qualify.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.identity.models import User
from egov.workflow.models import Delegation, ProcessDefinition
from egov.workflow.operations import common
from egov.workflow.permissions import workflow_policy

MAX_PERIOD = timedelta(days=366)
MAX_REASON = 200
MAX_PROCESSES = 50

# A delegation's state, derived from its period and whether it was ended.
PENDING = "pending"
RUNNING = "running"
ENDED = "ended"
CANCELLED = "cancelled"
STATUS_LABELS = {
    PENDING: gettext_lazy("未开始"),
    RUNNING: gettext_lazy("生效中"),
    ENDED: gettext_lazy("已结束"),
    CANCELLED: gettext_lazy("已取消"),
}
STATUS_BADGES = {
    PENDING: "text-bg-info",
    RUNNING: "text-bg-success",
    ENDED: "text-bg-secondary",
    CANCELLED: "text-bg-light",
}


def status_of(row: Delegation, now=None) -> str:
    now = now or timezone.now()
    if not row.is_active:
        return CANCELLED if row.end_at <= row.start_at else ENDED
    if row.end_at <= now:
        return ENDED
    if row.start_at > now:
        return PENDING
    return RUNNING


def may_delegate(user) -> bool:
    """Whether `user` may give and manage delegations (the workflow policy)."""
    return workflow_policy.can(user, "delegate")


def _moment(value, *, field: str, label_text: str) -> datetime:
    if isinstance(value, str) and value.strip():
        from django.utils.dateparse import parse_datetime

        try:
            value = parse_datetime(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise ActionError(
            _("请填写正确的%(label)s") % {"label": label_text},
            code="bad_time",
            fields={field: _("时间格式不正确")},
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _process_keys(values) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple | set) or not all(
        isinstance(v, str) for v in values
    ):
        raise ActionError(
            _("适用流程格式不正确"),
            code="bad_processes",
            fields={"process_keys": _("格式不正确")},
        )
    keys = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(keys) > MAX_PROCESSES:
        raise ActionError(
            _("一次最多选择 %(n)s 个流程") % {"n": MAX_PROCESSES},
            code="too_many_processes",
            fields={"process_keys": _("流程过多")},
        )
    known = set(
        ProcessDefinition.objects.filter(key__in=keys).values_list("key", flat=True)
    )
    missing = [k[:50] for k in keys if k not in known]
    if missing:
        raise ActionError(
            _("找不到流程：%(keys)s") % {"keys": "、".join(missing)},
            code="process_missing",
            fields={"process_keys": _("找不到流程")},
        )
    return sorted(keys)


def _overlapping(from_user_id, start_at, end_at, keys, now):
    """Live delegations of `from_user_id` sharing time and processes."""
    rows = Delegation.objects.filter(
        from_user_id=from_user_id,
        is_active=True,
        start_at__lt=end_at,
        end_at__gt=max(start_at, now),
    ).select_related("to_user")
    for row in rows.order_by("start_at", "id"):
        if not keys or not row.process_keys or set(keys) & set(row.process_keys):
            return row
    return None


def _period(start, end) -> str:
    fmt = "%Y-%m-%d %H:%M"
    return (
        f"{timezone.localtime(start).strftime(fmt)} — "
        f"{timezone.localtime(end).strftime(fmt)}"
    )


@audited("workflow.create_delegation")
def create_delegation(
    *,
    actor,
    to,
    start_at,
    end_at,
    process_keys=None,
    reason: str = "",
) -> Delegation:
    """委托 `actor`'s tasks to `to` from `start_at` until `end_at`.

    `to` is an account name, a user id or a User (active staff, not the
    actor); `process_keys` limits it to those processes (empty: all). A start
    in the past means now. Refused (ActionError, nothing written) when the
    period is empty, longer than a year or already over, a process is unknown,
    the actor already delegates some of these processes in an overlapping
    period, or the delegate is away on a delegation of their own then.
    """
    workflow_policy.require(actor, "delegate")
    delegate = common.person(to, field="to")
    if not workflow_policy.can(actor, "delegate_to", delegate):
        # The lookup above finds active staff only, so the policy can refuse
        # nobody here but the actor themselves.
        raise ActionError(
            _("不能委托给自己"), code="delegate_self", fields={"to": _("请选择他人")}
        )
    now = timezone.now()
    start_at = _moment(start_at, field="start_at", label_text=_("开始时间"))
    end_at = _moment(end_at, field="end_at", label_text=_("结束时间"))
    start_at = max(start_at, now)
    if end_at <= start_at:
        raise ActionError(
            _("结束时间必须晚于开始时间和当前时间"),
            code="bad_period",
            fields={"end_at": _("结束时间必须晚于开始时间")},
        )
    if end_at - start_at > MAX_PERIOD:
        raise ActionError(
            _("委托期限不能超过一年"),
            code="period_too_long",
            fields={"end_at": _("委托期限不能超过一年")},
        )
    keys = _process_keys(process_keys)
    reason = common.text(
        reason, field="reason", label_text=_("委托事由"), limit=MAX_REASON
    )
    # Lock the actor's row so two simultaneous requests cannot both pass the
    # overlap check.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    clash = _overlapping(actor.pk, start_at, end_at, keys, now)
    if clash is not None:
        raise ActionError(
            _("您在 %(period)s 已委托给%(who)s，适用流程有重叠，请先结束原委托")
            % {"period": _period(clash.start_at, clash.end_at), "who": clash.to_user},
            code="delegation_overlap",
            target=clash,
        )
    away = _overlapping(delegate.pk, start_at, end_at, keys, now)
    if away is not None:
        raise ActionError(
            _("%(who)s在此期间已委托他人办理，请选择其他受托人") % {"who": delegate},
            code="delegate_away",
            fields={"to": _("受托人在此期间不在岗")},
        )
    row = Delegation.objects.create(
        from_user=actor,
        to_user=delegate,
        start_at=start_at,
        end_at=end_at,
        process_keys=keys,
        reason=reason,
    )
    record(
        actor=actor,
        action="workflow.create_delegation",
        target=row,
        detail={
            "to": delegate.username,
            "start_at": start_at.isoformat(),
            "end_at": end_at.isoformat(),
            "processes": keys,
            "reason": reason,
        },
    )
    return row


def _delegation_pk(delegation) -> int:
    pk = delegation.pk if isinstance(delegation, Delegation) else delegation
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise ActionError(_("委托不存在"), code="delegation_missing") from None


@audited("workflow.end_delegation")
def end_delegation(*, actor, delegation) -> Delegation:
    """End a running delegation now, or cancel one that has not begun.

    Only its delegator may; tasks already sent to the delegate stay with them.
    """
    row = (
        Delegation.objects.select_for_update()
        .filter(pk=_delegation_pk(delegation))
        .first()
    )
    if row is None:
        raise ActionError(_("委托不存在"), code="delegation_missing")
    workflow_policy.require(actor, "end_delegation", row)
    now = timezone.now()
    state = status_of(row, now)
    if state in (ENDED, CANCELLED):
        raise ActionError(
            _("该委托%(state)s") % {"state": STATUS_LABELS[state]},
            code="delegation_over",
            target=row,
        )
    previous_end = row.end_at
    row.is_active = False
    # A cancelled delegation keeps an empty period; an ended one, its real span.
    row.end_at = row.start_at if state == PENDING else now
    row.save(update_fields=["is_active", "end_at"])
    record(
        actor=actor,
        action="workflow.end_delegation",
        target=row,
        detail={
            "to": row.to_user.username,
            "was": state,
            "planned_end_at": previous_end.isoformat(),
            "end_at": row.end_at.isoformat(),
        },
    )
    return row


@dataclass
class DelegationLists:
    """我的委托: the delegations the viewer gave and those given to them."""

    given: list
    received: list


def _decorate(rows, now):
    names = dict(
        ProcessDefinition.objects.filter(is_latest=True).values_list("key", "name")
    )
    for row in rows:
        row.status = status_of(row, now)
        row.status_label = STATUS_LABELS[row.status]
        row.status_badge = STATUS_BADGES[row.status]
        row.can_end = row.status in (PENDING, RUNNING)
        row.process_names = [names.get(k, k) for k in row.process_keys]
    return rows


def delegations_for(viewer, *, limit: int = 100) -> DelegationLists:
    """The viewer's delegations, given and received, newest first."""
    base = workflow_policy.visible(
        viewer, Delegation.objects.select_related("from_user", "to_user")
    ).order_by("-start_at", "-id")
    now = timezone.now()
    given = list(base.filter(from_user_id=viewer.pk)[:limit])
    received = list(base.filter(to_user_id=viewer.pk)[:limit])
    return DelegationLists(
        given=_decorate(given, now), received=_decorate(received, now)
    )


def get_delegation_for(viewer, pk) -> Delegation:
    """A delegation the viewer gave or received; Http404 otherwise."""
    try:
        row = workflow_policy.visible(
            viewer, Delegation.objects.select_related("from_user", "to_user")
        ).get(pk=int(pk))
    except (Delegation.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None
    return _decorate([row], timezone.now())[0]


def process_choices() -> list[tuple[str, str]]:
    """(key, name) of every deployed process, for the form."""
    return list(
        ProcessDefinition.objects.filter(is_latest=True)
        .order_by("name")
        .values_list("key", "name")
    )
