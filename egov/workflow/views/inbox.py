"""The internal face's workflow pages: the four lists, the task page, the
instance page, starting a process and the administrators' process list.

Views parse input, call one action or query, and render; refusals become a
message on the page they came from (or a JSON body for the form widget).
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.core import jsonin
from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import actions, forms, queries
from egov.workflow.models import ProcessDefinition, ProcessInstance
from egov.workflow.permissions import workflow_policy
from egov.workflow.views.filters import (
    DecisionForm,
    InboxFilterForm,
    ReasonForm,
    StartForm,
)

T = "workflow/"
PAGE_SIZE = 20
VIEWER_SCRIPT = "build/process-viewer.js"
VIEWER_STYLE = "build/process-viewer.css"


def _filters(request, *, with_light=False, with_state=False):
    form = InboxFilterForm(request.GET or None, processes=queries.process_choices())
    data = form.cleaned_data if form.is_valid() else {}
    values = {"q": data.get("q", ""), "process": data.get("process", "")}
    if with_light:
        values["light"] = data.get("light", "")
    if with_state:
        values["state"] = data.get("state", "")
    return form, values


def _page(request, rows):
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _list(request, template, rows, form, tab, *, lights=False):
    page, query = _page(request, rows)
    if lights:
        queries.with_lights(page.object_list)
    return render(
        request,
        T + template,
        {
            "page": page,
            "query": query,
            "filters": form,
            "tab": tab,
            "counts": queries.counts(request.user),
        },
    )


@login_required
@require_GET
def todo(request):
    form, values = _filters(request, with_light=True)
    rows = queries.todo_for(request.user, **values)
    return _list(request, "todo.html", rows, form, "todo", lights=True)


@login_required
@require_GET
def done(request):
    form, values = _filters(request)
    rows = queries.done_for(request.user, **values)
    return _list(request, "done.html", rows, form, "done")


@login_required
@require_GET
def started(request):
    form, values = _filters(request, with_state=True)
    rows = queries.started_by(request.user, **values)
    return _list(request, "started.html", rows, form, "started")


@login_required
@require_GET
def cc(request):
    form, values = _filters(request)
    rows = queries.cc_to(request.user, **values)
    return _list(request, "cc.html", rows, form, "cc")


# --- one task ------------------------------------------------------------------


def _diagram_assets() -> dict:
    return {
        "viewer_script": VIEWER_SCRIPT if finders.find(VIEWER_SCRIPT) else "",
        "viewer_style": VIEWER_STYLE if finders.find(VIEWER_STYLE) else "",
    }


@login_required
@require_GET
def task_detail(request, pk):
    task = queries.get_task_for(request.user, pk)
    instance = task.instance
    if task.assignee_id == request.user.pk or task.assignee_id is None:
        task = actions.open_task(actor=request.user, task=task)
        task = queries.get_task_for(request.user, pk)
    buttons = queries.buttons_for(request.user, task)
    queries.with_lights([task])
    show_form = bool(task.form_key) and forms.widget_available()
    context = {
        "task": task,
        "instance": instance,
        "buttons": buttons,
        "timeline": queries.timeline(instance),
        "current": queries.open_tasks(instance),
        "phrases": queries.phrases_for(request.user) if buttons.complete else [],
        "choices": queries.next_choices(task) if buttons.complete else [],
        "show_form": show_form,
        "data_rows": [] if show_form else queries.visible_data(task, instance),
        "decision": DecisionForm(initial={"idempotency_key": uuid.uuid4().hex}),
        **_diagram_assets(),
    }
    if show_form and buttons.complete:
        context["decision_html"] = render_to_string(
            T + "_decision.html", {**context, "widget": True}, request
        )
    return render(request, T + "task_detail.html", context)


def _opinion(request, data: dict) -> str:
    opinion = (data.get("opinion") or "").strip()
    phrase = data.get("phrase")
    if opinion or not phrase:
        return opinion
    allowed = {p.pk: p.text for p in queries.phrases_for(request.user)}
    return allowed.get(phrase, "")


def _next_assignees(values) -> list:
    return [v for v in values if str(v).strip()] or None


@login_required
@require_POST
def task_complete(request, pk):
    task = queries.get_task_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意，意见不超过 2000 字"))
        return redirect("workflow:task_detail", pk=task.pk)
    data = form.cleaned_data
    try:
        actions.complete_task(
            actor=request.user,
            task=task,
            outcome=data["outcome"],
            opinion=_opinion(request, data),
            next_assignees=_next_assignees(request.POST.getlist("next_assignees")),
            idempotency_key=data.get("idempotency_key") or None,
        )
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("workflow:task_detail", pk=task.pk)
    outcome = dict(form.fields["outcome"].choices)[data["outcome"]]
    messages.success(
        request,
        _("已办理：%(node)s（%(outcome)s）")
        % {"node": task.node_name, "outcome": outcome},
    )
    return redirect("workflow:todo")


MAX_JSON_BYTES = 512 * 1024


def _json_body(request) -> dict:
    return jsonin.parse_json_body(
        request,
        max_bytes=MAX_JSON_BYTES,
        empty={},
        messages={
            jsonin.TOO_LARGE: _("提交的数据过大"),
            jsonin.INVALID: _("提交的数据不是有效的 JSON"),
            jsonin.NOT_OBJECT: _("提交的数据格式不正确"),
        },
    )


def _error_json(exc: ActionError, status=400) -> JsonResponse:
    errors = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.fields.items()}
    return JsonResponse(
        {"message": str(exc.message), "code": exc.code, "errors": errors},
        status=exc.status if isinstance(exc, PermissionDenied) else status,
    )


@login_required
@require_POST
def task_submit(request, pk):
    """The form widget's submit: {"data", "action", "opinion", ...} as JSON."""
    task = queries.get_task_for(request.user, pk)
    try:
        body = _json_body(request)
        phrase = str(body.get("phrase") or "")
        opinion = body.get("opinion")
        actions.complete_task(
            actor=request.user,
            task=task,
            outcome=body.get("action") or body.get("outcome") or "",
            opinion=_opinion(
                request,
                {
                    "opinion": opinion if isinstance(opinion, str) else "",
                    "phrase": int(phrase) if phrase.isdigit() else None,
                },
            ),
            data=body.get("data") or {},
            next_assignees=_next_assignees(_as_list(body.get("next_assignees"))),
            idempotency_key=body.get("idempotency_key") or None,
        )
    except ActionError as exc:
        return _error_json(exc)
    messages.success(request, _("已办理：%(node)s") % {"node": task.node_name})
    return JsonResponse({"redirect": reverse("workflow:todo")})


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


@login_required
@require_GET
def task_form(request, pk):
    """{"schema", "data"} for the form widget of a task page."""
    task = queries.get_task_for(request.user, pk)
    if not task.form_key or not forms.available():
        raise Http404
    modes = (queries.node_config(task).get("form") or {}).get("fields", {})
    try:
        view = forms.task_view(task, task.instance, modes)
    except ActionError as exc:
        return _error_json(exc)
    return JsonResponse(view)


@login_required
@require_POST
def task_claim(request, pk):
    task = queries.get_task_for(request.user, pk)
    try:
        actions.claim_task(actor=request.user, task=task)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已签收，请办理"))
    return redirect("workflow:task_detail", pk=task.pk)


@login_required
@require_POST
def task_release(request, pk):
    task = queries.get_task_for(request.user, pk)
    try:
        actions.release_task(actor=request.user, task=task)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("workflow:task_detail", pk=task.pk)
    messages.success(request, _("已退回任务池"))
    return redirect("workflow:todo")


# --- one instance ------------------------------------------------------------------

INSTANCE_OPERATIONS = {
    "suspend": (actions.suspend_instance, _("流程已挂起")),
    "resume": (actions.resume_instance, _("流程已恢复")),
    "cancel": (actions.cancel_instance, _("流程已撤销")),
    "terminate": (actions.terminate_instance, _("流程已终止")),
}


def _instance_buttons(user, instance) -> dict:
    state = instance.state
    running = state == ProcessInstance.State.RUNNING
    active = instance.is_active
    return {
        "suspend": running and workflow_policy.can(user, "suspend", instance),
        "resume": state == ProcessInstance.State.SUSPENDED
        and workflow_policy.can(user, "resume", instance),
        "cancel": active and workflow_policy.can(user, "cancel", instance),
        "terminate": active and workflow_policy.can(user, "terminate", instance),
    }


@login_required
@require_GET
def instance_detail(request, pk):
    instance = queries.get_instance_for(request.user, pk)
    return render(
        request,
        T + "instance_detail.html",
        {
            "instance": instance,
            "timeline": queries.timeline(instance),
            "current": queries.open_tasks(instance),
            "data_rows": sorted(instance.data.items()),
            "operations": _instance_buttons(request.user, instance),
            "reason_form": ReasonForm(),
            **_diagram_assets(),
        },
    )


@login_required
@require_POST
def instance_action(request, pk, operation):
    instance = queries.get_instance_for(request.user, pk)
    if operation not in INSTANCE_OPERATIONS:
        raise Http404
    action, done_message = INSTANCE_OPERATIONS[operation]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else None
    if reason is None:
        messages.error(request, _("原因不能超过 500 字"))
        return redirect("workflow:instance_detail", pk=instance.pk)
    try:
        action(actor=request.user, instance=instance, reason=reason)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message)
    return redirect("workflow:instance_detail", pk=instance.pk)


@login_required
@require_GET
def instance_diagram(request, pk):
    """The BPMN XML with the current and completed node ids, for the viewer."""
    return JsonResponse(queries.diagram_for(request.user, pk))


# --- starting, and the administrators' list ------------------------------------------


@login_required
def start(request):
    definitions = queries.startable_definitions(request.user)
    chosen = request.POST.get("definition") or request.GET.get("definition") or ""
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instance = actions.start_process(
                actor=request.user,
                definition_key=chosen,
                subject=form.cleaned_data["subject"],
                business_key=form.cleaned_data["business_key"],
            )
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("已发起：%(subject)s") % {"subject": instance.subject}
            )
            return redirect("workflow:instance_detail", pk=instance.pk)
    return render(
        request,
        T + "start.html",
        {"definitions": definitions, "chosen": chosen, "form": form},
    )


@login_required
@require_GET
def definition_list(request):
    if not workflow_policy.can(request.user, "view_definitions"):
        raise Http404
    return render(
        request,
        T + "definition_list.html",
        {"entries": queries.definitions_for(request.user)},
    )


@login_required
@require_GET
def definition_diagram(request, pk):
    """The XML of one deployed version, for the viewer on the admin list."""
    if not workflow_policy.can(request.user, "view_definitions"):
        raise Http404
    definition = ProcessDefinition.objects.filter(pk=pk).first()
    if definition is None:
        raise Http404
    return JsonResponse({"xml": definition.bpmn_xml, "active": [], "completed": []})


# --- common phrases -------------------------------------------------------------------


@login_required
def phrases(request):
    """常用意见: the viewer's own phrases and the system-wide ones."""
    if request.method == "POST":
        shared = request.POST.get("shared") == "1"
        try:
            actions.add_phrase(
                actor=request.user, text=request.POST.get("text", ""), shared=shared
            )
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已添加常用意见"))
        return redirect("workflow:phrases")
    rows = queries.phrases_for(request.user)
    return render(
        request,
        T + "phrases.html",
        {
            "own": [p for p in rows if p.owner_id == request.user.pk],
            "shared": [p for p in rows if p.owner_id is None],
            "can_share": workflow_policy.can(request.user, "add_shared_phrase"),
        },
    )


@login_required
@require_POST
def phrase_delete(request, pk):
    try:
        actions.delete_phrase(actor=request.user, phrase=pk)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除常用意见"))
    return redirect("workflow:phrases")
