"""退回: send a case back to an earlier node.

The holder of a node task chooses where (`to`): "previous" (the node handled
last before theirs), "initiator" (the first node passed that the initiator
handles; in a process without one, a resubmission task for the initiator),
or the id of any node already passed on the way to theirs. And how (`mode`):

- "rerun": the engine is rewound to that node (SpiffWorkflow resets the
  branch from the node's completed task, see operations/moves.py); the path
  runs again from there, with its assignment rules, and every open task after
  it, including the other instances of a countersign, is cancelled.
- "back" (原路返回): the engine stays where it is; the people who handled
  that node get a 退回重办 task each, and when the last of them has acted the
  task comes straight back to the person who returned it.
"""

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.workflow import engine, runtime
from egov.workflow.models import Task, TaskEvent
from egov.workflow.operations import common, moves, notify

PREVIOUS = "previous"
INITIATOR = "initiator"
RERUN = "rerun"
BACK = "back"
MODES = (RERUN, BACK)


def _initiator_node(compiled, process_id, passed):
    """The earliest passed node whose handler is the initiator, if any."""
    for task in reversed(passed):
        config = compiled.config_for(process_id, moves.node_id(task))
        if (config.get("assignment") or {}).get("rule") == INITIATOR:
            return task
    return None


def targets(compiled, engine_task) -> list[tuple[str, str]]:
    """(node id, name) of the nodes a task may be returned to, latest first."""
    process_id, _node = engine.task_node(engine_task)
    return [
        (moves.node_id(t), compiled.name_for(process_id, moves.node_id(t)))
        for t in moves.passed_nodes(engine_task)
    ]


def _target(compiled, engine_task, to):
    """The completed engine task to return to; None means the initiator's
    resubmission (a process without an initiator node)."""
    process_id, _node = engine.task_node(engine_task)
    passed = moves.passed_nodes(engine_task)
    if to == INITIATOR:
        return _initiator_node(compiled, process_id, passed)
    if to == PREVIOUS:
        if not passed:
            raise ActionError(
                _("本环节之前没有已办理的环节，不能退回"), code="nothing_to_return_to"
            )
        return passed[0]
    found = next((t for t in passed if moves.node_id(t) == to), None)
    if found is None:
        raise ActionError(
            _("只能退回到本环节之前已办理过的环节"),
            code="bad_return_target",
            fields={"to": _("请选择已办理过的环节")},
        )
    return found


def _handlers(instance, target) -> list:
    """Who handled `target` last: one person, or each signer of its last round."""
    ids = [target.id] + [c.id for c in target.children if c.task_spec.manual]
    rows = (
        Task.objects.filter(
            instance=instance,
            engine_task_id__in=ids,
            kind=Task.Kind.NODE,
            state=Task.State.COMPLETED,
        )
        .select_related("completed_by")
        .order_by("completed_at", "id")
    )
    return list(dict.fromkeys(r.completed_by for r in rows if r.completed_by))


@audited("workflow.return_task")
def return_task(
    *,
    actor,
    task,
    to: str = PREVIOUS,
    mode: str = RERUN,
    opinion: str = "",
    next_assignees=None,
) -> Task:
    """退回 the actor's task to an earlier node (see the module docstring).

    Returns the actor's task: state RETURNED after a rerun, WAITING while a
    原路返回 is with the people it went back to. An opinion is required.
    """
    row, instance = common.locked_task(task)
    common.require_holder(actor, row, "return")
    session = runtime.Session(instance, actor, next_assignees=next_assignees)
    common.require_allowed(session.compiled, row, "return")
    if mode not in MODES:
        raise ActionError(
            _("请选择退回后重新办理还是原路返回"),
            code="bad_return_mode",
            fields={"mode": _("请选择退回方式")},
        )
    if not isinstance(to, str) or not to.strip():
        raise ActionError(
            _("请选择退回到哪个环节"),
            code="bad_return_target",
            fields={"to": _("请选择退回环节")},
        )
    opinion = common.text(
        opinion, field="opinion", label_text=_("退回意见"), required=True
    )
    workflow = session.load()
    engine_task = common.engine_task_of(workflow, row)
    target = _target(session.compiled, engine_task, to.strip())
    detail = {"instance": instance.pk, "node": row.node_id, "mode": mode}
    if target is not None and mode == RERUN:
        node = moves.node_id(target)
        common.close(
            row, Task.State.RETURNED, now=session.now, actor=actor, opinion=opinion
        )
        common.engine_call(moves.rewind, workflow, target, instance.data)
        session.sync(workflow)
        session.save(workflow)
        people = list(dict.fromkeys(t.assignee for t in session.created if t.assignee))
        detail.update(
            {
                "to": node,
                "next_tasks": [t.pk for t in session.created],
                "cancelled_tasks": [t.pk for t in session.cancelled],
            }
        )
    else:
        process_id = engine.task_node(engine_task)[0]
        if target is None:
            node = _start_node(session)
            node_name = _("发起人重新提交")
            people = [instance.initiator] if instance.initiator else []
            target_process = session.compiled.main_process_id
        else:
            node = moves.node_id(target)
            node_name = session.compiled.name_for(process_id, node)
            people = _handlers(instance, target)
            target_process = process_id
        if not people:
            raise ActionError(
                _("找不到该环节的办理人，不能退回"), code="no_return_handler"
            )
        common.wait(row)
        added = [
            common.add_extra(
                row,
                kind=Task.Kind.RESUBMIT,
                assignee=person,
                node=(target_process, node, node_name),
                compiled=session.compiled,
                context={"mode": mode, "returned_by": actor.pk},
                now=session.now,
            )
            for person in people
        ]
        detail.update({"to": node, "next_tasks": [t.pk for t in added]})
        session.created = added
    common.event(
        instance,
        TaskEvent.Kind.RETURN,
        actor,
        task=row,
        opinion=opinion,
        detail={
            "to": detail["to"],
            "mode": mode,
            "users": [p.username for p in people],
        },
    )
    for created in session.created:
        if created.assignee_id:
            notify.send(
                users=[created.assignee],
                kind="task",
                title=_("退回：%(subject)s") % {"subject": instance.subject},
                body=_("%(who)s将「%(node)s」退回给您：%(opinion)s")
                % {
                    "who": actor.real_name or actor.username,
                    "node": row.node_name,
                    "opinion": opinion,
                },
                url=common.task_url(created),
                instance=instance,
                sender=actor,
            )
    record(actor=actor, action="workflow.return_task", target=row, detail=detail)
    return row


def _start_node(session) -> str:
    config = session.definition.node_config.get(session.compiled.main_process_id, {})
    for node_id, settings in config.items():
        if settings.get("kind") == "start":
            return node_id
    return "start"
