"""催办: remind the current handler of a task, at most once per interval.

The initiator, anyone who has handled a task of the instance, and process
administrators (调度 within their data scope) may urge. One person may urge
one task once per URGE_INTERVAL; a second attempt inside it is refused with
the time it becomes possible again. Handlers get a site message; an urgent
reminder is also sent by SMS.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.identity.models import User
from egov.workflow import assignment, runtime
from egov.workflow.models import TaskEvent
from egov.workflow.operations import common, notify
from egov.workflow.permissions import workflow_policy

URGE_INTERVAL = timedelta(minutes=30)
MAX_MESSAGE = 200


def handlers(row) -> list:
    """The people a reminder about `row` reaches: its holder or its pool."""
    if row.assignee_id:
        return [row.assignee]
    ids = []
    for candidate in row.candidates.all():
        if candidate.user_id:
            ids.append(candidate.user_id)
        elif candidate.post_id:
            ids += assignment.post_holders([candidate.post_id])
        elif candidate.role_id:
            ids += assignment.role_members(candidate.role_id, candidate.organization_id)
    found = User.objects.in_bulk(list(dict.fromkeys(ids)))
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def next_urge_at(row, actor, now=None):
    """When `actor` may urge `row` again; None when they may now."""
    now = now or timezone.now()
    last = (
        TaskEvent.objects.filter(
            task=row,
            kind=TaskEvent.Kind.URGE,
            actor=actor,
            created_at__gt=now - URGE_INTERVAL,
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return last + URGE_INTERVAL if last else None


@audited("workflow.urge_task")
def urge_task(*, actor, task, message: str = "", urgent: bool = False) -> list:
    """催办 the handler(s) of an open task; returns the site messages sent."""
    row, instance = common.locked_task(task)
    if row.assignee_id == actor.pk:
        raise ActionError(_("不能催办自己的任务"), code="urge_self", target=row)
    if not workflow_policy.can(actor, "urge", row):
        raise PermissionDenied(target=row)
    common.require_running(instance)
    if not row.is_open:
        raise ActionError(
            _("该任务%(state)s，无需催办") % {"state": row.get_state_display()},
            code="task_not_open",
            target=row,
        )
    common.require_allowed(runtime.compiled_for(instance.definition), row, "urge")
    message = common.text(
        message, field="message", label_text=_("催办内容"), limit=MAX_MESSAGE
    )
    if not isinstance(urgent, bool):
        raise ActionError(_("紧急程度格式不正确"), code="bad_urgent")
    now = timezone.now()
    again = next_urge_at(row, actor, now)
    if again is not None:
        local = timezone.localtime(again)
        raise ActionError(
            _("您在 30 分钟内已催办过该任务，请于 %(time)s 之后再催办")
            % {"time": local.strftime("%H:%M")},
            code="urge_too_soon",
            target=row,
        )
    people = handlers(row)
    if not people:
        raise ActionError(_("该任务当前没有办理人"), code="no_handler", target=row)
    title = _("催办：%(subject)s") % {"subject": instance.subject}
    sent = notify.send(
        users=people,
        kind="urge",
        title=title,
        body=message
        or _("%(who)s催您尽快办理「%(node)s」。")
        % {"who": actor.real_name or actor.username, "node": row.node_name},
        url=common.task_url(row),
        instance=instance,
        sender=actor,
        urgent=urgent,
    )
    common.event(
        instance,
        TaskEvent.Kind.URGE,
        actor,
        task=row,
        opinion=message,
        detail={"to": [p.username for p in people], "urgent": urgent},
    )
    record(
        actor=actor,
        action="workflow.urge_task",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "to": [p.username for p in people],
            "urgent": urgent,
        },
    )
    return sent
