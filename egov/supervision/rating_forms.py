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
from egov.supervision.window_actions import NAME_MAX_LENGTH

# The icon beside each level on the rating pages.
LEVEL_ICONS = {
    5: "emoji-laughing",
    4: "emoji-smile",
    3: "emoji-neutral",
    2: "emoji-frown",
    1: "emoji-angry",
}


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


def rating_choices(form) -> dict:
    """The five levels and the tag groups of a rating form, with what a
    bound form chose, for the pages that draw them as buttons."""
    chosen = form["level"].value() if form.is_bound else None
    picked = set(form["tags"].value() or []) if form.is_bound else set()
    return {
        "levels": [
            {
                "value": level,
                "label": Level(level).label,
                "icon": LEVEL_ICONS[level],
                "checked": str(chosen) == str(level),
            }
            for level in sorted(Level.values, reverse=True)
        ],
        "tag_groups": [
            {**group, "picked": [tag for tag in group["tags"] if tag in picked]}
            for group in tag_groups()
        ],
    }


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


class PhoneRatingForm(RatingForm):
    """The rating an applicant gave on the phone, as 回访 staff record it."""

    called_at = forms.DateTimeField(
        label=_("回访时间"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": _("请填写回访时间"),
            "invalid": _("请填写有效的回访时间"),
        },
    )
    # Checked by the action, which names it when it is missing.
    consented = forms.BooleanField(
        label=_("申请人同意由回访人员代为登记本次评价"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class PhoneLookupForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("办件编号"), required=False, max_length=32)


class WindowForm(BootstrapMixin, forms.Form):
    """A new window: its code, name and organization."""

    code = forms.CharField(
        label=_("窗口编码"),
        max_length=32,
        help_text=_("印在评价码中，创建后不能修改，如 hall-02"),
    )
    name = forms.CharField(label=_("窗口名称"), max_length=NAME_MAX_LENGTH)
    organization = forms.ModelChoiceField(
        label=_("所属机构"),
        queryset=None,
        empty_label=_("请选择"),
        error_messages={"invalid_choice": _("请选择有效的机构")},
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class WindowEditForm(WindowForm):
    """An existing window: its name and organization (the code stays)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        home = getattr(obj, "post_organization", "")
        return f"{obj.real_name}（{home}）" if home else obj.real_name


class WindowStaffForm(BootstrapMixin, forms.Form):
    """Who goes on duty at a window."""

    staff = _StaffChoiceField(
        label=_("当班工作人员"),
        queryset=None,
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择当班工作人员"),
            "invalid_choice": _("所选人员不能在该窗口当班"),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        from egov.identity.models import User

        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        # The list offers the candidates; whoever is posted, the action decides
        # whether they may serve there and says why not.
        field.queryset = User.objects.all()
        field.choices = [("", field.empty_label)] + [
            (person.pk, field.label_from_instance(person)) for person in candidates
        ]
