"""Reads for the operation buttons, pickers and site messages.

`operations_for` says what the viewer may do on a task page right now (and
the choices each dialog offers); the actions check everything again.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from egov.identity.models import Post, User
from egov.workflow import engine, runtime
from egov.workflow.models import Cc, Notification, ProcessInstance, Task
from egov.workflow.operations import common, dispatching, returning, urging
from egov.workflow.operations.withdrawing import withdrawable
from egov.workflow.permissions import workflow_policy

PICKER_LIMIT = 20


@dataclass
class TaskOperations:
    """The operation buttons of one task page for one viewer."""

    task: Task
    return_targets: list = field(default_factory=list)
    can_return: bool = False
    can_transfer: bool = False
    can_delegate: bool = False
    can_add_signer: bool = False
    can_cc: bool = False
    signers: list = field(default_factory=list)
    can_remove_signer: bool = False
    can_withdraw: bool = False
    can_urge: bool = False
    next_urge_at: object = None
    can_reassign: bool = False
    waiting_for: list = field(default_factory=list)

    @property
    def waiting_names(self) -> str:
        return common.names(t.assignee for t in self.waiting_for if t.assignee)

    @property
    def any(self) -> bool:
        return any(
            [
                self.can_return,
                self.can_transfer,
                self.can_delegate,
                self.can_add_signer,
                self.can_cc,
                self.can_remove_signer and self.signers,
                self.can_withdraw,
                self.can_urge,
                self.can_reassign,
            ]
        )


def _allowed(task) -> set:
    compiled = runtime.compiled_for(task.instance.definition)
    return set(compiled.config_for(task.process_id, task.node_id).get("operations"))


def _return_targets(task) -> list:
    instance = task.instance
    compiled = runtime.compiled_for(instance.definition)
    workflow = engine.load(instance.engine_state, compiled, engine.ReadingContext())
    engine_task = engine.find_task(workflow, task.engine_task_id)
    if not engine.is_waiting_user_task(engine_task):
        return []
    return returning.targets(compiled, engine_task)


def operations_for(viewer, task) -> TaskOperations:
    """What `viewer` may do on `task` (already visible to them) right now."""
    ops = TaskOperations(task=task)
    instance = task.instance
    if instance.state != ProcessInstance.State.RUNNING:
        return ops
    allowed = _allowed(task)
    holder = (
        task.kind == Task.Kind.NODE
        and task.is_open
        and workflow_policy.can(viewer, "operate", task)
    )
    if holder:
        ops.return_targets = _return_targets(task) if "return" in allowed else []
        ops.can_return = "return" in allowed
        ops.can_transfer = "transfer" in allowed
        ops.can_delegate = "delegate" in allowed
        ops.can_add_signer = "add_signer" in allowed
        ops.can_cc = "cc" in allowed
    if task.kind == Task.Kind.NODE and workflow_policy.can(viewer, "operate", task):
        ops.signers = list(
            common.live_extra(task, [Task.Kind.SIGN_BEFORE, Task.Kind.SIGN_AFTER])
            .select_related("assignee")
            .order_by("id")
        )
        ops.can_remove_signer = "remove_signer" in allowed
    if task.state == Task.State.WAITING:
        ops.waiting_for = list(
            common.live_extra(task, common.BLOCKING_KINDS)
            .select_related("assignee")
            .order_by("id")
        )
    if "withdraw" in allowed and workflow_policy.can(viewer, "withdraw", task):
        taken = withdrawable(task)
        ops.can_withdraw = bool(taken) and not any(
            t.opened_at or t.claimed_at for t in taken
        )
    if (
        task.is_open
        and task.assignee_id != viewer.pk
        and "urge" in allowed
        and workflow_policy.can(viewer, "urge", task)
    ):
        ops.can_urge = True
        ops.next_urge_at = urging.next_urge_at(task, viewer)
    ops.can_reassign = task.is_open and workflow_policy.can(
        viewer, "dispatch", instance
    )
    return ops


def dispatch_options(viewer, instance) -> dict:
    """For the instance page: urge buttons per open task, 调度 targets, and
    the viewer's unread copies of the instance to mark read."""
    running = instance.state == ProcessInstance.State.RUNNING
    result = {
        "urge": [],
        "dispatch": [],
        "can_dispatch": False,
        "unread_cc": list(
            Cc.objects.filter(instance=instance, user=viewer, read_at__isnull=True)
            .select_related("sender")
            .order_by("id")
        ),
    }
    if not running:
        return result
    open_rows = list(
        instance.tasks.filter(state__in=Task.OPEN_STATES)
        .select_related("assignee")
        .order_by("id")
    )
    for row in open_rows:
        row.instance = instance
        if row.assignee_id != viewer.pk and workflow_policy.can(viewer, "urge", row):
            result["urge"].append(row)
    if workflow_policy.can(viewer, "dispatch", instance):
        result["can_dispatch"] = True
        result["dispatch"] = dispatching.targets(instance)
        result["reassign"] = open_rows
    return result


def people_matching(viewer, q: str) -> list[User]:
    """Active staff whose account or name contains `q`, for the pickers."""
    q = (q or "").strip()[:50]
    if not q:
        return []
    return list(
        User.objects.filter(is_active=True, kind=User.Kind.STAFF)
        .filter(Q(username__icontains=q) | Q(real_name__icontains=q))
        .order_by("username")[:PICKER_LIMIT]
    )


def posts_matching(viewer, q: str) -> list[Post]:
    q = (q or "").strip()[:50]
    if not q:
        return []
    return list(
        Post.objects.filter(is_active=True)
        .filter(
            Q(name__icontains=q)
            | Q(code__icontains=q)
            | Q(organization__name__icontains=q)
        )
        .select_related("organization")
        .order_by("organization__code", "code")[:PICKER_LIMIT]
    )


def notifications_for(viewer, *, unread_only=False):
    rows = Notification.objects.filter(user=viewer)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.select_related("sender", "instance").order_by("-created_at", "-id")


def unread_count(viewer) -> int:
    if not getattr(viewer, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=viewer, read_at__isnull=True).count()


def get_notification_for(viewer, pk) -> Notification:
    try:
        return Notification.objects.get(pk=int(pk), user=viewer)
    except (Notification.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def get_cc_for(viewer, pk) -> Cc:
    try:
        return Cc.objects.select_related("instance").get(pk=int(pk), user=viewer)
    except (Cc.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def urge_wait_minutes(task, viewer) -> int:
    again = urging.next_urge_at(task, viewer)
    if again is None:
        return 0
    return max(int((again - timezone.now()).total_seconds() // 60) + 1, 1)
