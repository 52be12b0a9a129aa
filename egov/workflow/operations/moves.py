"""Moving a workflow backwards and sideways: the engine side of 退回, 撤回, 调度.

This module extends the adapter of egov.workflow.engine (the ADR's "only
module that imports SpiffWorkflow" rule has this one documented exception):
SpiffWorkflow can reset a branch of its task tree from a completed task, and
that is the primitive used here.

- `rewind` resets a completed node and everything after it. A parallel block
  keeps its branches as siblings in the tree and hangs the continuation under
  whichever branch reached the join last, so resetting a node inside one
  branch must also reset the join that merged it into the path of the live
  tasks; otherwise the tasks after the join would stay open.
- `replay` completes multi-instance instances again with the data they were
  completed with, so that taking back one vote does not make the others vote
  twice.
- `graft` puts a node that was never reached under the latest completed task,
  after cancelling what is open: an administrator's forward move (调度).

Every function works on a loaded workflow inside an operation's transaction,
under the instance lock; the caller syncs the worklist and saves.
"""

from copy import deepcopy

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin, BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from egov.workflow import engine

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_GATEWAYS = (ParallelGateway, InclusiveGateway)


def _voting(spec) -> bool:
    return isinstance(spec, engine._Voting)


def node_task(task):
    """The task that stands for a node: a multi-instance instance's parent."""
    parent = task.parent
    if (
        parent is not None
        and _voting(parent.task_spec)
        and task.task_spec.name == parent.task_spec.task_spec
    ):
        return parent
    return task


def is_node(task) -> bool:
    """A user task or a whole multi-instance node (not one of its instances)."""
    spec = task.task_spec
    if _voting(spec):
        return True
    return bool(spec.manual) and node_task(task) is task


def node_id(task) -> str:
    return task.task_spec.bpmn_id or ""


def _ancestors(task) -> list:
    chain = []
    current = task.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def _is_split(task) -> bool:
    spec = task.task_spec
    if isinstance(spec, BoundaryEventSplit):
        return True
    return isinstance(spec, _GATEWAYS) and len(spec.outputs) > 1


def _is_join(task) -> bool:
    spec = task.task_spec
    if isinstance(spec, BoundaryEventJoin):
        return True
    return isinstance(spec, _GATEWAYS) and len(spec.inputs) > 1


def merging_join(earlier, later):
    """The join on `later`'s path that merged `earlier`'s branch into it.

    None when `earlier` is an ancestor of `later` (nothing to merge) or when
    the two lie in branches that have not been joined (siblings).
    """
    later_chain = [later, *_ancestors(later)]
    earlier_ids = {t.id for t in [earlier, *_ancestors(earlier)]}
    below = []
    for task in later_chain:
        if task.id in earlier_ids:
            if task is earlier:
                return None
            break
        below.append(task)
    else:
        return None
    depth = 0
    for task in reversed(below):
        if _is_join(task):
            if depth == 0:
                return task
            depth -= 1
        if _is_split(task):
            depth += 1
    return None


def precedes(earlier, later) -> bool:
    """Whether `earlier` (completed) lies on the way to `later`."""
    if later.is_descendant_of(earlier):
        return True
    join = merging_join(earlier, later)
    return join is not None and join.state == TaskState.COMPLETED


def _live(workflow) -> list:
    return [t for t in workflow.get_tasks(state=LIVE) if t.workflow is workflow]


def passed_nodes(current) -> list:
    """Completed nodes on the way to `current`, latest first, one per node.

    Only nodes of the (sub)process `current` runs in are considered.
    """
    workflow = current.workflow
    own = node_id(current)
    best = {}
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        if task.workflow is not workflow or not is_node(task):
            continue
        key = node_id(task)
        if not key or key == own or not precedes(task, current):
            continue
        if key not in best or task.last_state_change > best[key].last_state_change:
            best[key] = task
    return sorted(best.values(), key=lambda t: t.last_state_change, reverse=True)


def latest_completed(workflow, node: str):
    """The most recent completed task of `node` in the main process, if any."""
    found = [
        t
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if t.workflow is workflow and is_node(t) and node_id(t) == node
    ]
    return max(found, key=lambda t: t.last_state_change) if found else None


def first_task(workflow):
    """The task of the first element after the main process's start event."""
    for start_event in workflow.task_tree.children:
        for task in start_event.children:
            return task
    return None


def run_on(workflow) -> None:
    """Run the engine until every path waits (gateways, service tasks…)."""
    try:
        workflow.do_engine_steps()
    except engine.EngineError:
        raise
    except SpiffWorkflowException as exc:
        raise engine.EngineError(
            _("流程引擎无法继续：%(why)s") % {"why": exc}
        ) from None


def rewind(workflow, target, data: dict | None = None) -> None:
    """Reset the completed `target` and everything after it, then run on.

    `data` is laid over the data `target` first started with, so that
    conditions see the latest case fields.
    """
    start_data = deepcopy(target.parent.data) if target.parent is not None else {}
    if data:
        start_data.update(deepcopy(data))
    sub = target.workflow
    workflow.reset_from_task_id(target.id, start_data)
    # A join that let the tasks after it start must wait for the rewound
    # branch again: reset it too (after the branch, never before, or it would
    # fire at once on the old arrival).
    changed = True
    while changed:
        changed = False
        for task in _live(sub):
            if task is target or task.is_descendant_of(target):
                continue
            join = merging_join(target, task)
            if join is not None and join.state == TaskState.COMPLETED:
                workflow.reset_from_task_id(join.id)
                changed = True
                break
    run_on(workflow)


def snapshot_votes(node, skip_index=None) -> dict:
    """{instance index: data} of a multi-instance node's completed instances."""
    votes = {}
    for child in node.children:
        if child.state != TaskState.COMPLETED or not child.task_spec.manual:
            continue
        index = child.internal_data.get("key_or_index")
        if index is None or index == skip_index:
            continue
        votes[index] = deepcopy(child.data)
    return votes


def replay(workflow, node, votes: dict) -> None:
    """Complete `node`'s ready instances again with the data in `votes`."""
    pending = dict(votes)
    while pending:
        ready = [
            c
            for c in node.children
            if c.state == TaskState.READY
            and c.internal_data.get("key_or_index") in pending
        ]
        if not ready:
            return
        for child in ready:
            child.data.update(pending.pop(child.internal_data["key_or_index"]))
            try:
                child.run()
            except SpiffWorkflowException as exc:
                raise engine.EngineError(
                    _("流程引擎无法继续：%(why)s") % {"why": exc}
                ) from None
        run_on(workflow)


def inside_parallel_block(spec, node: str) -> bool:
    """Whether `node` sits between a parallel split and its join.

    Walking forward from it, a join is met before the split that opens it.
    """
    task_spec = spec.task_specs.get(node)
    if task_spec is None:
        return False
    depth, seen = 0, set()
    current = task_spec
    while current is not None and current.name not in seen:
        seen.add(current.name)
        outputs = list(current.outputs)
        if not outputs:
            return False
        current = outputs[0]
        if isinstance(current, _GATEWAYS) and len(current.inputs) > 1:
            if depth == 0:
                return True
            depth -= 1
        if isinstance(current, _GATEWAYS) and len(current.outputs) > 1:
            depth += 1
    return False


def graft(workflow, node: str) -> None:
    """Cancel what is open in the main process and make `node` ready.

    For nodes the instance has not reached; `node` is a user task or a
    multi-instance node of the main process.
    """
    spec = workflow.spec.task_specs[node]
    live = _live(workflow)
    anchor = None
    for task in live:
        if task.task_spec.manual or _voting(task.task_spec):
            anchor = node_task(task).parent
            break
    if anchor is None:
        anchor = workflow.last_task
    if anchor is None or anchor.state != TaskState.COMPLETED:
        raise engine.EngineError(_("流程当前的位置无法调度"))
    for task in live:
        if task.id in workflow.tasks and task.state & LIVE:
            task.cancel()
    child = anchor._add_child(spec, TaskState.FUTURE)
    spec._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
    spec._update(child)
    run_on(workflow)


def running_subprocess(workflow) -> bool:
    return any(isinstance(t.task_spec, SubWorkflowTask) for t in _live(workflow))


def user_nodes(spec) -> list[str]:
    """Ids of the user-task nodes of a process spec, in document order."""
    children = {s.task_spec for s in spec.task_specs.values() if _voting(s)}
    found = []
    for task_spec in spec.task_specs.values():
        if not task_spec.bpmn_id or task_spec.bpmn_id in found:
            continue
        if _voting(task_spec) or (task_spec.manual and task_spec.name not in children):
            found.append(task_spec.bpmn_id)
    return found
