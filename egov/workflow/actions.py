"""Every write of the workflow: deploying, starting, and acting on tasks.

Each action runs in one transaction (the `audited` decorator), checks
permission with `workflow_policy`, locks the instance row before reading its
engine state (egov.workflow.runtime), writes the history rows (TaskEvent) the
timeline shows, and ends with its audit entry. A refusal raises ActionError or
PermissionDenied; nothing it did stays, and the refused attempt is logged.

The remaining approval operations (退回, 转办, 委派, 加签/减签, 撤回, 催办,
抄送, 调度) build on `runtime.Session` the same way.
"""

import json
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core import clocks
from egov.core.actions import audited
from egov.core.crypto import sm3_hex
from egov.core.errors import ActionError
from egov.core.models import ClockStop
from egov.workflow import bpmn, deadlines, engine, forms, runtime
from egov.workflow.assignment import DirectoryLookups
from egov.workflow.models import (
    CommonPhrase,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    TaskEvent,
)
from egov.workflow.operations import signing
from egov.workflow.permissions import acting_for, workflow_policy

KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
MAX_DATA_BYTES = 256 * 1024
MAX_OPINION = 2000
MAX_REASON = 500
# Process variables the engine sets itself; submitted data may not use them.
RESERVED_NAMES = {"outcome", "votes", "initiator", "organization"}


# --- small helpers ------------------------------------------------------------


def _clean_data(data, *, field="data") -> dict:
    """A JSON-safe copy of submitted data, or ActionError saying what is wrong."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ActionError(_("提交的数据格式不正确"), code="bad_data")
    for key in data:
        if (
            not isinstance(key, str)
            or not key.strip()
            or key.startswith(bpmn.RESERVED_PREFIXES)
            or key in RESERVED_NAMES
        ):
            raise ActionError(
                _("字段名 %(name)s 为系统保留，不能使用") % {"name": str(key)[:50]},
                code="reserved_field",
                fields={str(key)[:50]: _("字段名为系统保留")},
            )
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise ActionError(_("提交的数据中含有无法保存的值"), code="bad_data") from None
    if len(text.encode("utf-8")) > MAX_DATA_BYTES:
        raise ActionError(_("提交的数据过大"), code="data_too_large")
    if "\\u0000" in text or "\x00" in text:
        raise ActionError(_("提交的数据含有非法字符"), code="bad_data")
    return json.loads(text)


def _text(value, *, limit: int, field: str, label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ActionError(
            _("%(label)s格式不正确") % {"label": label},
            code="bad_text",
            fields={field: _("格式不正确")},
        )
    value = value.replace("\x00", "").strip()
    if len(value) > limit:
        raise ActionError(
            _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": limit},
            code="text_too_long",
            fields={field: _("不能超过 %(n)s 个字") % {"n": limit}},
        )
    return value


def _event(instance, kind, actor, *, task=None, opinion="", detail=None):
    return TaskEvent.objects.create(
        instance=instance,
        task=task,
        kind=kind,
        actor=actor,
        node_id=task.node_id if task else "",
        node_name=task.node_name if task else "",
        opinion=opinion,
        detail=detail or {},
    )


def _require_running(instance) -> None:
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


def _task_id(task) -> int:
    pk = task.pk if isinstance(task, Task) else task
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise ActionError(_("任务不存在"), code="task_missing") from None


def _locked_task(task) -> tuple[Task, ProcessInstance]:
    """The task and its instance, the instance locked; the task read after it."""
    pk = _task_id(task)
    instance = runtime.lock_instance_of_task(pk)
    if instance is None:
        raise ActionError(_("任务不存在"), code="task_missing")
    row = Task.objects.get(pk=pk)
    row.instance = instance
    return row, instance


def _finish_if_completed(session, actor) -> None:
    if session.finished:
        TaskEvent.objects.create(
            instance=session.instance,
            kind=TaskEvent.Kind.COMPLETE,
            actor=None,
            detail={"by": actor.get_username() if actor else ""},
        )


def _outcome_label(outcome: str) -> str:
    return str(Task.Outcome(outcome).label)


# --- deploying ----------------------------------------------------------------


def _merge_task_config(blueprint, root, task_config) -> None:
    """Apply the designer's per-node settings over those written in the XML."""
    if not task_config:
        return
    if not isinstance(task_config, dict):
        raise ActionError(_("环节配置格式不正确"), code="bad_task_config")
    main = blueprint.node_config.setdefault(blueprint.main_process_id, {})
    process = next(
        p
        for p in root.iter(f"{{{bpmn.BPMN_NS}}}process")
        if p.get("id") == blueprint.main_process_id
    )
    problems = []
    for node_id, attributes in task_config.items():
        current = main.get(node_id)
        if current is None or current.get("kind") != "user":
            problems.append(
                _("环节配置中的 %(id)s 不是本流程的用户任务") % {"id": node_id}
            )
            continue
        if not isinstance(attributes, dict):
            problems.append(_("环节 %(id)s 的配置格式不正确") % {"id": node_id})
            continue
        try:
            main[node_id] = bpmn.normalize_user_task(
                attributes,
                multi=current.get("multi"),
                lookups=DirectoryLookups(),
                process=process,
            )
        except bpmn.ConfigError as exc:
            problems.extend(
                _("元素 %(id)s：%(why)s") % {"id": node_id, "why": message}
                for message in exc.messages
            )
    if problems:
        raise ActionError(
            _("流程定义未通过检查：%(problems)s") % {"problems": "；".join(problems)},
            code="bpmn_refused",
            fields={"bpmn_xml": "；".join(problems)},
        )


@audited("workflow.deploy_process")
def deploy_process(
    *, actor, key: str, name: str = "", bpmn_xml, task_config=None, description=""
) -> ProcessDefinition:
    """Check a BPMN diagram and deploy it as the next version of `key`.

    Elements outside the supported subset, unsafe XML, script tasks,
    expressions outside the safe language, unknown handlers and incomplete
    handler settings are refused with every problem named (ActionError
    bpmn_refused). Running instances stay on the version they started on.
    `task_config` ({node id: {"assignment": {...}, "timeLimit": {...},
    "form": {...}, "operations": {...}, "vote": {...}}}) overrides the egov
    extension elements of those user tasks.
    """
    workflow_policy.require(actor, "deploy")
    key = (key or "").strip() if isinstance(key, str) else ""
    if not KEY_RE.fullmatch(key):
        raise ActionError(
            _("流程编码须以字母开头，只含字母、数字、下划线、点和连字符，最长64个字符"),
            code="bad_process_key",
            fields={"key": _("流程编码格式不正确")},
        )
    name = _text(name, limit=200, field="name", label=_("流程名称"))
    description = _text(description, limit=2000, field="description", label=_("说明"))

    def latest(called_key):
        return ProcessDefinition.objects.filter(key=called_key, is_latest=True).first()

    try:
        root, blueprint = bpmn.inspect(
            bpmn_xml,
            key=key,
            resolve_called=lambda k: latest(k) is not None,
            lookups=DirectoryLookups(),
        )
    except bpmn.BpmnRefused as exc:
        problems = "；".join(exc.problems)
        raise ActionError(
            _("流程定义未通过检查：%(problems)s") % {"problems": problems},
            code="bpmn_refused",
            fields={"bpmn_xml": problems},
        ) from None
    _merge_task_config(blueprint, root, task_config)
    called = {k: latest(k).pk for k in sorted(blueprint.called_keys)}
    text = bpmn_xml.decode("utf-8") if isinstance(bpmn_xml, bytes) else bpmn_xml
    candidate = ProcessDefinition(
        key=key,
        name=name or blueprint.name,
        bpmn_xml=text,
        main_process_id=blueprint.main_process_id,
        node_config=blueprint.node_config,
        node_names=blueprint.node_names,
        called_definitions=called,
    )
    try:
        runtime.build_compiled(candidate)
    except engine.EngineError as exc:
        raise ActionError(
            _("流程定义未通过检查：%(problems)s") % {"problems": exc.message},
            code="bpmn_refused",
            fields={"bpmn_xml": exc.message},
        ) from None

    previous = (
        ProcessDefinition.objects.select_for_update()
        .filter(key=key)
        .order_by("-version")
        .first()
    )
    candidate.version = previous.version + 1 if previous else 1
    candidate.checksum = sm3_hex(text.encode("utf-8"))
    candidate.description = description
    candidate.deployed_by = actor
    try:
        with transaction.atomic():
            ProcessDefinition.objects.filter(key=key, is_latest=True).update(
                is_latest=False
            )
            candidate.is_latest = True
            candidate.save()
    except IntegrityError:
        raise ActionError(
            _("该流程正在被他人部署，请稍后重试"), code="deploy_conflict"
        ) from None
    record(
        actor=actor,
        action="workflow.deploy_process",
        target=candidate,
        detail={
            "key": key,
            "version": candidate.version,
            "name": candidate.name,
            "checksum": candidate.checksum,
            "called": called,
        },
    )
    return candidate


# --- starting -----------------------------------------------------------------


@audited("workflow.start_process")
def start_process(
    *,
    actor,
    definition_key: str,
    business_key: str = "",
    subject: str,
    organization=None,
    data=None,
    next_assignees=None,
) -> ProcessInstance:
    """Start the latest version of `definition_key` for one business object.

    `data` are the case fields (and the start form's data when the start event
    names a form); they become the process variables that conditions read,
    together with `initiator` (account) and `organization` (code).
    `organization` defaults to the initiator's primary organization and gives
    the instance its data scope.
    """
    workflow_policy.require(actor, "start")
    definition = ProcessDefinition.objects.filter(
        key=str(definition_key or ""), is_latest=True
    ).first()
    if definition is None:
        raise ActionError(
            _("流程 %(key)s 不存在或尚未部署") % {"key": str(definition_key)[:64]},
            code="definition_missing",
        )
    subject = _text(subject, limit=300, field="subject", label=_("标题"))
    if not subject:
        raise ActionError(
            _("请填写标题"),
            code="subject_required",
            fields={"subject": _("请填写标题")},
        )
    business_key = _text(
        business_key, limit=100, field="business_key", label=_("业务编号")
    )
    data = _clean_data(data)
    organization = organization or actor.primary_organization
    instance = ProcessInstance.objects.create(
        definition=definition,
        business_key=business_key,
        subject=subject,
        initiator=actor,
        organization=organization,
        state=ProcessInstance.State.RUNNING,
        data=data,
    )
    start_config = next(
        (
            c
            for c in definition.node_config.get(definition.main_process_id, {}).values()
            if c.get("kind") == "start"
        ),
        None,
    )
    form = (start_config or {}).get("form")
    if form:
        data = forms.clean(
            actor=actor,
            key=form["key"],
            version=form.get("version"),
            modes=form.get("fields"),
            data=data,
            stored={},
            instance_ref=instance.pk,
            task_ref="",
        )
    session = runtime.Session(instance, actor, next_assignees=next_assignees)
    _event(instance, TaskEvent.Kind.START, actor)
    workflow = session.start(
        {
            **data,
            "initiator": actor.get_username(),
            "organization": organization.code if organization else "",
        }
    )
    session.sync(workflow)
    session.save(workflow, data=data)
    _finish_if_completed(session, actor)
    record(
        actor=actor,
        action="workflow.start_process",
        target=instance,
        detail={
            "definition": definition.key,
            "version": definition.version,
            "business_key": business_key,
            "tasks": [t.pk for t in session.created],
        },
    )
    return instance


# --- acting on tasks ----------------------------------------------------------


@audited("workflow.complete_task")
def complete_task(
    *,
    actor,
    task,
    outcome: str,
    opinion: str = "",
    data=None,
    next_assignees=None,
    idempotency_key: str | None = None,
) -> Task:
    """Approve or reject a task the actor holds, then let the process move on.

    Idempotent: when the task is already completed by the same person with
    the same outcome (and the same idempotency key, if one was given) the
    stored task is returned and nothing happens again; completed by someone
    else, or differently, is refused (task_already_completed).
    """
    row, instance, live = runtime.lock_task(_task_id(task))
    if row is None:
        raise ActionError(_("任务不存在"), code="task_missing")
    if not workflow_policy.can(actor, "view_task", row):
        workflow_policy.require(actor, "complete", row)
    key = _text(idempotency_key, limit=64, field="idempotency_key", label=_("幂等键"))
    if row.state == Task.State.COMPLETED:
        same = (
            row.completed_by_id == actor.pk
            and row.outcome == outcome
            and (not key or not row.idempotency_key or row.idempotency_key == key)
        )
        if same:
            return row
        who = row.completed_by.real_name if row.completed_by else ""
        raise ActionError(
            _("该任务已由%(who)s办理（%(outcome)s），不能重复办理")
            % {"who": who, "outcome": row.get_outcome_display()},
            code="task_already_completed",
            target=row,
        )
    _require_running(instance)
    if not row.is_open:
        raise ActionError(
            _("该任务%(state)s，不能办理") % {"state": row.get_state_display()},
            code="task_not_open",
            target=row,
        )
    workflow_policy.require(actor, "complete", row)
    if outcome not in Task.Outcome.values:
        raise ActionError(
            _("请选择同意或不同意"), code="bad_outcome", fields={"outcome": _("请选择")}
        )
    opinion = _text(opinion, limit=MAX_OPINION, field="opinion", label=_("审批意见"))
    if outcome == Task.Outcome.REJECT and not opinion:
        raise ActionError(
            _("不同意时请填写审批意见"),
            code="opinion_required",
            fields={"opinion": _("请填写审批意见")},
        )
    data = _clean_data(data)
    session = runtime.Session(instance, actor, next_assignees=next_assignees)
    config = session.compiled.config_for(row.process_id, row.node_id)
    if row.form_key:
        data = forms.clean(
            actor=actor,
            key=row.form_key,
            version=row.form_version,
            modes=(config.get("form") or {}).get("fields"),
            data=data,
            stored=instance.data,
            instance_ref=instance.pk,
            task_ref=row.pk,
        )
    # signing.takes_over, answered from the live rows already read: a row
    # that is not the node's own, or one with after-signers still to act.
    if row.kind != Task.Kind.NODE or any(
        r.parent_id == row.pk and r.kind == Task.Kind.SIGN_AFTER for r in live
    ):
        # 加签, 委派 and returned work: the engine task waits (operations/).
        return signing.complete_extra(
            session=session,
            row=row,
            actor=actor,
            outcome=outcome,
            opinion=opinion,
            data=data,
            key=key,
        )
    workflow = session.load()
    engine_task = engine.find_task(workflow, row.engine_task_id)
    if not engine.is_waiting_user_task(engine_task):
        raise ActionError(
            _("任务状态已变化，请刷新后重试"), code="task_out_of_step", target=row
        )
    session.complete(workflow, engine_task, {**data, "outcome": outcome})
    row.state = Task.State.COMPLETED
    row.completed_by = actor
    row.completed_at = session.now
    row.outcome = outcome
    row.opinion = opinion
    row.idempotency_key = key
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
    if row.is_pooled:
        # Only pooled rows have candidates (runtime.Session._insert_created).
        TaskCandidate.objects.filter(task=row).delete()
    _event(
        instance,
        TaskEvent.Kind.APPROVE
        if outcome == Task.Outcome.APPROVE
        else TaskEvent.Kind.REJECT,
        actor,
        task=row,
        opinion=opinion,
    )
    live = session.sync(workflow, live=[r for r in live if r.pk != row.pk])
    session.save(workflow, data={**instance.data, **data}, live=live)
    _finish_if_completed(session, actor)
    record(
        actor=actor,
        action="workflow.complete_task",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "outcome": outcome,
            "opinion": opinion[:200],
            "next_tasks": [t.pk for t in session.created],
            "cancelled_tasks": [t.pk for t in session.cancelled],
            "instance_state": instance.state,
        },
    )
    return row


@audited("workflow.claim_task")
def claim_task(*, actor, task) -> Task:
    """抢办: take a pooled task; the first candidate to claim it holds it.

    A delegate who may claim it only through someone's standing delegation
    (委托) holds it on that person's behalf: `delegated_from` names them (the
    earliest such delegation when several qualify, see
    permissions.acting_for), and the timeline and audit entry say so.
    """
    row, instance = _locked_task(task)
    if row.assignee_id == actor.pk and row.state == Task.State.CLAIMED:
        return row
    workflow_policy.require(actor, "claim", row)
    _require_running(instance)
    if row.state != Task.State.OPEN or row.assignee_id is not None:
        who = row.assignee.real_name if row.assignee_id else ""
        if row.state == Task.State.CLAIMED:
            message = _("该任务已被%(who)s签收") % {"who": who}
        else:
            message = _("该任务%(state)s，不能签收") % {
                "state": row.get_state_display()
            }
        raise ActionError(message, code="task_not_claimable", target=row)
    row.assignee = actor
    row.delegated_from_id = acting_for(actor, row)
    row.state = Task.State.CLAIMED
    row.claimed_at = timezone.now()
    row.save(update_fields=["assignee", "delegated_from", "state", "claimed_at"])
    on_behalf = row.delegated_from.username if row.delegated_from_id else ""
    _event(
        instance,
        TaskEvent.Kind.CLAIM,
        actor,
        task=row,
        detail={"delegated_from": on_behalf} if on_behalf else None,
    )
    record(
        actor=actor,
        action="workflow.claim_task",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "delegated_from": on_behalf,
        },
    )
    return row


@audited("workflow.release_task")
def release_task(*, actor, task) -> Task:
    """Put a claimed pooled task back in the pool for the other candidates."""
    row, instance = _locked_task(task)
    workflow_policy.require(actor, "release", row)
    _require_running(instance)
    if row.state != Task.State.CLAIMED:
        raise ActionError(
            _("只有已签收的任务可以退回任务池"), code="task_not_claimed", target=row
        )
    row.assignee = None
    row.delegated_from = None
    row.state = Task.State.OPEN
    row.claimed_at = None
    row.save(update_fields=["assignee", "delegated_from", "state", "claimed_at"])
    _event(instance, TaskEvent.Kind.RELEASE, actor, task=row)
    record(
        actor=actor,
        action="workflow.release_task",
        target=row,
        detail={"instance": instance.pk, "node": row.node_id},
    )
    return row


@audited("workflow.open_task")
def open_task(*, actor, task) -> Task:
    """Note the first time a handler opens a task (撤回 needs "nobody opened it")."""
    row = Task.objects.select_related("instance").get(pk=_task_id(task))
    if row.opened_at is not None or not row.is_open:
        return row
    if not workflow_policy.can(actor, "open", row):
        return row
    opened = Task.objects.filter(pk=row.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    row.refresh_from_db(fields=["opened_at"])
    if opened:
        record(
            actor=actor,
            action="workflow.open_task",
            target=row,
            detail={"instance": row.instance_id, "node": row.node_id},
        )
    return row


# --- acting on instances ------------------------------------------------------


def _reason(reason, *, required: bool) -> str:
    reason = _text(reason, limit=MAX_REASON, field="reason", label=_("原因"))
    if required and not reason:
        raise ActionError(
            _("请填写原因"), code="reason_required", fields={"reason": _("请填写原因")}
        )
    return reason


def _locked_instance(instance) -> ProcessInstance:
    pk = instance.pk if isinstance(instance, ProcessInstance) else instance
    try:
        return runtime.lock_instance(int(pk))
    except (ProcessInstance.DoesNotExist, TypeError, ValueError):
        raise ActionError(_("流程实例不存在"), code="instance_missing") from None


@audited("workflow.suspend_instance")
def suspend_instance(*, actor, instance, reason: str = "") -> ProcessInstance:
    """挂起: no operation is possible until resumed, and the clock stops."""
    instance = _locked_instance(instance)
    workflow_policy.require(actor, "suspend", instance)
    reason = _reason(reason, required=True)
    if instance.state != ProcessInstance.State.RUNNING:
        raise ActionError(
            _("只有运行中的流程可以挂起"), code="instance_not_running", target=instance
        )
    now = timezone.now()
    clocks.start_clock_stop(
        subject=deadlines.clock_subject(instance),
        kind=ClockStop.Kind.SUSPENSION,
        reason=reason,
        actor=actor,
        at=now,
    )
    instance.state = ProcessInstance.State.SUSPENDED
    instance.suspended_at = now
    instance.save(update_fields=["state", "suspended_at"])
    _event(instance, TaskEvent.Kind.SUSPEND, actor, opinion=reason)
    record(
        actor=actor,
        action="workflow.suspend_instance",
        target=instance,
        detail={"reason": reason},
    )
    return instance


@audited("workflow.resume_instance")
def resume_instance(*, actor, instance, reason: str = "") -> ProcessInstance:
    """恢复: the instance runs again; open tasks' due times move by the pause."""
    instance = _locked_instance(instance)
    workflow_policy.require(actor, "resume", instance)
    reason = _reason(reason, required=False)
    if instance.state != ProcessInstance.State.SUSPENDED:
        raise ActionError(
            _("只有已挂起的流程可以恢复"),
            code="instance_not_suspended",
            target=instance,
        )
    clocks.end_clock_stop(subject=deadlines.clock_subject(instance), actor=actor)
    instance.state = ProcessInstance.State.RUNNING
    instance.suspended_at = None
    instance.save(update_fields=["state", "suspended_at"])
    deadlines.recompute(instance.tasks.filter(state__in=Task.OPEN_STATES), instance)
    _event(instance, TaskEvent.Kind.RESUME, actor, opinion=reason)
    record(
        actor=actor,
        action="workflow.resume_instance",
        target=instance,
        detail={"reason": reason},
    )
    return instance


def _end_instance(instance, actor, state, kind, reason) -> None:
    session = runtime.Session(instance, actor)
    workflow = session.load()
    engine.cancel(workflow)
    open_rows = list(instance.tasks.filter(state__in=Task.LIVE_STATES))
    if open_rows:
        session.close_tasks(open_rows, Task.State.CANCELLED)
    if instance.state == ProcessInstance.State.SUSPENDED:
        clocks.end_clock_stop(subject=deadlines.clock_subject(instance), actor=actor)
    session.save(workflow, state=state)
    _event(instance, kind, actor, opinion=reason, detail={"cancelled": len(open_rows)})
    return open_rows


@audited("workflow.cancel_instance")
def cancel_instance(*, actor, instance, reason: str = "") -> ProcessInstance:
    """撤销: the initiator withdraws the whole request; open tasks are cancelled."""
    instance = _locked_instance(instance)
    workflow_policy.require(actor, "cancel", instance)
    reason = _reason(reason, required=False)
    closed = _cancel(instance, actor, reason)
    record(
        actor=actor,
        action="workflow.cancel_instance",
        target=instance,
        detail={"reason": reason, "cancelled_tasks": [t.pk for t in closed]},
    )
    return instance


def _cancel(instance, actor, reason: str) -> list:
    """End a locked, running instance as cancelled (撤销); its open tasks
    are closed and returned."""
    if not instance.is_active:
        raise ActionError(
            _("流程%(state)s，不能撤销") % {"state": instance.get_state_display()},
            code="instance_finished",
            target=instance,
        )
    return _end_instance(
        instance, actor, ProcessInstance.State.CANCELLED, TaskEvent.Kind.CANCEL, reason
    )


@audited("workflow.cancel_for_business")
def cancel_for_business(*, actor, instance, reason: str) -> ProcessInstance:
    """撤销 on behalf of the owner of the business object the process serves,
    e.g. a service hall applicant withdrawing an accepted case whose process a
    clerk started. The calling domain action has already decided, with its own
    policy, that `actor` may withdraw that object; the process then ends as
    cancelled, exactly as the initiator's 撤销 would end it."""
    instance = _locked_instance(instance)
    reason = _reason(reason, required=True)
    closed = _cancel(instance, actor, reason)
    record(
        actor=actor,
        action="workflow.cancel_for_business",
        target=instance,
        detail={
            "business_key": instance.business_key,
            "reason": reason,
            "cancelled_tasks": [t.pk for t in closed],
        },
    )
    return instance


@audited("workflow.terminate_instance")
def terminate_instance(*, actor, instance, reason: str) -> ProcessInstance:
    """终止: a process administrator ends the instance, with a reason."""
    instance = _locked_instance(instance)
    workflow_policy.require(actor, "terminate", instance)
    reason = _reason(reason, required=True)
    if not instance.is_active:
        raise ActionError(
            _("流程%(state)s，不能终止") % {"state": instance.get_state_display()},
            code="instance_finished",
            target=instance,
        )
    closed = _end_instance(
        instance,
        actor,
        ProcessInstance.State.TERMINATED,
        TaskEvent.Kind.TERMINATE,
        reason,
    )
    record(
        actor=actor,
        action="workflow.terminate_instance",
        target=instance,
        detail={"reason": reason, "cancelled_tasks": [t.pk for t in closed]},
    )
    return instance


# --- outside input: messages and timers ---------------------------------------


@audited("workflow.send_message")
def send_message(
    *, actor=None, instance, message: str, payload=None
) -> ProcessInstance:
    """Deliver a message to an instance waiting for it (message catch events).

    Domains call this with actor=None when their own action already decided
    (e.g. an applicant's correction arrived); people need DISPATCH.
    """
    instance = _locked_instance(instance)
    if actor is not None:
        workflow_policy.require(actor, "dispatch", instance)
    _require_running(instance)
    message = _text(message, limit=200, field="message", label=_("消息名称"))
    payload = _clean_data(payload)
    session = runtime.Session(instance, actor)
    workflow = session.load()
    if not session.deliver_message(workflow, message, payload):
        raise ActionError(
            _("流程当前没有等待消息 %(name)s") % {"name": message},
            code="message_not_awaited",
            target=instance,
        )
    session.sync(workflow)
    session.save(workflow, data={**instance.data, **payload})
    _event(instance, TaskEvent.Kind.MESSAGE, actor, detail={"message": message})
    _finish_if_completed(session, actor)
    record(
        actor=actor,
        action="workflow.send_message",
        target=instance,
        detail={"message": message, "next_tasks": [t.pk for t in session.created]},
    )
    return instance


@audited("workflow.fire_timers")
def fire_timers(*, actor=None, instance) -> ProcessInstance:
    """Fire the due timers of one running instance (called by the sweep)."""
    instance = _locked_instance(instance)
    if instance.state != ProcessInstance.State.RUNNING:
        return instance
    session = runtime.Session(instance, actor)
    workflow = session.load()
    session.refresh_timers(workflow)
    session.sync(workflow)
    session.save(workflow)
    if session.created or session.cancelled or session.finished:
        _event(
            instance,
            TaskEvent.Kind.TIMER,
            None,
            detail={"cancelled": [t.node_name for t in session.cancelled]},
        )
        _finish_if_completed(session, actor)
        record(
            actor=actor,
            action="workflow.fire_timers",
            target=instance,
            detail={
                "next_tasks": [t.pk for t in session.created],
                "cancelled_tasks": [t.pk for t in session.cancelled],
            },
        )
    return instance


def sweep_timers(*, now=None, limit: int = 500) -> int:
    """Fire due timers of running instances; returns how many were looked at.

    Run by `egov workflow_timers` from cron or the task worker. Each instance
    goes in its own transaction, so one failing instance does not stop the
    others (its refusal is in the audit log).
    """
    now = now or timezone.now()
    due = list(
        ProcessInstance.objects.filter(
            state=ProcessInstance.State.RUNNING, next_timer_at__lte=now
        )
        .order_by("next_timer_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        try:
            fire_timers(instance=pk)
        except ActionError:
            continue
    return len(due)


# --- common phrases (常用意见) -------------------------------------------------------

MAX_OWN_PHRASES = 50


@audited("workflow.add_phrase")
def add_phrase(*, actor, text: str, shared: bool = False) -> CommonPhrase:
    """Add a common phrase: the actor's own, or (with permission) system-wide."""
    workflow_policy.require(actor, "add_shared_phrase" if shared else "start")
    text = _text(text, limit=200, field="text", label=_("常用意见"))
    if not text:
        raise ActionError(
            _("请填写常用意见"), code="phrase_required", fields={"text": _("请填写")}
        )
    owner = None if shared else actor
    same = CommonPhrase.objects.filter(owner=owner, text=text)
    if same.exists():
        raise ActionError(
            _("该常用意见已存在"), code="phrase_exists", fields={"text": _("已存在")}
        )
    if owner is not None and (
        CommonPhrase.objects.filter(owner=owner).count() >= MAX_OWN_PHRASES
    ):
        raise ActionError(
            _("个人常用意见最多 %(n)s 条，请先删除不用的") % {"n": MAX_OWN_PHRASES},
            code="too_many_phrases",
        )
    last = (
        CommonPhrase.objects.filter(owner=owner)
        .order_by("-sort_order")
        .values_list("sort_order", flat=True)
        .first()
    )
    phrase = CommonPhrase.objects.create(
        owner=owner, text=text, sort_order=(last or 0) + 1
    )
    record(
        actor=actor,
        action="workflow.add_phrase",
        target=phrase,
        detail={"text": text, "shared": shared},
    )
    return phrase


@audited("workflow.delete_phrase")
def delete_phrase(*, actor, phrase) -> None:
    """Remove one's own phrase, or a system-wide one with permission."""
    pk = phrase.pk if isinstance(phrase, CommonPhrase) else phrase
    found = CommonPhrase.objects.filter(pk=pk).first()
    if found is None:
        raise ActionError(_("常用意见不存在"), code="phrase_missing")
    workflow_policy.require(actor, "delete_phrase", found)
    detail = {"text": found.text, "shared": found.owner_id is None}
    found.delete()
    record(actor=actor, action="workflow.delete_phrase", detail=detail)
