"""What every approval operation shares: locking, the holder checks, people,
history rows, and the extra rows an operation adds to a node's task."""

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.core.errors import ActionError, PermissionDenied
from egov.identity.models import User
from egov.workflow import deadlines, engine, forms, runtime
from egov.workflow.models import ProcessInstance, Task, TaskCandidate, TaskEvent
from egov.workflow.permissions import workflow_policy

MAX_OPINION = 2000
MAX_PEOPLE = 20

OPERATION_LABELS = {
    "return": gettext_lazy("退回"),
    "transfer": gettext_lazy("转办"),
    "delegate": gettext_lazy("委派"),
    "add_signer": gettext_lazy("加签"),
    "remove_signer": gettext_lazy("减签"),
    "withdraw": gettext_lazy("撤回"),
    "urge": gettext_lazy("催办"),
    "cc": gettext_lazy("抄送"),
}

# Extra rows that keep their parent waiting until they are done.
BLOCKING_KINDS = (Task.Kind.SIGN_BEFORE, Task.Kind.DELEGATE, Task.Kind.RESUBMIT)


def label(operation: str) -> str:
    return str(OPERATION_LABELS.get(operation, operation))


def task_pk(task) -> int:
    pk = task.pk if isinstance(task, Task) else task
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise ActionError(_("任务不存在"), code="task_missing") from None


def locked_task(task) -> tuple[Task, ProcessInstance]:
    """The task and its instance, the instance row locked first."""
    pk = task_pk(task)
    instance_id = (
        Task.objects.filter(pk=pk).values_list("instance_id", flat=True).first()
    )
    if instance_id is None:
        raise ActionError(_("任务不存在"), code="task_missing")
    instance = runtime.lock_instance(instance_id)
    row = Task.objects.select_related("assignee", "parent").get(pk=pk)
    row.instance = instance
    return row, instance


def locked_instance(instance) -> ProcessInstance:
    pk = instance.pk if isinstance(instance, ProcessInstance) else instance
    try:
        return runtime.lock_instance(int(pk))
    except (ProcessInstance.DoesNotExist, TypeError, ValueError):
        raise ActionError(_("流程实例不存在"), code="instance_missing") from None


def require_running(instance) -> None:
    if instance.state == ProcessInstance.State.SUSPENDED:
        raise ActionError(
            _("流程已挂起，恢复后才能办理"), code="instance_suspended", target=instance
        )
    if instance.state != ProcessInstance.State.RUNNING:
        raise ActionError(
            _("流程%(state)s，不能再办理") % {"state": instance.get_state_display()},
            code="instance_finished",
            target=instance,
        )


def require_holder(actor, row, operation: str) -> None:
    """The actor holds `row`, an open node task, on a running instance."""
    if not workflow_policy.can(actor, "operate", row):
        raise PermissionDenied(target=row)
    require_running(row.instance)
    if row.state == Task.State.WAITING:
        raise ActionError(
            _("该任务正在等待他人办理，暂不能%(op)s") % {"op": label(operation)},
            code="task_waiting",
            target=row,
        )
    if not row.is_open:
        raise ActionError(
            _("该任务%(state)s，不能%(op)s")
            % {"state": row.get_state_display(), "op": label(operation)},
            code="task_not_open",
            target=row,
        )
    if row.kind != Task.Kind.NODE:
        raise ActionError(
            _("%(kind)s任务只能办理，不能%(op)s")
            % {"kind": row.get_kind_display(), "op": label(operation)},
            code="extra_task",
            target=row,
        )


def require_allowed(compiled, row, operation: str) -> None:
    """The diagram allows `operation` on the row's node."""
    config = compiled.config_for(row.process_id, row.node_id)
    if operation not in (config.get("operations") or ()):
        raise ActionError(
            _("环节「%(node)s」不允许%(op)s")
            % {"node": row.node_name, "op": label(operation)},
            code="operation_not_allowed",
            target=row,
        )


def text(value, *, field: str, label_text: str, required=False, limit=MAX_OPINION):
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ActionError(
            _("%(label)s格式不正确") % {"label": label_text},
            code="bad_text",
            fields={field: _("格式不正确")},
        )
    value = value.replace("\x00", "").strip()
    if len(value) > limit:
        raise ActionError(
            _("%(label)s不能超过 %(n)s 个字") % {"label": label_text, "n": limit},
            code="text_too_long",
            fields={field: _("不能超过 %(n)s 个字") % {"n": limit}},
        )
    if required and not value:
        raise ActionError(
            _("请填写%(label)s") % {"label": label_text},
            code="text_required",
            fields={field: _("请填写%(label)s") % {"label": label_text}},
        )
    return value


def _as_list(values) -> list:
    if values is None:
        return []
    if isinstance(values, str | int | User):
        return [values]
    if isinstance(values, list | tuple | set):
        return list(values)
    raise ActionError(_("人员格式不正确"), code="bad_people")


def _one_person(value) -> User | None:
    if isinstance(value, User):
        value = value.pk
    if isinstance(value, bool):
        return None
    rows = User.objects.filter(is_active=True, kind=User.Kind.STAFF)
    if isinstance(value, int):
        return rows.filter(pk=value).first()
    if not isinstance(value, str) or not value.strip() or len(value) > 150:
        return None
    value = value.strip()
    found = rows.filter(username=value).first()
    if found is None and value.isdigit():
        found = rows.filter(pk=int(value)).first()
    if found is None:
        named = list(rows.filter(real_name=value)[:2])
        found = named[0] if len(named) == 1 else None
    return found


def people(values, *, field: str = "users", required=True) -> list[User]:
    """Active staff from ids, account names or unique real names, in order."""
    values = _as_list(values)
    if len(values) > MAX_PEOPLE:
        raise ActionError(
            _("一次最多选择 %(n)s 人") % {"n": MAX_PEOPLE},
            code="too_many_people",
            fields={field: _("人数过多")},
        )
    found, missing = [], []
    for value in values:
        person = _one_person(value)
        if person is None:
            missing.append(str(value)[:50])
        elif person not in found:
            found.append(person)
    if missing:
        raise ActionError(
            _("找不到人员：%(who)s") % {"who": "、".join(missing)},
            code="person_missing",
            fields={field: _("找不到人员")},
        )
    if required and not found:
        raise ActionError(
            _("请选择人员"), code="people_required", fields={field: _("请选择人员")}
        )
    return found


def person(value, *, field: str = "to") -> User:
    return people([value] if value not in (None, "") else [], field=field)[0]


def event(instance, kind, actor, *, task=None, opinion="", detail=None, node=None):
    """One history line of the timeline."""
    node_id, node_name = node or ((task.node_id, task.node_name) if task else ("", ""))
    return TaskEvent.objects.create(
        instance=instance,
        task=task,
        kind=kind,
        actor=actor,
        node_id=node_id,
        node_name=node_name,
        opinion=opinion,
        detail=detail or {},
    )


def finish_event(session, actor) -> None:
    if session.finished:
        TaskEvent.objects.create(
            instance=session.instance,
            kind=TaskEvent.Kind.COMPLETE,
            actor=None,
            detail={"by": actor.get_username() if actor else ""},
        )


def engine_call(fn, *args):
    """Run an engine move; its refusal becomes the operation's ActionError."""
    try:
        return fn(*args)
    except engine.EngineError as exc:
        raise ActionError(exc.message, code="engine_error") from None


def task_url(row) -> str:
    try:
        return reverse("workflow:task_detail", args=[row.pk])
    except NoReverseMatch:
        return ""


def instance_url(instance) -> str:
    try:
        return reverse("workflow:instance_detail", args=[instance.pk])
    except NoReverseMatch:
        return ""


def engine_task_of(workflow, row):
    """The waiting engine task of `row`, or ActionError when out of step."""
    found = engine.find_task(workflow, row.engine_task_id)
    if not engine.is_waiting_user_task(found):
        raise ActionError(
            _("任务状态已变化，请刷新后重试"), code="task_out_of_step", target=row
        )
    return found


def live_extra(row, kinds=None):
    rows = Task.objects.filter(parent=row, state__in=Task.LIVE_STATES)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    return rows


def holders_of(row) -> set[int]:
    """Everyone holding a live row on the same engine task as `row`."""
    return set(
        Task.objects.filter(
            instance_id=row.instance_id,
            engine_task_id=row.engine_task_id,
            state__in=Task.LIVE_STATES,
            assignee__isnull=False,
        ).values_list("assignee_id", flat=True)
    )


def wait(row) -> None:
    """Put `row` aside while others act for it (it leaves its holder's 待办)."""
    context = dict(row.context or {})
    context["resume_state"] = row.state
    row.context = context
    row.state = Task.State.WAITING
    row.save(update_fields=["state", "context"])


def resume(row) -> None:
    """Give a waiting row back to its holder."""
    context = dict(row.context or {})
    row.state = context.pop("resume_state", Task.State.OPEN)
    row.context = context
    row.save(update_fields=["state", "context"])


def add_extra(
    parent,
    *,
    kind,
    assignee,
    state=Task.State.OPEN,
    node=None,
    compiled=None,
    context=None,
    now=None,
) -> Task:
    """A row for `assignee` linked to `parent` and sharing its engine task.

    `node` (process id, node id, name) gives the row another node to show
    (退回重办 at the node returned to); its form and time limit then come from
    that node's settings.
    """
    form_key, form_version, limit = parent.form_key, parent.form_version, {}
    process_id, node_id, node_name = parent.process_id, parent.node_id, parent.node_name
    due_at = parent.due_at
    if node is not None:
        process_id, node_id, node_name = node
        config = compiled.config_for(process_id, node_id) if compiled else {}
        form = config.get("form") or {}
        form_key = form.get("key", "")[:100]
        form_version = forms.version_for(form) if form else None
        limit = config.get("time_limit") or {}
        due_at = deadlines.due_at(now, limit, parent.instance) if limit else None
    if kind in (Task.Kind.SIGN_BEFORE, Task.Kind.SIGN_AFTER):
        form_key, form_version = "", None
    return Task.objects.create(
        instance=parent.instance,
        process_id=process_id,
        node_id=node_id,
        node_name=node_name[:255],
        engine_task_id=parent.engine_task_id,
        assignee=assignee,
        state=state,
        multi_index=parent.multi_index,
        form_key=form_key,
        form_version=form_version,
        limit_amount=limit.get("amount", parent.limit_amount if not node else None),
        limit_unit=limit.get("unit", parent.limit_unit if not node else ""),
        due_at=due_at,
        kind=kind,
        parent=parent,
        context=context or {},
    )


def close(row, state, *, now, actor=None, opinion=None) -> None:
    row.state = state
    row.completed_at = now
    fields = ["state", "completed_at"]
    if actor is not None:
        row.completed_by = actor
        fields.append("completed_by")
    if opinion is not None:
        row.opinion = opinion
        fields.append("opinion")
    row.save(update_fields=fields)
    TaskCandidate.objects.filter(task=row).delete()


def names(users) -> str:
    return "、".join(u.real_name or u.username for u in users)


def same_node_holders(row) -> set[int]:
    """People holding a live row of the same node (a multi-instance node)."""
    return set(
        Task.objects.filter(
            Q(instance_id=row.instance_id, node_id=row.node_id)
            & Q(state__in=Task.LIVE_STATES, assignee__isnull=False)
        ).values_list("assignee_id", flat=True)
    )
