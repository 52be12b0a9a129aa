"""Reads of the workflow that know the viewer: inboxes, counts, pages' data.

Every list a person sees comes from here and holds only what that person may
see; `get_task_for` and `get_instance_for` answer 404 alike for a missing row
and one the viewer may not see.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from egov.identity.models import User
from egov.workflow import assignment, deadlines, engine, runtime
from egov.workflow.models import (
    Cc,
    CommonPhrase,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    TaskEvent,
)
from egov.workflow.permissions import workflow_policy

LIGHT_FILTERS = (deadlines.GREEN, deadlines.YELLOW, deadlines.RED)


# Lists show titles, nodes, people and times: the engine state, case data and
# the diagram of each row's instance stay in the database.
_LIST_DEFERRED = (
    "submitted_data",
    "instance__engine_state",
    "instance__data",
    "instance__definition__bpmn_xml",
    "instance__definition__node_config",
    "instance__definition__node_names",
    "instance__definition__called_definitions",
)


def _with_instance(rows):
    return rows.select_related(
        "instance",
        "instance__definition",
        "instance__initiator",
        "assignee",
        "completed_by",
    )


def _for_list(rows):
    return _with_instance(rows).defer(*_LIST_DEFERRED)


def _light_q(value: str, now) -> Q:
    if value == deadlines.RED:
        return Q(due_at__lte=now)
    hours = now + timedelta(hours=settings.EGOV_TIMELIMIT_WARNING_HOURS)
    cutoff = deadlines.warning_cutoff(now)
    near = Q(limit_unit="hours", due_at__gt=now, due_at__lte=hours) | (
        ~Q(limit_unit="hours") & Q(due_at__gt=now, due_at__lte=cutoff)
    )
    if value == deadlines.YELLOW:
        return near
    return Q(due_at__gt=now) & ~near


def _filter(rows, *, q="", process="", light="", now=None, subject_field):
    if q:
        rows = rows.filter(
            Q(**{f"{subject_field}subject__icontains": q})
            | Q(**{f"{subject_field}business_key": q})
        )
    if process:
        rows = rows.filter(**{f"{subject_field}definition__key": process})
    if light in LIGHT_FILTERS:
        rows = rows.filter(_light_q(light, now or timezone.now()))
    return rows


def _own(viewer):
    return Task.objects.filter(assignee_id=viewer.pk, state__in=Task.OPEN_STATES)


def _pooled(viewer, delegators=None):
    """Pooled tasks the viewer may claim, or None when the viewer is in no pool.

    Candidate rows exist only for live tasks, so the existence check is a few
    index probes and most people skip the second arm entirely. The pools of
    people with a standing delegation (委托) to the viewer count as the
    viewer's own (assignment.candidate_filter).
    """
    candidates = TaskCandidate.objects.filter(
        assignment.candidate_filter(viewer, delegators)
    )
    if not candidates.exists():
        return None
    return Task.objects.filter(
        pk__in=candidates.values("task_id"),
        state=Task.State.OPEN,
        assignee__isnull=True,
    )


class Inbox:
    """A todo list made of two arms (held tasks, claimable pooled tasks).

    Each arm is answered by its own index; together they behave as one list
    newest first, with `count()` and slicing, so Paginator and the API's
    pagination take it as they take a queryset. (An OR of the two conditions
    would make the database scan every task.)
    """

    def __init__(self, own, pooled):
        self.own = own
        self.pooled = pooled

    def count(self) -> int:
        return self.own.count() + self.pooled.count()

    def __len__(self) -> int:
        return self.count()

    def _ids(self, start, stop) -> list[int]:
        both = (
            self.own.order_by()
            .values_list("id", "created_at")
            .union(self.pooled.order_by().values_list("id", "created_at"), all=True)
        )
        return [pk for pk, _created in both.order_by("-created_at", "-id")[start:stop]]

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1][0]
        ids = self._ids(key.start or 0, key.stop)
        rows = _for_list(Task.objects.filter(pk__in=ids)).in_bulk()
        return [rows[pk] for pk in ids if pk in rows]

    def __iter__(self):
        return iter(self[0:None])


def todo_for(viewer, *, q="", process="", light=""):
    """待办: tasks the viewer holds, and pooled tasks the viewer may claim.

    Newest first; filters: `q` (subject contains, or exact business key),
    `process` (definition key), `light` (green/yellow/red by due time).
    Returns a queryset, or an `Inbox` when the viewer is in a pool.
    """

    def narrowed(rows):
        return _filter(
            rows, q=q, process=process, light=light, subject_field="instance__"
        )

    own = narrowed(_own(viewer))
    pooled = _pooled(viewer)
    if pooled is None:
        return _for_list(own).order_by("-created_at", "-id")
    return Inbox(own, narrowed(pooled))


def done_for(viewer, *, q="", process=""):
    """已办: tasks the viewer completed, most recent first."""
    rows = Task.objects.filter(completed_by=viewer, state=Task.State.COMPLETED)
    rows = _filter(rows, q=q, process=process, subject_field="instance__")
    return _for_list(rows).order_by("-completed_at", "-id")


def started_by(viewer, *, q="", process="", state=""):
    """我发起的: instances the viewer started, newest first."""
    rows = ProcessInstance.objects.filter(initiator=viewer)
    rows = _filter(rows, q=q, process=process, subject_field="")
    if state in ProcessInstance.State.values:
        rows = rows.filter(state=state)
    return (
        rows.select_related("definition")
        .defer(
            "engine_state",
            "data",
            "definition__bpmn_xml",
            "definition__node_config",
            "definition__node_names",
            "definition__called_definitions",
        )
        .order_by("-started_at", "-id")
    )


def cc_to(viewer, *, q="", process=""):
    """抄送我的: instances sent to the viewer for information, newest first."""
    rows = Cc.objects.filter(user=viewer)
    rows = _filter(rows, q=q, process=process, subject_field="instance__")
    return rows.select_related("instance", "instance__definition", "sender").order_by(
        "-created_at", "-id"
    )


def _in(column: str, ids: list[int]) -> tuple[str, list[int]]:
    if not ids:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def counts(viewer) -> dict:
    """The workbench's four figures: todo, done, started, unread cc.

    The workbench is the page staff open most, so its figures come from one
    hand-written statement of scalar subqueries, each answered by its own index
    (building five ORM subqueries cost more than running them). The conditions
    are those of `todo_for`, `done_for`, `started_by` and `cc_to`, which the
    tests compare them with.
    """
    post_ids, org_ids, role_ids = assignment.candidate_keys(viewer)
    by_post, post_params = _in("c.post_id", post_ids)
    by_role, role_params = _in("c.role_id", role_ids if org_ids else [])
    by_org, org_params = _in("c.organization_id", org_ids)
    task = Task._meta.db_table
    sql = f"""
        SELECT
          (SELECT COUNT(*) FROM {task}
            WHERE assignee_id = %s AND state IN (%s, %s)),
          (SELECT COUNT(*) FROM {task} t
            WHERE t.state = %s AND t.assignee_id IS NULL AND t.id IN (
              SELECT c.task_id FROM {TaskCandidate._meta.db_table} c
              WHERE c.user_id = %s OR {by_post} OR ({by_role} AND {by_org}))),
          (SELECT COUNT(*) FROM {task}
            WHERE completed_by_id = %s AND state = %s),
          (SELECT COUNT(*) FROM {ProcessInstance._meta.db_table}
            WHERE initiator_id = %s),
          (SELECT COUNT(*) FROM {Cc._meta.db_table}
            WHERE user_id = %s AND read_at IS NULL)
    """  # noqa: S608 - only table names and placeholders are interpolated
    params = [
        viewer.pk,
        *Task.OPEN_STATES,
        Task.State.OPEN,
        viewer.pk,
        *post_params,
        *role_params,
        *org_params,
        viewer.pk,
        Task.State.COMPLETED,
        viewer.pk,
        viewer.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        own, pooled, done, started, cc = cursor.fetchone()
    delegators = assignment.delegators_of(viewer.pk)
    if delegators:
        # Someone's standing delegation (委托) adds their pools: rare enough
        # to count through the same filter as the list.
        rows = _pooled(viewer, delegators)
        pooled = rows.count() if rows is not None else 0
    return {"todo": own + pooled, "done": done, "started": started, "cc": cc}


def with_lights(tasks, now=None):
    """Set `light`, `light_label` and `light_badge` on each task for display."""
    now = now or timezone.now()
    for task in tasks:
        task.light = deadlines.light(task.due_at, task.limit_unit, now)
        task.light_label = deadlines.light_label(task.light)
        task.light_badge = deadlines.light_badge(task.light)
    return tasks


def get_task_for(viewer, pk) -> Task:
    """The task if the viewer may see it; Http404 otherwise (missing alike)."""
    try:
        task = _with_instance(Task.objects.all()).get(pk=int(pk))
    except (Task.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not workflow_policy.can(viewer, "view_task", task):
        raise Http404
    return task


def get_instance_for(viewer, pk) -> ProcessInstance:
    try:
        instance = ProcessInstance.objects.select_related(
            "definition", "initiator", "organization"
        ).get(pk=int(pk))
    except (ProcessInstance.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not workflow_policy.can(viewer, "view_instance", instance):
        raise Http404
    return instance


def timeline(instance) -> list[TaskEvent]:
    """The instance's history, oldest first: who, when, what, opinion.

    `on_behalf_of` is the delegator (委托人) when the event's actor held the
    task through a standing delegation, else None.
    """
    events = list(
        TaskEvent.objects.filter(instance=instance)
        .select_related("actor", "task__delegated_from")
        .order_by("created_at", "id")
    )
    for event in events:
        task = event.task
        held_for = (
            task is not None
            and task.delegated_from_id is not None
            and task.assignee_id == event.actor_id
        )
        event.on_behalf_of = task.delegated_from if held_for else None
    return events


def open_tasks(instance) -> list[Task]:
    return with_lights(
        list(
            instance.tasks.filter(state__in=Task.OPEN_STATES)
            .select_related("assignee")
            .order_by("created_at", "id")
        )
    )


def phrases_for(viewer) -> list[CommonPhrase]:
    """常用意见: the viewer's own phrases first, then the system-wide ones."""
    own = list(CommonPhrase.objects.filter(owner=viewer))
    shared = list(CommonPhrase.objects.filter(owner__isnull=True))
    return own + shared


def node_config(task) -> dict:
    compiled = runtime.compiled_for(task.instance.definition)
    return compiled.config_for(task.process_id, task.node_id)


@dataclass
class TaskButtons:
    """What the viewer may do on a task page right now."""

    complete: bool = False
    claim: bool = False
    release: bool = False
    operations: list = field(default_factory=list)
    reason: str = ""


def buttons_for(viewer, task) -> TaskButtons:
    instance = task.instance
    buttons = TaskButtons()
    if instance.state == ProcessInstance.State.SUSPENDED:
        buttons.reason = "suspended"
        return buttons
    if instance.state != ProcessInstance.State.RUNNING or not task.is_open:
        return buttons
    if task.assignee_id == viewer.pk:
        buttons.complete = True
        buttons.release = task.is_pooled and task.state == Task.State.CLAIMED
        buttons.operations = node_config(task).get("operations", [])
    elif task.assignee_id is None and workflow_policy.can(viewer, "claim", task):
        buttons.claim = True
    return buttons


def next_choices(task) -> list[dict]:
    """The nodes right after `task` whose handler its handler must choose.

    Each: {"node_id", "node_name", "people": [User]}; the designer listed the
    candidates (users, post, role) in the node's choice rule.
    """
    compiled = runtime.compiled_for(task.instance.definition)
    if task.process_id == compiled.main_process_id:
        spec = compiled.spec
    else:
        spec = next(
            (
                s
                for s in compiled.subprocess_specs.values()
                if s.name == task.process_id
            ),
            None,
        )
    if spec is None:
        return []
    result = []
    for node_id in engine.next_user_tasks(spec, task.node_id):
        config = compiled.config_for(task.process_id, node_id)
        rule = config.get("assignment", {})
        if rule.get("rule") != "choice":
            continue
        ids = assignment.choice_candidates(rule).user_ids
        people = sorted(User.objects.filter(pk__in=ids), key=lambda u: ids.index(u.pk))
        result.append(
            {
                "node_id": node_id,
                "node_name": compiled.name_for(task.process_id, node_id),
                "people": people,
            }
        )
    return result


def visible_data(task, instance) -> list[tuple[str, object]]:
    """The case data as rows for a read-only table, hidden fields left out."""
    config = node_config(task) if task is not None else {}
    modes = (config.get("form") or {}).get("fields", {})
    return [
        (key, value)
        for key, value in sorted(instance.data.items())
        if modes.get(key) != "hidden"
    ]


def diagram_for(viewer, pk) -> dict:
    """{"xml", "active", "completed"} for the diagram viewer of an instance."""
    instance = get_instance_for(viewer, pk)
    definition = instance.definition
    active, completed = [], []
    if instance.engine_state:
        compiled = runtime.compiled_for(definition)
        workflow = engine.load(instance.engine_state, compiled, engine.ReadingContext())
        active, completed = engine.node_states(workflow, definition.main_process_id)
    if not instance.is_active:
        completed = sorted(set(completed) | set(active))
        active = []
    return {"xml": definition.bpmn_xml, "active": active, "completed": completed}


def definitions_for(viewer) -> list[dict]:
    """流程管理: every process key with its versions, for administrators."""
    if not workflow_policy.can(viewer, "view_definitions"):
        return []
    rows = ProcessDefinition.objects.select_related("deployed_by").order_by(
        "key", "-version"
    )
    grouped: dict[str, dict] = {}
    for row in rows:
        entry = grouped.setdefault(row.key, {"latest": row, "versions": []})
        entry["versions"].append(row)
    running = _running_counts()
    for key, entry in grouped.items():
        entry["running"] = running.get(key, 0)
    return list(grouped.values())


def _running_counts() -> dict:
    from django.db.models import Count

    rows = (
        ProcessInstance.objects.filter(
            state__in=[ProcessInstance.State.RUNNING, ProcessInstance.State.SUSPENDED]
        )
        .values("definition__key")
        .annotate(n=Count("id"))
    )
    return {row["definition__key"]: row["n"] for row in rows}


def startable_definitions(viewer) -> list[ProcessDefinition]:
    """The latest version of every process the viewer may start."""
    if not workflow_policy.can(viewer, "start"):
        return []
    return list(ProcessDefinition.objects.filter(is_latest=True).order_by("name"))


def process_choices() -> list[tuple[str, str]]:
    """(key, name) of every process, for list filters."""
    return list(
        ProcessDefinition.objects.filter(is_latest=True)
        .order_by("name")
        .values_list("key", "name")
    )
