"""转办 and 委派: handing a task to someone else.

- 转办 (transfer): the task becomes the other person's. The holder's row
  ends as TRANSFERRED (it leaves their 待办, the history keeps it) and a new
  row with the same engine task, node and deadline goes to the new holder;
  people added after the holder (后加签) follow the task.
- 委派 (delegate): the other person processes it and it comes back. The
  holder's row waits; a DELEGATE row goes to the delegate, whose decision
  (and form data) is recorded without completing the engine task; then the
  holder's row is open again for them to finish.

`hand_over` is shared with an administrator's reassignment (调度).
"""

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.workflow import runtime
from egov.workflow.models import Task, TaskEvent
from egov.workflow.operations import common, notify


def _check_target(row, target, actor, operation) -> None:
    if target.pk == actor.pk:
        raise ActionError(
            _("不能%(op)s给自己") % {"op": common.label(operation)},
            code="hand_to_self",
            fields={"to": _("不能选择自己")},
        )
    if target.pk == row.assignee_id:
        raise ActionError(
            _("%(who)s已是该任务的办理人") % {"who": target},
            code="already_holder",
            fields={"to": _("已是办理人")},
        )
    if target.pk in common.holders_of(row) | common.same_node_holders(row):
        raise ActionError(
            _("%(who)s已在办理本环节，不能再%(op)s给他")
            % {"who": target, "op": common.label(operation)},
            code="target_busy",
            fields={"to": _("已在办理本环节")},
        )


def hand_over(row, target, *, now) -> Task:
    """End `row` as TRANSFERRED and give its work to `target` in a new row."""
    new = Task.objects.create(
        instance=row.instance,
        process_id=row.process_id,
        node_id=row.node_id,
        node_name=row.node_name,
        engine_task_id=row.engine_task_id,
        assignee=target,
        state=Task.State.OPEN,
        multi_index=row.multi_index,
        form_key=row.form_key,
        form_version=row.form_version,
        limit_amount=row.limit_amount,
        limit_unit=row.limit_unit,
        due_at=row.due_at,
        kind=row.kind,
        parent=row.parent,
        context={"transferred_from": row.pk},
    )
    common.close(row, Task.State.TRANSFERRED, now=now)
    Task.objects.filter(parent=row, state__in=Task.LIVE_STATES).update(parent=new)
    return new


def _tell(target, row, actor, title, body) -> None:
    notify.send(
        users=[target],
        kind="task",
        title=title % {"subject": row.instance.subject},
        body=body % {"who": actor.real_name or actor.username, "node": row.node_name},
        url=common.task_url(row),
        instance=row.instance,
        sender=actor,
    )


@audited("workflow.transfer_task")
def transfer_task(*, actor, task, to, opinion: str = "") -> Task:
    """转办 the actor's task to `to` (account, id or unique name).

    Returns the new holder's task.
    """
    row, instance = common.locked_task(task)
    common.require_holder(actor, row, "transfer")
    compiled = runtime.compiled_for(instance.definition)
    common.require_allowed(compiled, row, "transfer")
    opinion = common.text(opinion, field="opinion", label_text=_("转办说明"))
    target = common.person(to)
    _check_target(row, target, actor, "transfer")
    session = runtime.Session(instance, actor)
    new = hand_over(row, target, now=session.now)
    common.event(
        instance,
        TaskEvent.Kind.TRANSFER,
        actor,
        task=row,
        opinion=opinion,
        detail={"to": target.username, "task": new.pk},
    )
    _tell(
        target,
        new,
        actor,
        _("转办：%(subject)s"),
        _("%(who)s将「%(node)s」转给您办理。"),
    )
    record(
        actor=actor,
        action="workflow.transfer_task",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "to": target.username,
            "task": new.pk,
        },
    )
    return new


@audited("workflow.delegate_task")
def delegate_task(*, actor, task, to, opinion: str = "") -> Task:
    """委派 the actor's task to `to`; it comes back to the actor afterwards.

    Returns the delegate's task.
    """
    row, instance = common.locked_task(task)
    common.require_holder(actor, row, "delegate")
    compiled = runtime.compiled_for(instance.definition)
    common.require_allowed(compiled, row, "delegate")
    opinion = common.text(opinion, field="opinion", label_text=_("委派说明"))
    target = common.person(to)
    _check_target(row, target, actor, "delegate")
    common.wait(row)
    delegate = common.add_extra(
        row,
        kind=Task.Kind.DELEGATE,
        assignee=target,
        context={"delegated_by": actor.pk},
    )
    common.event(
        instance,
        TaskEvent.Kind.DELEGATE,
        actor,
        task=row,
        opinion=opinion,
        detail={"to": target.username, "task": delegate.pk},
    )
    _tell(
        target,
        delegate,
        actor,
        _("委派：%(subject)s"),
        _("%(who)s请您代为办理「%(node)s」，办理后交回。"),
    )
    record(
        actor=actor,
        action="workflow.delegate_task",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "to": target.username,
            "task": delegate.pk,
        },
    )
    return delegate
