"""The auditor's filter, shared by the pages, the export and the REST API."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.audit.models import AuditEntry
from egov.identity.models import Organization

_TIME_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
]
_TIME_ERRORS = {"invalid": _("请输入有效的时间，例如 2026-01-31 08:30")}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class EntryFilterForm(forms.Form):
    user = forms.CharField(
        label=_("用户"),
        required=False,
        max_length=150,
        help_text=_("姓名或账号，完整填写"),
    )
    organization = forms.ModelChoiceField(
        label=_("机构"),
        required=False,
        queryset=Organization.objects.order_by("path", "sort_order"),
        to_field_name="code",
        empty_label=_("全部机构"),
        error_messages={"invalid_choice": _("请选择有效的机构")},
    )
    include_children = forms.BooleanField(label=_("含下级机构"), required=False)
    action = forms.CharField(
        label=_("操作代码"),
        required=False,
        max_length=100,
        help_text=_("按前缀匹配，如 identity."),
    )
    outcome = forms.ChoiceField(
        label=_("结果"),
        required=False,
        choices=[("", _("全部结果")), *AuditEntry.Outcome.choices],
        error_messages={"invalid_choice": _("请选择有效的结果")},
    )
    start = forms.DateTimeField(
        label=_("开始时间"),
        required=False,
        input_formats=_TIME_FORMATS,
        widget=DateTimeLocalInput(),
        error_messages=_TIME_ERRORS,
    )
    end = forms.DateTimeField(
        label=_("结束时间"),
        required=False,
        input_formats=_TIME_FORMATS,
        widget=DateTimeLocalInput(),
        error_messages=_TIME_ERRORS,
        help_text=_("含该分钟；只填日期时含当天"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css
        self.fields["action"].widget.attrs["list"] = "audit-known-actions"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean_user(self):
        return self.cleaned_data["user"].strip()

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end is None:
            return None
        raw = str(self.data.get(self.add_prefix("end"), "")).strip()
        # A day means the whole day, a minute picked in the browser the whole
        # minute; an explicit second is taken as it is.
        if len(raw) == len("2026-01-31"):
            return end + timedelta(days=1) - timedelta(microseconds=1)
        if end.second == 0 and end.microsecond == 0 and raw.count(":") == 1:
            return end + timedelta(minutes=1) - timedelta(microseconds=1)
        return end

    def clean_action(self):
        return self.cleaned_data["action"].strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("结束时间不能早于开始时间"))
        return data

    def filters(self) -> dict:
        """Keyword arguments for `queries.entries_for` from the valid form."""
        data = self.cleaned_data
        return {
            "user": data.get("user", ""),
            "organization": data.get("organization"),
            "include_children": bool(data.get("include_children")),
            "action": data.get("action", ""),
            "outcome": data.get("outcome", ""),
            "start": data.get("start"),
            "end": data.get("end"),
        }

    def summary(self) -> dict:
        """The filters as plain strings, for the audit entry of an export."""
        return {
            key: str(value)
            for key, value in self.data.items()
            if key in self.fields and str(value).strip()
        }
