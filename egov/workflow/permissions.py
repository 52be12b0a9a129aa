"""Who may do what in the workflow: `workflow_policy.can(user, action, obj)`.

Handling a task belongs to the person holding it: its assignee, or for a
pooled task (post, role) a candidate who claimed it first. Process
administrators are whoever holds the workflow permissions below through a
role; their reach over instances is limited by the role's data scope.
"""

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


def is_candidate(user, task) -> bool:
    from egov.workflow.assignment import candidate_filter

    return task.candidates.filter(candidate_filter(user)).exists()


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
        if action in TASK_ACTIONS:
            return obj is not None and self._task(user, action, obj)
        if action in INSTANCE_ACTIONS:
            return obj is not None and self._instance(user, action, obj)
        raise KeyError(f"workflow policy has no action {action!r}")

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
