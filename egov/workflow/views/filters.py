"""Forms of the workflow pages: list filters, the task decision, instance reasons."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.workflow import deadlines
from egov.workflow.models import ProcessInstance, Task


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("标题或业务编号"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    process = forms.ChoiceField(
        label=_("流程"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    light = forms.ChoiceField(
        label=_("时限"),
        required=False,
        choices=[("", _("全部"))]
        + [(key, label) for key, (label, _badge) in deadlines.LIGHTS.items()],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部"))] + list(ProcessInstance.State.choices),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, processes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].choices = [("", _("全部"))] + list(processes)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办理结果"), choices=Task.Outcome.choices)
    opinion = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    phrase = forms.IntegerField(required=False)
    idempotency_key = forms.CharField(required=False, max_length=64)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class StartForm(forms.Form):
    subject = forms.CharField(
        label=_("标题"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    business_key = forms.CharField(
        label=_("业务编号"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
