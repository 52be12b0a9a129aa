"""Forms of the case pages on the internal face. They parse input only: the
rules (checksums, states, the 5-working-day window) are the actions', whose
ActionError fields land on these forms' fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.models import ClockStop
from egov.identity.forms_admin import BootstrapMixin
from egov.servicehall.apply_forms import parse_form_data
from egov.servicehall.case_actions import LARGEST_EXTENSION, SUSPENSION_KINDS
from egov.servicehall.models import Audience, Case

State = Case.State


class QueueFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("办件编号或申请人"), max_length=100, required=False)
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("待受理和待补正")),
            (State.SUBMITTED, State.SUBMITTED.label),
            (State.CORRECTION, State.CORRECTION.label),
        ],
    )
    item = forms.ModelChoiceField(
        label=_("事项"), queryset=None, required=False, empty_label=_("全部事项")
    )
    channel = forms.ChoiceField(
        label=_("申请渠道"),
        required=False,
        choices=[("", _("全部渠道")), *Case.Channel.choices],
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = _item_label


class CaseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("办件编号或申请人"), max_length=100, required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)
    item = forms.ModelChoiceField(
        label=_("事项"), queryset=None, required=False, empty_label=_("全部事项")
    )
    overdue = forms.BooleanField(label=_("仅看已超期"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("全部状态")),
            ("awaiting_decision", _("待决定")),
            *[(value, label) for value, label in State.choices if value != "draft"],
        ]
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = _item_label


def _item_label(item) -> str:
    version = item.versions.order_by("-number").first()
    return version.name if version else item.code


class PickItemForm(BootstrapMixin, forms.Form):
    item = forms.ChoiceField(label=_("申请事项"))

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("请选择事项"))] + [
            (v.item.code, f"{v.name}（{v.item.organization.name}）") for v in versions
        ]


class EnterCaseForm(BootstrapMixin, forms.Form):
    """窗口收件: the applicant's particulars and one file per material."""

    applicant_kind = forms.ChoiceField(label=_("申请人类型"), choices=Audience.choices)
    applicant_name = forms.CharField(label=_("申请人名称"), max_length=200)
    applicant_id_number = forms.CharField(
        label=_("证件号码"),
        max_length=18,
        help_text=_("个人填写18位身份证号，法人填写18位统一社会信用代码"),
    )
    contact_phone = forms.CharField(label=_("联系电话"), max_length=11)
    contact_name = forms.CharField(label=_("联系人"), max_length=100, required=False)
    contact_email = forms.EmailField(label=_("电子邮箱"), required=False)
    # The item's application form, written here by the form viewer.
    form_data = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, version, has_item_form=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.has_item_form = has_item_form
        self.fields["applicant_kind"].choices = [
            (value, label)
            for value, label in Audience.choices
            if value in version.audiences
        ]
        self.material_fields = []
        for material in version.materials.all():
            name = f"material_{material.pk}"
            self.fields[name] = forms.FileField(
                label=material.name,
                required=False,
                help_text=material.form_display,
            )
            self.material_fields.append((name, material))
        for name, _material in self.material_fields:
            self.fields[name].widget.attrs["class"] = "form-control"

    def applicant(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["applicant_kind"],
            "name": data["applicant_name"],
            "id_number": data["applicant_id_number"],
            "phone": data["contact_phone"],
            "contact_name": data.get("contact_name", ""),
            "email": data.get("contact_email", ""),
        }

    def clean_form_data(self):
        text = self.cleaned_data.get("form_data") or ""
        return parse_form_data(text) if text else {}

    def item_form_data(self) -> dict | None:
        """The item form's data to check and store; None when the item has
        no form of its own."""
        return self.cleaned_data.get("form_data") if self.has_item_form else None

    def materials(self) -> list:
        return [
            (material, self.cleaned_data.get(name))
            for name, material in self.material_fields
            if self.cleaned_data.get(name)
        ]

    def material_bound_fields(self):
        return [self[name] for name, _material in self.material_fields]


class AcceptForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("受理意见"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RefuseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("不予受理理由"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    legal_basis = forms.CharField(label=_("法律依据"), max_length=1000, required=False)


class CorrectionForm(BootstrapMixin, forms.Form):
    """一次性告知: tick every material at fault with what is wrong, add any
    other item (one per line, “名称：要求”), and a note."""

    extra = forms.CharField(
        label=_("其他需补正的内容"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，可写成“名称：补正要求”"),
    )
    note = forms.CharField(
        label=_("补正说明"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for material in version.materials.all():
            pick, reason = f"m_{material.pk}", f"r_{material.pk}"
            self.fields[pick] = forms.BooleanField(label=material.name, required=False)
            self.fields[reason] = forms.CharField(
                label=_("补正要求"), max_length=500, required=False
            )
            self.rows.append((material, pick, reason))
        super_init_classes(self)

    def material_rows(self):
        return [
            (material, self[pick], self[reason]) for material, pick, reason in self.rows
        ]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        picked = [
            {
                "material": material.pk,
                "name": material.name,
                "reason": data.get(reason, ""),
            }
            for material, pick, reason in self.rows
            if data.get(pick)
        ]
        for line in (data.get("extra") or "").splitlines():
            name, _sep, reason = line.strip().partition("：")
            if not _sep:
                name, _sep, reason = line.strip().partition(":")
            if name.strip():
                picked.append(
                    {"material": None, "name": name.strip(), "reason": reason.strip()}
                )
        return picked


def super_init_classes(form) -> None:
    """Bootstrap classes on fields added after BootstrapMixin's __init__."""
    for field in form.fields.values():
        widget = field.widget
        css = (
            "form-check-input"
            if isinstance(widget, forms.CheckboxInput)
            else "form-control"
        )
        if css not in widget.attrs.get("class", ""):
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ExtensionForm(BootstrapMixin, forms.Form):
    amount = forms.IntegerField(
        label=_("延长期限"),
        min_value=1,
        max_value=LARGEST_EXTENSION,
        help_text=_("按法定时限的单位计，最多10个（行政许可法第四十二条）"),
    )
    reason = forms.CharField(
        label=_("延期理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecisionForm(BootstrapMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("1", _("批准延期")), ("0", _("不批准"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("审批意见"), max_length=500, required=False)


class SuspendForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("中止情形"),
        choices=[(k.value, k.label) for k in map(ClockStop.Kind, SUSPENSION_KINDS)],
    )
    reason = forms.CharField(
        label=_("中止理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResumeForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("恢复说明"), max_length=500, required=False)


class DecideForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[("approve", _("准予许可")), ("deny", _("不予许可"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("决定理由"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予许可时必须说明理由"),
    )
    legal_basis = forms.CharField(
        label=_("法律依据"),
        max_length=1000,
        required=False,
        help_text=_("不填时使用事项的设定依据"),
    )
