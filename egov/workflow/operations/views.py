"""Pages and form posts of the approval operations (mounted under
staff/workflow/ops/, namespace "workflow_ops").

Each post parses its form, calls one action and goes back to the page it
came from with a message; a task or copy the viewer may not see is a 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from egov.core.errors import ActionError
from egov.workflow import queries as workflow_queries
from egov.workflow.operations import (
    copying,
    dispatching,
    handover,
    notify,
    returning,
    signing,
    urging,
    withdrawing,
)
from egov.workflow.operations import queries as ops_queries

PAGE_SIZE = 20
TEXT = forms.Textarea(attrs={"rows": 2, "class": "form-control"})


def _people(value) -> list[str]:
    """Accounts from a picker: repeated fields and/or comma-separated text."""
    found = []
    for item in value:
        for part in str(item).replace("，", ",").replace("、", ",").split(","):
            if part.strip():
                found.append(part.strip())
    return found


class ReturnForm(forms.Form):
    to = forms.CharField(max_length=255)
    mode = forms.ChoiceField(
        choices=[
            (returning.RERUN, gettext_lazy("重新办理")),
            (returning.BACK, gettext_lazy("原路返回")),
        ]
    )
    opinion = forms.CharField(required=False, max_length=2000, widget=TEXT)


class HandOverForm(forms.Form):
    to = forms.CharField(max_length=150)
    opinion = forms.CharField(required=False, max_length=2000, widget=TEXT)


class SignerForm(forms.Form):
    position = forms.ChoiceField(
        choices=[
            (signing.BEFORE, gettext_lazy("前加签")),
            (signing.AFTER, gettext_lazy("后加签")),
        ]
    )
    opinion = forms.CharField(required=False, max_length=2000, widget=TEXT)


class OpinionForm(forms.Form):
    opinion = forms.CharField(required=False, max_length=2000, widget=TEXT)


class UrgeForm(forms.Form):
    message = forms.CharField(required=False, max_length=200, widget=TEXT)
    urgent = forms.BooleanField(required=False)


class CcForm(forms.Form):
    note = forms.CharField(required=False, max_length=200, widget=TEXT)


class ReasonForm(forms.Form):
    to = forms.CharField(required=False, max_length=150)
    node = forms.CharField(required=False, max_length=255)
    reason = forms.CharField(required=False, max_length=500, widget=TEXT)


def _back(request, task_pk):
    return redirect("workflow:task_detail", pk=task_pk)


def _form_error(request, form) -> None:
    first = next(iter(form.errors.values()))[0] if form.errors else ""
    messages.error(request, _("提交的内容不正确：%(why)s") % {"why": first})


def _run(request, call, *, done: str, back, after=None):
    """Call one action; a refusal becomes the message on the page it came from."""
    try:
        result = call()
    except ActionError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, done)
    return after(result) if after else back


@login_required
@require_POST
def task_return(request, pk):
    task = workflow_queries.get_task_for(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(request, task.pk)
    data = form.cleaned_data
    return _run(
        request,
        lambda: returning.return_task(
            actor=request.user,
            task=task,
            to=data["to"],
            mode=data["mode"],
            opinion=data["opinion"],
        ),
        done=_("已退回"),
        back=_back(request, task.pk),
        after=lambda _row: redirect("workflow:todo"),
    )


def _hand_over(request, pk, action, done):
    task = workflow_queries.get_task_for(request.user, pk)
    form = HandOverForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(request, task.pk)
    return _run(
        request,
        lambda: action(
            actor=request.user,
            task=task,
            to=form.cleaned_data["to"].strip(),
            opinion=form.cleaned_data["opinion"],
        ),
        done=done,
        back=_back(request, task.pk),
        after=lambda _row: redirect("workflow:todo"),
    )


@login_required
@require_POST
def task_transfer(request, pk):
    return _hand_over(request, pk, handover.transfer_task, _("已转办"))


@login_required
@require_POST
def task_delegate(request, pk):
    return _hand_over(
        request, pk, handover.delegate_task, _("已委派，办理后将交回给您")
    )


@login_required
@require_POST
def task_add_signers(request, pk):
    task = workflow_queries.get_task_for(request.user, pk)
    form = SignerForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(request, task.pk)
    return _run(
        request,
        lambda: signing.add_signers(
            actor=request.user,
            task=task,
            users=_people(request.POST.getlist("users")),
            position=form.cleaned_data["position"],
            opinion=form.cleaned_data["opinion"],
        ),
        done=_("已加签"),
        back=_back(request, task.pk),
    )


@login_required
@require_POST
def task_remove_signer(request, pk, signer_pk):
    task = workflow_queries.get_task_for(request.user, pk)
    form = OpinionForm(request.POST)
    opinion = form.cleaned_data["opinion"] if form.is_valid() else ""
    signer = task.extra_tasks.filter(pk=signer_pk).first()
    if signer is None:
        messages.error(request, _("该加签人不存在"))
        return _back(request, task.pk)
    return _run(
        request,
        lambda: signing.remove_signer(actor=request.user, task=signer, opinion=opinion),
        done=_("已减签"),
        back=_back(request, task.pk),
    )


@login_required
@require_POST
def task_withdraw(request, pk):
    task = workflow_queries.get_task_for(request.user, pk)
    form = OpinionForm(request.POST)
    opinion = form.cleaned_data["opinion"] if form.is_valid() else ""
    return _run(
        request,
        lambda: withdrawing.withdraw_task(
            actor=request.user, task=task, opinion=opinion
        ),
        done=_("已撤回，请重新办理"),
        back=_back(request, task.pk),
        after=lambda mine: _back(request, mine.pk),
    )


@login_required
@require_POST
def task_urge(request, pk):
    task = workflow_queries.get_task_for(request.user, pk)
    form = UrgeForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back_to(request, task)
    return _run(
        request,
        lambda: urging.urge_task(
            actor=request.user,
            task=task,
            message=form.cleaned_data["message"],
            urgent=form.cleaned_data["urgent"],
        ),
        done=_("已催办"),
        back=_back_to(request, task),
    )


def _back_to(request, task):
    """Urging is done from the task page or the instance page: go back there."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("workflow:instance_detail", pk=task.instance_id)


@login_required
@require_POST
def task_cc(request, pk):
    task = workflow_queries.get_task_for(request.user, pk)
    form = CcForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(request, task.pk)
    return _run(
        request,
        lambda: copying.cc_instance(
            actor=request.user,
            task=task,
            users=_people(request.POST.getlist("users")),
            posts=_people(request.POST.getlist("posts")),
            note=form.cleaned_data["note"],
        ),
        done=_("已抄送"),
        back=_back(request, task.pk),
    )


@login_required
@require_POST
def task_reassign(request, pk):
    task = workflow_queries.get_task_for(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back_to(request, task)
    return _run(
        request,
        lambda: dispatching.reassign_task(
            actor=request.user,
            task=task,
            to=form.cleaned_data["to"].strip(),
            reason=form.cleaned_data["reason"],
        ),
        done=_("已改派"),
        back=_back_to(request, task),
    )


@login_required
@require_POST
def instance_dispatch(request, pk):
    instance = workflow_queries.get_instance_for(request.user, pk)
    form = ReasonForm(request.POST)
    back = redirect("workflow:instance_detail", pk=instance.pk)
    if not form.is_valid():
        _form_error(request, form)
        return back
    return _run(
        request,
        lambda: dispatching.dispatch_instance(
            actor=request.user,
            instance=instance,
            node=form.cleaned_data["node"],
            reason=form.cleaned_data["reason"],
        ),
        done=_("已调度"),
        back=back,
    )


@login_required
@require_POST
def cc_read(request, pk):
    copy = ops_queries.get_cc_for(request.user, pk)
    copying.read_cc(actor=request.user, cc=copy)
    messages.success(request, _("已标记为已读"))
    return redirect("workflow:instance_detail", pk=copy.instance_id)


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    rows = ops_queries.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workflow/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": ops_queries.unread_count(request.user),
        },
    )


@login_required
@require_POST
def notification_open(request, pk):
    """Mark a message read and follow its link."""
    row = ops_queries.get_notification_for(request.user, pk)
    notify.read_notification(actor=request.user, notification=row)
    if row.url and url_has_allowed_host_and_scheme(
        row.url, allowed_hosts={request.get_host()}
    ):
        return redirect(row.url)
    return redirect("workflow_ops:notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = notify.read_all_notifications(actor=request.user)
    messages.success(request, _("已将 %(n)s 条消息标记为已读") % {"n": count})
    return redirect("workflow_ops:notifications")


@login_required
@require_GET
def people_search(request):
    """{"people": [{"username", "name", "organization"}]} for the pickers."""
    rows = ops_queries.people_matching(request.user, request.GET.get("q", ""))
    return JsonResponse(
        {
            "people": [
                {
                    "username": u.username,
                    "name": u.real_name,
                    "organization": (
                        u.primary_organization.name if u.primary_organization else ""
                    ),
                }
                for u in rows
            ]
        }
    )


@login_required
@require_GET
def post_search(request):
    """{"posts": [{"ref", "name"}]} for the cc picker."""
    rows = ops_queries.posts_matching(request.user, request.GET.get("q", ""))
    return JsonResponse(
        {
            "posts": [
                {"ref": f"{p.organization.code}/{p.code}", "name": str(p)} for p in rows
            ]
        }
    )
