"""Forms of the 好差评 pages: they parse input; the actions decide."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core.errors import ActionError
from egov.identity.forms_admin import BootstrapMixin
from egov.supervision.models import COMMENT_MAX_LENGTH, TAGS, Level
from egov.supervision.rating_actions import TEXT_MAX_LENGTH
from egov.supervision.rating_queries import GROUPINGS


def all_tags() -> list[str]:
    seen = []
    for tags in TAGS.values():
        for tag in tags:
            if str(tag) not in seen:
                seen.append(str(tag))
    return seen


def tag_groups() -> list[dict]:
    """The tag choices grouped by the levels they belong to, for the page."""
    groups = []
    for levels in ((5, 4), (3,), (2, 1)):
        groups.append(
            {
                "levels": " ".join(str(level) for level in levels),
                "label": " / ".join(str(Level(level).label) for level in levels),
                "tags": [str(tag) for tag in TAGS[levels[0]]],
            }
        )
    return groups


def apply_errors(form, exc: ActionError, *, on_form: bool = True) -> bool:
    """Put an action's refusal on the fields it names, else on the form
    (unless `on_form` is false); whether it was placed."""
    placed = False
    for name, message in (exc.fields or {}).items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed and on_form:
        form.add_error(None, str(exc.message))
        placed = True
    return placed


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("评价等级"),
        coerce=int,
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价等级")},
    )
    tags = forms.MultipleChoiceField(
        label=_("评价标签"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("评价内容"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = [(tag, tag) for tag in all_tags()]


class CallBackForm(BootstrapMixin, forms.Form):
    called_at = forms.DateTimeField(
        label=_("回访时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    contact = forms.CharField(label=_("回访对象"), max_length=100)
    content = forms.CharField(
        label=_("回访内容"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReplyForm(BootstrapMixin, forms.Form):
    reply = forms.CharField(
        label=_("整改答复"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CloseForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("办结说明"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AppealForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("uphold", _("申诉成立")), ("reject", _("申诉不成立"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportForm(BootstrapMixin, forms.Form):
    grouping = forms.ChoiceField(
        label=_("统计维度"),
        required=False,
        choices=[
            ("department", _("按部门")),
            ("item", _("按事项")),
            ("window", _("按窗口")),
            ("month", _("按月份")),
        ],
    )
    date_from = forms.DateField(
        label=_("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["grouping"] = data.get("grouping") or "department"
        if data["grouping"] not in GROUPINGS:
            data["grouping"] = "department"
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or date(data["date_to"].year, 1, 1)
        if data["date_from"] > data["date_to"]:
            self.add_error("date_from", _("开始日期不能晚于结束日期"))
        elif data["date_to"] - data["date_from"] > timedelta(days=3660):
            self.add_error("date_from", _("统计区间不能超过十年"))
        return data
