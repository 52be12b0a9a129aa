"""我的委托: the page where staff give, see and end standing delegations.

Thin: the form parses the fields, egov.workflow.operations.delegation decides.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.core.errors import ActionError
from egov.workflow.operations import delegation

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class DelegationForm(forms.Form):
    to = forms.CharField(label=gettext_lazy("受托人"), max_length=150)
    start_at = forms.DateTimeField(
        label=gettext_lazy("开始时间"), input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"]
    )
    end_at = forms.DateTimeField(
        label=gettext_lazy("结束时间"), input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"]
    )
    process_keys = forms.MultipleChoiceField(
        label=gettext_lazy("适用流程"), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("委托事由"), required=False, max_length=200
    )

    def __init__(self, *args, processes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process_keys"].choices = list(processes)


def _initial():
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {
        "start_at": now.strftime(LOCAL_INPUT),
        "end_at": (now + timedelta(days=7)).strftime(LOCAL_INPUT),
    }


def _page(request, form, status=200):
    lists = delegation.delegations_for(request.user)
    return render(
        request,
        "workflow/delegation_list.html",
        {
            "form": form,
            "given": lists.given,
            "received": lists.received,
            "processes": form.fields["process_keys"].choices,
            "chosen": form["process_keys"].value() or [],
            "values": form.data if form.is_bound else form.initial,
        },
        status=status,
    )


@login_required
def delegations(request):
    """我的委托: given and received delegations, and the form to give one."""
    if not delegation.may_delegate(request.user):
        raise Http404
    processes = delegation.process_choices()
    if request.method != "POST":
        return _page(request, DelegationForm(initial=_initial(), processes=processes))
    form = DelegationForm(request.POST, processes=processes)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容"))
        return _page(request, form, status=400)
    try:
        row = delegation.create_delegation(actor=request.user, **form.cleaned_data)
    except ActionError as exc:
        for name, message in exc.fields.items():
            if name in form.fields:
                form.add_error(name, message)
        messages.error(request, exc.message)
        return _page(request, form, status=400)
    messages.success(request, _("已委托给%(who)s") % {"who": row.to_user})
    return redirect("workflow:delegations")


@login_required
@require_POST
def delegation_end(request, pk):
    row = delegation.get_delegation_for(request.user, pk)
    try:
        row = delegation.end_delegation(actor=request.user, delegation=row)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        if delegation.status_of(row) == delegation.CANCELLED:
            messages.success(request, _("已取消委托"))
        else:
            messages.success(request, _("已结束委托"))
    return redirect("workflow:delegations")
