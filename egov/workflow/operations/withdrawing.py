"""撤回: the previous handler takes back what they just sent on.

Allowed while the tasks their decision created are still open and unopened
(nobody has looked at them: `Task.opened_at` empty, nobody claimed them) and
nothing else has happened on the instance since. The engine is rewound to the
withdrawer's node: for a single task, its completed task is reset; for an
instance of a countersign, the whole node is reset and the other signers'
votes are replayed with the data they gave, so only the withdrawer acts again.
The tasks taken back end as WITHDRAWN.
"""

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import engine, runtime
from egov.workflow.models import Task, TaskEvent
from egov.workflow.operations import common, moves
from egov.workflow.permissions import workflow_policy


def withdrawable(row) -> list[Task]:
    """The tasks a withdrawal of `row` would take back; [] when it cannot."""
    if (
        row.state != Task.State.COMPLETED
        or row.kind != Task.Kind.NODE
        or row.completed_at is None
    ):
        return []
    instance = row.instance
    later = instance.tasks.filter(completed_at__gt=row.completed_at).exists()
    if later:
        return []
    return list(
        instance.tasks.filter(
            state__in=Task.LIVE_STATES, created_at__gte=row.completed_at
        ).order_by("id")
    )


@audited("workflow.withdraw_task")
def withdraw_task(*, actor, task, opinion: str = "") -> Task:
    """撤回 the actor's completed task; returns their task, open again."""
    row, instance = common.locked_task(task)
    if not workflow_policy.can(actor, "withdraw", row):
        raise PermissionDenied(target=row)
    common.require_running(instance)
    if row.state != Task.State.COMPLETED or row.kind != Task.Kind.NODE:
        raise ActionError(
            _("只能撤回您已办理的环节任务"), code="not_withdrawable", target=row
        )
    compiled = runtime.compiled_for(instance.definition)
    common.require_allowed(compiled, row, "withdraw")
    opinion = common.text(opinion, field="opinion", label_text=_("撤回说明"))
    if instance.tasks.filter(completed_at__gt=row.completed_at).exists():
        raise ActionError(
            _("您办理后流程已有新的办理，不能撤回"),
            code="moved_on",
            target=row,
        )
    taken = withdrawable(row)
    if not taken:
        raise ActionError(
            _("您办理后没有流转出新的待办任务，不能撤回"),
            code="nothing_to_withdraw",
            target=row,
        )
    seen = [t for t in taken if t.opened_at or t.claimed_at]
    if seen:
        raise ActionError(
            _("%(node)s的任务已被查看，不能撤回") % {"node": seen[0].node_name},
            code="already_opened",
            target=row,
        )
    session = runtime.Session(instance, actor)
    workflow = session.load()
    done = engine.find_task(workflow, row.engine_task_id)
    if done is None:
        raise ActionError(
            _("任务状态已变化，请刷新后重试"), code="task_out_of_step", target=row
        )
    node = moves.node_task(done)
    votes = {}
    if node is not done:
        votes = moves.snapshot_votes(node, done.internal_data.get("key_or_index"))
    for gone in taken:
        common.close(gone, Task.State.WITHDRAWN, now=session.now)
    common.engine_call(moves.rewind, workflow, node, instance.data)
    if votes:
        common.engine_call(moves.replay, workflow, node, votes)
    session.sync(workflow)
    session.save(workflow)
    mine = next((t for t in session.created if t.assignee_id == actor.pk), None)
    common.event(
        instance,
        TaskEvent.Kind.WITHDRAW,
        actor,
        task=row,
        opinion=opinion,
        detail={"withdrawn": [t.pk for t in taken]},
    )
    record(
        actor=actor,
        action="workflow.withdraw_task",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "withdrawn_tasks": [t.pk for t in taken],
            "next_tasks": [t.pk for t in session.created],
            "cancelled_tasks": [t.pk for t in session.cancelled],
        },
    )
    return mine or row
