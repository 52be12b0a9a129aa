"""调度: a process administrator moves an instance, or reassigns a handler.

Both need DISPATCH (workflow.dispatch_instance) within the role's data scope
and a reason.

- `dispatch_instance` moves the instance to any user-task node of its main
  process. A node already passed is reached by rewinding the engine to it
  (as 退回 does: what came after it is cancelled, parallel branches that do
  not lead past it keep their state); a node not reached yet is grafted in
  after cancelling every open task. A node inside a parallel block cannot be
  reached that way (its join would wait for branches that never started) and
  is refused, as is moving while a called sub-process runs.
- `reassign_task` gives an open task to another person; the old holder's
  row ends as TRANSFERRED.
"""

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.workflow import runtime
from egov.workflow.models import ProcessInstance, Task, TaskEvent
from egov.workflow.operations import common, handover, moves, notify
from egov.workflow.permissions import workflow_policy


def targets(instance) -> list[tuple[str, str]]:
    """(node id, name) of every node an instance can be moved to."""
    compiled = runtime.compiled_for(instance.definition)
    process_id = compiled.main_process_id
    return [
        (node, compiled.name_for(process_id, node))
        for node in moves.user_nodes(compiled.spec)
        if not moves.inside_parallel_block(compiled.spec, node)
        or _passed(instance, node)
    ]


def _passed(instance, node) -> bool:
    return instance.tasks.filter(
        node_id=node, kind=Task.Kind.NODE, state=Task.State.COMPLETED
    ).exists()


@audited("workflow.dispatch_instance")
def dispatch_instance(*, actor, instance, node: str, reason: str) -> ProcessInstance:
    """Move `instance` to `node` (see the module docstring)."""
    instance = common.locked_instance(instance)
    workflow_policy.require(actor, "dispatch", instance)
    common.require_running(instance)
    reason = common.text(reason, field="reason", label_text=_("调度原因"), limit=500)
    if not reason:
        raise ActionError(
            _("请填写调度原因"),
            code="reason_required",
            fields={"reason": _("请填写调度原因")},
        )
    session = runtime.Session(instance, actor)
    compiled = session.compiled
    node = node.strip() if isinstance(node, str) else ""
    if node not in moves.user_nodes(compiled.spec):
        raise ActionError(
            _("流程中没有可调度到的环节 %(node)s") % {"node": node[:64]},
            code="bad_dispatch_target",
            fields={"node": _("请选择环节")},
        )
    live = list(instance.tasks.filter(state__in=Task.LIVE_STATES))
    if live and {t.node_id for t in live} == {node}:
        raise ActionError(
            _("流程已在环节「%(node)s」")
            % {"node": compiled.name_for(compiled.main_process_id, node)},
            code="already_there",
        )
    workflow = session.load()
    if moves.running_subprocess(workflow):
        raise ActionError(_("流程正在执行子流程，不能调度"), code="subprocess_running")
    target = moves.latest_completed(workflow, node)
    if target is not None:
        common.engine_call(moves.rewind, workflow, target, instance.data)
        how = "rewind"
    else:
        if moves.inside_parallel_block(compiled.spec, node):
            raise ActionError(
                _("不能调度到并行分支中尚未到达的环节"),
                code="inside_parallel_block",
            )
        common.engine_call(moves.graft, workflow, node)
        how = "graft"
    session.sync(workflow)
    session.save(workflow)
    common.finish_event(session, actor)
    name = compiled.name_for(compiled.main_process_id, node)
    common.event(
        instance,
        TaskEvent.Kind.DISPATCH,
        actor,
        opinion=reason,
        detail={
            "to": node,
            "cancelled": [t.pk for t in session.cancelled],
            "tasks": [t.pk for t in session.created],
        },
        node=(node, name),
    )
    record(
        actor=actor,
        action="workflow.dispatch_instance",
        target=instance,
        detail={
            "to": node,
            "how": how,
            "reason": reason,
            "next_tasks": [t.pk for t in session.created],
            "cancelled_tasks": [t.pk for t in session.cancelled],
        },
    )
    return instance


@audited("workflow.reassign_task")
def reassign_task(*, actor, task, to, reason: str) -> Task:
    """Give an open task to `to`; returns the new holder's task."""
    row, instance = common.locked_task(task)
    workflow_policy.require(actor, "dispatch", instance)
    common.require_running(instance)
    if not row.is_open:
        raise ActionError(
            _("该任务%(state)s，不能改派") % {"state": row.get_state_display()},
            code="task_not_open",
            target=row,
        )
    reason = common.text(reason, field="reason", label_text=_("改派原因"), limit=500)
    if not reason:
        raise ActionError(
            _("请填写改派原因"),
            code="reason_required",
            fields={"reason": _("请填写改派原因")},
        )
    target = common.person(to)
    if target.pk == row.assignee_id:
        raise ActionError(
            _("%(who)s已是该任务的办理人") % {"who": target},
            code="already_holder",
            fields={"to": _("已是办理人")},
        )
    if target.pk in common.holders_of(row) | common.same_node_holders(row):
        raise ActionError(
            _("%(who)s已在办理本环节") % {"who": target},
            code="target_busy",
            fields={"to": _("已在办理本环节")},
        )
    session = runtime.Session(instance, actor)
    previous = row.assignee
    new = handover.hand_over(row, target, now=session.now)
    common.event(
        instance,
        TaskEvent.Kind.DISPATCH,
        actor,
        task=row,
        opinion=reason,
        detail={
            "reassign": True,
            "from": previous.username if previous else "",
            "to": target.username,
            "task": new.pk,
        },
    )
    notify.send(
        users=[target],
        kind="task",
        title=_("改派：%(subject)s") % {"subject": instance.subject},
        body=_("流程管理员将「%(node)s」改派给您办理。") % {"node": row.node_name},
        url=common.task_url(new),
        instance=instance,
        sender=actor,
    )
    record(
        actor=actor,
        action="workflow.reassign_task",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "from": previous.username if previous else "",
            "to": target.username,
            "task": new.pk,
            "reason": reason,
        },
    )
    return new
