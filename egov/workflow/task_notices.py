"""Site messages to staff about their tasks: a new task (新待办) when the
engine creates one, and the time-limit warnings (预警, 黄牌, 红牌) of open
tasks, once per change of state.

A task given to one person tells that person; a pooled task tells each of
its candidates (the people named, the holders of a post, the members of a
role in an organization). Whoever's own action created the task is not told:
it is in front of them. The messages of one engine step are written with
one insert, inside the step's transaction.

The warnings plug into egov.core.deadline_sweep as the domain "workflow":
each open task with a time limit is one subject, its state read from its
arrival, limit and the instance's clock stops.
"""

from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import gettext as _

from egov.core import timelimits
from egov.core.face_urls import face_reverse
from egov.core.models import ClockStop, TimeLimitState
from egov.identity.models import PostAssignment
from egov.workflow.models import Notification, ProcessInstance, Task, TaskCandidate

SWEEP_DOMAIN = "workflow"


# A number no task has, standing in for the task's while the path is built.
_TASK_SLOT = 987_654_321_987
_task_paths: dict[tuple, str] = {}


def task_path(task) -> str:
    """The task page's path. Reversing a URL cost more than the rest of a
    新待办 notice, and the paths differ only by the task's number: the path
    is built once per URL tree and script prefix."""
    tree = (
        get_script_prefix(),
        get_urlconf(),
        settings.ROOT_URLCONF,
        tuple(settings.EGOV_FACES),
    )
    template = _task_paths.get(tree)
    if template is None:
        template = face_reverse("internal", "workflow:task_detail", args=[_TASK_SLOT])
        _task_paths[tree] = template
    return template.replace(str(_TASK_SLOT), str(task.pk))


def _pool_members(candidates) -> dict[tuple, set[int]]:
    """The active people behind pool candidates, keyed ("post", id) or
    ("role", role id, organization id); one query for all of them."""
    post_ids = {c.post_id for c in candidates if c.post_id}
    role_pairs = {
        (c.role_id, c.organization_id)
        for c in candidates
        if c.role_id and c.organization_id and not c.post_id
    }
    members: dict[tuple, set[int]] = defaultdict(set)
    if not post_ids and not role_pairs:
        return members
    condition = Q(post_id__in=post_ids) if post_ids else Q()
    if role_pairs:
        condition |= Q(
            user__roles__pk__in={r for r, _o in role_pairs},
            user__roles__is_active=True,
            post__organization_id__in={o for _r, o in role_pairs},
        )
    rows = PostAssignment.objects.filter(
        condition, user__is_active=True, post__is_active=True
    ).values_list("user_id", "post_id", "post__organization_id", "user__roles__pk")
    for user_id, post_id, org_id, role_id in rows:
        if post_id in post_ids:
            members[("post", post_id)].add(user_id)
        if (role_id, org_id) in role_pairs:
            members[("role", role_id, org_id)].add(user_id)
    return members


def _people(task, candidates, members) -> list[int]:
    if task.assignee_id:
        return [task.assignee_id]
    people = []
    for c in candidates:
        if c.user_id:
            people.append(c.user_id)
        elif c.post_id:
            people += sorted(members.get(("post", c.post_id), ()))
        elif c.role_id:
            people += sorted(members.get(("role", c.role_id, c.organization_id), ()))
    return list(dict.fromkeys(people))


def handlers_of(tasks, candidates_of) -> dict[int, list[int]]:
    """Who handles each task (by task id): its assignee, or everyone its
    candidates name. `candidates_of(task)` gives the task's candidates."""
    every = [c for task in tasks if not task.assignee_id for c in candidates_of(task)]
    members = _pool_members(every)
    return {task.pk: _people(task, candidates_of(task), members) for task in tasks}


def notify_new_tasks(tasks, *, instance, actor=None) -> list[Notification]:
    """新待办 for the tasks an engine step just created (with their
    `_pending_candidates`); one insert for all of them."""
    tasks = [t for t in tasks if t.pk is not None]
    if not tasks:
        return []
    people = handlers_of(tasks, lambda t: getattr(t, "_pending_candidates", ()))
    actor_id = getattr(actor, "pk", None)
    rows = []
    for task in tasks:
        title = _("新待办：%(subject)s — %(node)s") % {
            "subject": instance.subject,
            "node": task.node_name,
        }
        body = (
            _("请办理「%(node)s」，办理期限：%(due)s。")
            % {"node": task.node_name, "due": _due_text(task)}
            if task.due_at
            else _("请办理「%(node)s」。") % {"node": task.node_name}
        )
        if task.is_pooled:
            body += _("该任务由多人共同候选，请先签收再办理。")
        url = task_path(task)[:300]
        for user_id in people[task.pk]:
            if user_id == actor_id:
                continue
            rows.append(
                Notification(
                    user_id=user_id,
                    kind=Notification.Kind.TASK,
                    title=title[:200],
                    body=body,
                    url=url,
                    instance=instance,
                )
            )
    return Notification.objects.bulk_create(rows) if rows else []


def _due_text(task) -> str:
    from django.utils import timezone

    return timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")


# --- time-limit warnings ---------------------------------------------------------

STATE_TITLES = {
    TimeLimitState.WARNING: _("即将到期"),
    TimeLimitState.YELLOW: _("已超期（黄牌）"),
    TimeLimitState.RED: _("严重超期（红牌）"),
}


def subject_of(task) -> str:
    return timelimits.subject_key(task)


def _open_tasks():
    return (
        Task.objects.filter(state__in=Task.OPEN_STATES, limit_amount__gt=0)
        .exclude(limit_unit="")
        .only("pk", "instance_id", "created_at", "limit_amount", "limit_unit")
    )


def _clock_of(instance_id) -> str:
    # The instance's clock key (deadlines.clock_subject) without loading it.
    return f"{ProcessInstance._meta.label_lower}:{instance_id}"


def task_states(now):
    """(subject, state) of every open task with a time limit, as of `now`."""
    tasks = [t for t in _open_tasks() if t.limit_unit in timelimits.Unit.values]
    stops = defaultdict(list)
    clocks = sorted({_clock_of(t.instance_id) for t in tasks})
    for offset in range(0, len(clocks), 500):
        for stop in ClockStop.objects.filter(
            subject__in=clocks[offset : offset + 500]
        ).only("subject", "started_at", "ended_at"):
            stops[stop.subject].append(stop)
    calendar = timelimits.current_calendar()
    for task in tasks:
        result = timelimits.compute_deadline(
            task.created_at,
            timelimits.Limit(task.limit_amount, task.limit_unit),
            stops.get(_clock_of(task.instance_id), ()),
            now=now,
            calendar=calendar,
        )
        yield subject_of(task), timelimits.state_at(result, now)


def notify_task_warning(subject: str, state: str, previous) -> None:
    """Tell the task's handlers its new warning state (nothing when it went
    back to normal, e.g. after an extension)."""
    if state == TimeLimitState.NORMAL:
        return
    pk = int(subject.rsplit(":", 1)[1])
    task = Task.objects.select_related("instance").filter(pk=pk).first()
    if task is None or not task.is_open:
        return
    people = handlers_of([task], lambda t: list(TaskCandidate.objects.filter(task=t)))[
        task.pk
    ]
    title = _("%(state)s：%(subject)s — %(node)s") % {
        "state": STATE_TITLES[state],
        "subject": task.instance.subject,
        "node": task.node_name,
    }
    body = _("「%(node)s」的办理期限为%(due)s，请抓紧办理。") % {
        "node": task.node_name,
        "due": _due_text(task) if task.due_at else "—",
    }
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                kind=Notification.Kind.TASK,
                title=title[:200],
                body=body,
                url=task_path(task)[:300],
                instance=task.instance,
                is_urgent=state == TimeLimitState.RED,
            )
            for user_id in people
        ]
    )


def register_sweep() -> None:
    from egov.core.deadline_sweep import register_sweep as register

    register(SWEEP_DOMAIN, states=task_states, notify=notify_task_warning)
