"""前加签 / 后加签, 减签, and acting on the rows operations add to a task.

Adding signers is done in the worklist, not in the engine: the holder's task
keeps its engine task waiting while extra rows (kind SIGN_BEFORE / SIGN_AFTER)
linked to it by `parent` are handled.

- Before (前加签): the added people act first, in parallel; meanwhile the
  holder's task waits (it leaves their 待办) and comes back when the last of
  them has acted or been removed. Their opinions inform the holder, whose
  decision is the node's.
- After (后加签): the added rows wait, unseen, until the holder acts; then
  they open, and the engine task is completed when the last of them has acted
  or been removed, with "reject" if anyone in the chain rejected.
- 减签: the holder removes an added person who has not acted yet.

`complete_extra` is called by `egov.workflow.actions.complete_task` for every
row whose completion is not simply the engine task's (see `takes_over`).
"""

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import engine, runtime
from egov.workflow.models import Task, TaskEvent
from egov.workflow.operations import common, moves, notify
from egov.workflow.permissions import workflow_policy

BEFORE = "before"
AFTER = "after"
POSITIONS = {BEFORE: Task.Kind.SIGN_BEFORE, AFTER: Task.Kind.SIGN_AFTER}


def takes_over(row) -> bool:
    """Whether completing `row` is handled here instead of by the engine."""
    if row.kind != Task.Kind.NODE:
        return True
    return common.live_extra(row, [Task.Kind.SIGN_AFTER]).exists()


def _store_completion(row, *, actor, outcome, opinion, data, key, now) -> None:
    row.state = Task.State.COMPLETED
    row.completed_by = actor
    row.completed_at = now
    row.outcome = outcome
    row.opinion = opinion
    row.idempotency_key = key or ""
    row.submitted_data = data
    row.save(
        update_fields=[
            "state",
            "completed_by",
            "completed_at",
            "outcome",
            "opinion",
            "idempotency_key",
            "submitted_data",
        ]
    )


def _combined_outcome(parent) -> str:
    rejected = parent.outcome == Task.Outcome.REJECT or (
        Task.objects.filter(
            parent=parent,
            kind=Task.Kind.SIGN_AFTER,
            state=Task.State.COMPLETED,
            outcome=Task.Outcome.REJECT,
        ).exists()
    )
    return Task.Outcome.REJECT if rejected else Task.Outcome.APPROVE


def complete_engine_task(session, parent, actor) -> dict:
    """Complete the engine task of `parent` once its after-signers are done."""
    workflow = session.load()
    engine_task = common.engine_task_of(workflow, parent)
    outcome = _combined_outcome(parent)
    session.complete(
        workflow, engine_task, {**(parent.submitted_data or {}), "outcome": outcome}
    )
    session.sync(workflow)
    session.save(workflow)
    common.finish_event(session, actor)
    return {
        "engine_outcome": outcome,
        "next_tasks": [t.pk for t in session.created],
        "cancelled_tasks": [t.pk for t in session.cancelled],
    }


def _merge_data(session, row, data) -> None:
    """Form data given on an extra row joins the case and the engine task."""
    workflow = session.load()
    engine_task = common.engine_task_of(workflow, row)
    engine.task_data(engine_task).update(data)
    session.save(workflow, data={**session.instance.data, **data})


def _resubmitted(session, row, actor) -> dict:
    """The last person a case was returned to has acted: where it goes now."""
    parent = row.parent
    if (row.context or {}).get("mode") != "rerun":
        common.resume(parent)
        return {"resumed": parent.pk}
    # Returned to the initiator of a process without a node of their own:
    # the path runs again from the first node with the corrected case.
    workflow = session.load()
    common.engine_task_of(workflow, parent)
    first = moves.first_task(workflow)
    if first is None:
        raise ActionError(
            _("任务状态已变化，请刷新后重试"), code="task_out_of_step", target=row
        )
    common.close(parent, Task.State.RETURNED, now=session.now)
    common.engine_call(moves.rewind, workflow, first, session.instance.data)
    session.sync(workflow)
    session.save(workflow)
    common.finish_event(session, actor)
    return {"rerun": True, "next_tasks": [t.pk for t in session.created]}


def complete_extra(*, session, row, actor, outcome, opinion, data, key) -> Task:
    """Record a decision on `row` when the engine task must not move yet.

    Called inside `complete_task`'s transaction, the instance locked and the
    input already checked.
    """
    instance = session.instance
    _store_completion(
        row,
        actor=actor,
        outcome=outcome,
        opinion=opinion,
        data=data,
        key=key,
        now=session.now,
    )
    common.event(
        instance,
        TaskEvent.Kind.APPROVE
        if outcome == Task.Outcome.APPROVE
        else TaskEvent.Kind.REJECT,
        actor,
        task=row,
        opinion=opinion,
        detail={"kind": row.kind},
    )
    if data and row.kind != Task.Kind.NODE:
        _merge_data(session, row, data)
    detail = {
        "instance": instance.pk,
        "node": row.node_id,
        "kind": row.kind,
        "outcome": outcome,
        "opinion": opinion[:200],
    }
    if row.kind == Task.Kind.NODE:
        # The holder decided; the people added after them now act.
        waiting = list(common.live_extra(row, [Task.Kind.SIGN_AFTER]))
        Task.objects.filter(pk__in=[t.pk for t in waiting]).update(
            state=Task.State.OPEN
        )
        if data:
            instance.data = {**instance.data, **data}
            instance.save(update_fields=["data"])
        detail["after_signers"] = [t.pk for t in waiting]
        _tell_signers(waiting, row, actor)
    else:
        parent = row.parent
        if row.kind == Task.Kind.SIGN_AFTER:
            if not common.live_extra(parent, [Task.Kind.SIGN_AFTER]).exists():
                detail.update(complete_engine_task(session, parent, actor))
        elif row.kind == Task.Kind.RESUBMIT:
            if not common.live_extra(parent, [Task.Kind.RESUBMIT]).exists():
                detail.update(_resubmitted(session, row, actor))
        elif not common.live_extra(parent, common.BLOCKING_KINDS).exists():
            common.resume(parent)
            detail["resumed"] = parent.pk
    detail["instance_state"] = instance.state
    record(actor=actor, action="workflow.complete_task", target=row, detail=detail)
    return row


def _tell_signers(rows, parent, actor) -> None:
    for row in rows:
        notify.send(
            users=[row.assignee],
            kind="task",
            title=_("加签：%(subject)s") % {"subject": parent.instance.subject},
            body=_("%(who)s请您在「%(node)s」环节会同办理。")
            % {"who": actor.real_name or actor.username, "node": parent.node_name},
            url=common.task_url(row),
            instance=parent.instance,
            sender=actor,
        )


@audited("workflow.add_signer")
def add_signers(
    *, actor, task, users, position: str = BEFORE, opinion: str = ""
) -> list[Task]:
    """前加签 / 后加签: ask others to act on the actor's task before or after them.

    Before: the holder's task waits until every added person has acted.
    After: the added people act once the holder has, and only then does the
    process move on. Nobody may be added twice, nor the holder themself.
    """
    row, instance = common.locked_task(task)
    common.require_holder(actor, row, "add_signer")
    if position not in POSITIONS:
        raise ActionError(
            _("请选择在我之前还是之后加签"),
            code="bad_position",
            fields={"position": _("请选择加签方式")},
        )
    compiled = runtime.compiled_for(instance.definition)
    common.require_allowed(compiled, row, "add_signer")
    opinion = common.text(opinion, field="opinion", label_text=_("加签说明"))
    added = common.people(users)
    if actor in added:
        raise ActionError(
            _("不能给自己加签"), code="sign_self", fields={"users": _("不能选择自己")}
        )
    busy = common.holders_of(row) | common.same_node_holders(row)
    taken = [u for u in added if u.pk in busy]
    if taken:
        raise ActionError(
            _("%(who)s已在办理本环节，不能重复加签") % {"who": common.names(taken)},
            code="signer_exists",
            target=row,
            fields={"users": _("已在办理本环节")},
        )
    kind = POSITIONS[position]
    state = Task.State.OPEN if position == BEFORE else Task.State.WAITING
    rows = [
        common.add_extra(
            row,
            kind=kind,
            assignee=person,
            state=state,
            context={"added_by": actor.pk},
        )
        for person in added
    ]
    if position == BEFORE:
        common.wait(row)
        _tell_signers(rows, row, actor)
    common.event(
        instance,
        TaskEvent.Kind.ADD_SIGNER,
        actor,
        task=row,
        opinion=opinion,
        detail={"position": position, "users": [u.username for u in added]},
    )
    record(
        actor=actor,
        action="workflow.add_signer",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "position": position,
            "users": [u.username for u in added],
            "tasks": [t.pk for t in rows],
        },
    )
    return rows


@audited("workflow.remove_signer")
def remove_signer(*, actor, task, opinion: str = "") -> Task:
    """减签: the holder takes back an added person who has not acted yet.

    Removing the last person added before gives the task back to its holder;
    removing the last one still to act after the holder lets the process move
    on at once.
    """
    row, instance = common.locked_task(task)
    parent = row.parent
    if row.kind not in (Task.Kind.SIGN_BEFORE, Task.Kind.SIGN_AFTER) or (
        parent is None
    ):
        if workflow_policy.can(actor, "view_task", row):
            raise ActionError(
                _("该任务不是加签任务，不能减签"), code="not_a_signer", target=row
            )
        raise PermissionDenied(target=row)
    parent.instance = instance
    if not workflow_policy.can(actor, "operate", parent):
        raise PermissionDenied(target=row)
    common.require_running(instance)
    if row.state == Task.State.COMPLETED:
        raise ActionError(
            _("%(who)s已办理，不能减签") % {"who": row.assignee},
            code="signer_done",
            target=row,
        )
    if row.state not in Task.LIVE_STATES:
        raise ActionError(
            _("%(who)s已不在加签人中，不能重复减签") % {"who": row.assignee},
            code="signer_gone",
            target=row,
        )
    compiled = runtime.compiled_for(instance.definition)
    common.require_allowed(compiled, parent, "remove_signer")
    opinion = common.text(opinion, field="opinion", label_text=_("减签说明"))
    session = runtime.Session(instance, actor)
    common.close(row, Task.State.CANCELLED, now=session.now)
    detail = {
        "instance": instance.pk,
        "node": row.node_id,
        "user": row.assignee.username,
        "position": AFTER if row.kind == Task.Kind.SIGN_AFTER else BEFORE,
    }
    if row.kind == Task.Kind.SIGN_BEFORE:
        if (
            parent.state == Task.State.WAITING
            and not common.live_extra(parent, common.BLOCKING_KINDS).exists()
        ):
            common.resume(parent)
            detail["resumed"] = parent.pk
    elif parent.state == Task.State.COMPLETED and not (
        common.live_extra(parent, [Task.Kind.SIGN_AFTER]).exists()
    ):
        detail.update(complete_engine_task(session, parent, actor))
    common.event(
        instance,
        TaskEvent.Kind.REMOVE_SIGNER,
        actor,
        task=parent,
        opinion=opinion,
        detail={"user": row.assignee.username},
    )
    record(actor=actor, action="workflow.remove_signer", target=row, detail=detail)
    return row
