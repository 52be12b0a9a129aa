"""Who may do what in the workflow: `workflow_policy.can(user, action, obj)`.

Handling a task belongs to the person holding it: its assignee, or for a
pooled task (post, role) a candidate who claimed it first. Process
administrators are whoever holds the workflow permissions below through a
role; their reach over instances is limited by the role's data scope.

Standing delegations (委托) are between staff members: each person gives and
ends their own, and only its two people see one.
"""

from django.utils import timezone

from egov.core.policy import Policy

DEPLOY = "workflow.deploy_process"
VIEW_DEFINITIONS = "workflow.view_processdefinition"
VIEW_INSTANCES = "workflow.view_processinstance"
SUSPEND = "workflow.suspend_instance"
TERMINATE = "workflow.terminate_instance"
DISPATCH = "workflow.dispatch_instance"
# System-wide common phrases (常用意见); everyone manages their own.
MANAGE_PHRASES = "workflow.change_commonphrase"

TASK_ACTIONS = {
    "view_task",
    "open",
    "complete",
    "claim",
    "release",
    "operate",
    "withdraw",
    "urge",
}
DELEGATION_ACTIONS = {
    "delegate",
    "delegate_to",
    "end_delegation",
    "view_delegation",
}
INSTANCE_ACTIONS = {
    "view_instance",
    "suspend",
    "resume",
    "cancel",
    "terminate",
    "dispatch",
}


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _staff(user) -> bool:
    from egov.identity.models import User

    return _active(user) and user.kind == User.Kind.STAFF


def is_candidate(user, task) -> bool:
    from egov.workflow.assignment import candidate_filter

    return task.candidates.filter(candidate_filter(user)).exists()


def acting_for(user, task) -> int | None:
    """Whose standing delegation (委托) makes `user` a candidate of pooled `task`.

    None when `user` is a candidate in their own right (as a person, by post
    or by role), or not at all. When several running delegations to `user`
    would each make them a candidate, the earliest one wins: the delegation
    that began first, then the one given first (lowest id), so the same claim
    always names the same delegator.
    """
    from egov.workflow.assignment import candidate_filter
    from egov.workflow.models import Delegation

    if task.candidates.filter(candidate_filter(user, delegators=[])).exists():
        return None
    now = timezone.now()
    rows = (
        Delegation.objects.filter(
            to_user_id=user.pk,
            is_active=True,
            start_at__lte=now,
            end_at__gt=now,
            from_user__is_active=True,
        )
        .select_related("from_user")
        .order_by("start_at", "id")
    )
    process_key = task.instance.definition.key
    for row in rows:
        if row.process_keys and process_key not in row.process_keys:
            continue
        named = candidate_filter(row.from_user, delegators=[])
        if task.candidates.filter(named).exists():
            return row.from_user_id
    return None


def holds_open_task(user, instance) -> bool:
    from egov.workflow.models import Task

    return instance.tasks.filter(assignee=user, state__in=Task.OPEN_STATES).exists()


def took_part(user, instance) -> bool:
    """Whether `user` holds, held or may claim a task of `instance`, or was cc'd."""
    from egov.workflow.assignment import candidate_filter
    from egov.workflow.models import Cc, TaskCandidate

    if instance.tasks.filter(assignee=user).exists():
        return True
    if instance.tasks.filter(completed_by=user).exists():
        return True
    if Cc.objects.filter(instance=instance, user=user).exists():
        return True
    # Candidate rows exist only while a task is open or claimed.
    return TaskCandidate.objects.filter(
        candidate_filter(user), task__instance=instance
    ).exists()


def in_scope(user, perm: str, instance) -> bool:
    """Whether `instance` lies in `user`'s data scope for `perm`."""
    from egov.identity.queries import visible
    from egov.workflow.models import ProcessInstance

    if not user.has_perm(perm):
        return False
    rows = ProcessInstance.objects.filter(pk=instance.pk)
    return visible(user, rows, perm=perm).exists()


class WorkflowPolicy(Policy):
    """The workflow's role-by-action rules (matrix: tests/workflow/test_permissions.py).

    - deploy: DEPLOY. view_definitions: VIEW_DEFINITIONS or DEPLOY.
    - start: any active signed-in user; domains narrow it in their own actions.
    - view_task: its assignee, a candidate, whoever completed it, or anyone
      who may view its instance.
    - open: the assignee or a candidate. complete: the assignee.
    - claim: a candidate of a pooled task. release: the assignee of a pooled
      task.
    - operate (退回, 转办, 委派, 加签/减签, 抄送): the assignee. withdraw (撤回):
      whoever completed it. urge (催办): the initiator, anyone who completed a
      task of the instance, or DISPATCH within scope.
    - view_instance: the initiator, anyone who took part (task, candidate,
      cc), or VIEW_INSTANCES within the data scope.
    - suspend / resume: SUSPEND within the data scope, or whoever holds an
      open task of the instance.
    - add_shared_phrase: MANAGE_PHRASES. delete_phrase: one's own phrase, or a
      system-wide one with MANAGE_PHRASES.
    - cancel (撤销): the initiator. terminate (终止): TERMINATE within scope.
      dispatch (调度, and messages from outside): DISPATCH within scope.
    - delegate (give and manage one's own standing delegations, 我的委托):
      active staff. delegate_to (obj: the person to receive them): someone
      who may delegate, to another active staff member, never to oneself.
      end_delegation: its delegator, while they may still delegate.
      view_delegation: its delegator or its delegate.
    """

    app = "workflow"

    def can(self, user, action: str, obj=None) -> bool:
        if not _active(user):
            return False
        if action == "deploy":
            return user.has_perm(DEPLOY)
        if action == "view_definitions":
            return user.has_perm(VIEW_DEFINITIONS) or user.has_perm(DEPLOY)
        if action == "start":
            return True
        if action == "add_shared_phrase":
            return user.has_perm(MANAGE_PHRASES)
        if action == "delete_phrase":
            return obj is not None and (
                obj.owner_id == user.pk
                or (obj.owner_id is None and user.has_perm(MANAGE_PHRASES))
            )
        if action in DELEGATION_ACTIONS:
            return self._delegation(user, action, obj)
        if action in TASK_ACTIONS:
            return obj is not None and self._task(user, action, obj)
        if action in INSTANCE_ACTIONS:
            return obj is not None and self._instance(user, action, obj)
        raise KeyError(f"workflow policy has no action {action!r}")

    def visible(self, user, queryset=None, action: str = "view_delegation"):
        """The delegations `user` may see: those they gave or received."""
        from django.db.models import Q

        from egov.workflow.models import Delegation

        if action != "view_delegation":
            raise KeyError(f"workflow policy lists no rows for {action!r}")
        rows = Delegation.objects.all() if queryset is None else queryset
        if not _active(user):
            return rows.none()
        return rows.filter(Q(from_user_id=user.pk) | Q(to_user_id=user.pk))

    def _delegation(self, user, action, obj) -> bool:
        if action == "view_delegation":
            return obj is not None and user.pk in (obj.from_user_id, obj.to_user_id)
        if not _staff(user):
            return False
        if action == "delegate":
            return True
        if action == "delegate_to":
            return obj is not None and obj.pk != user.pk and _staff(obj)
        return obj is not None and obj.from_user_id == user.pk

    def _task(self, user, action, task) -> bool:
        mine = task.assignee_id == user.pk
        if action == "complete":
            return mine
        if action == "claim":
            return task.is_pooled and is_candidate(user, task)
        if action == "release":
            return task.is_pooled and mine
        if action == "operate":
            return mine
        if action == "withdraw":
            return task.completed_by_id == user.pk
        if action == "urge":
            instance = task.instance
            return (
                instance.initiator_id == user.pk
                or instance.tasks.filter(completed_by=user).exists()
                or in_scope(user, DISPATCH, instance)
            )
        if action == "open":
            return mine or (task.assignee_id is None and is_candidate(user, task))
        return (
            mine
            or task.completed_by_id == user.pk
            or is_candidate(user, task)
            or self._instance(user, "view_instance", task.instance)
        )

    def _instance(self, user, action, instance) -> bool:
        if action == "view_instance":
            return (
                instance.initiator_id == user.pk
                or took_part(user, instance)
                or in_scope(user, VIEW_INSTANCES, instance)
            )
        if action in ("suspend", "resume"):
            return in_scope(user, SUSPEND, instance) or holds_open_task(user, instance)
        if action == "cancel":
            return instance.initiator_id == user.pk
        if action == "terminate":
            return in_scope(user, TERMINATE, instance)
        return in_scope(user, DISPATCH, instance)


workflow_policy = WorkflowPolicy()
