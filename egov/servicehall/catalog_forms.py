"""Forms of the catalog administration. They parse input only; the catalog
actions check the rules, and their errors come back onto the fields here."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.models import TimeUnit
from egov.identity.forms_admin import BootstrapMixin
from egov.servicehall.models import (
    Audience,
    RequiredMaterial,
    ServiceItemVersion,
    Theme,
)

# Where an action's field names differ from this form's.
ITEM_ERROR_FIELDS = {"fee_fen": "fee_yuan", "for_individuals": "audience"}
MATERIAL_ERROR_FIELDS = {"for_individuals": "audience", "for_entities": "audience"}


def _integer(label, **kwargs):
    return forms.IntegerField(
        label=label,
        required=False,
        error_messages={"invalid": _("%(label)s应为整数") % {"label": label}},
        **kwargs,
    )


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth, 0)}{obj.name}（{obj.code}）"


class ItemForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("事项编码"),
        max_length=64,
        required=False,
        help_text=_("国家政务服务事项实施编码，发布后不能修改"),
    )
    organization = OrganizationChoiceField(
        label=_("实施机构"),
        queryset=None,
        required=False,
        empty_label=_("请选择"),
    )
    name = forms.CharField(label=_("事项名称"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("事项类型"),
        choices=[("", _("请选择"))] + ServiceItemVersion.Kind.choices,
        required=False,
    )
    audience = forms.MultipleChoiceField(
        label=_("服务对象"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("主题与生命周期"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    legal_basis = forms.CharField(
        label=_("设定依据"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    conditions = forms.CharField(
        label=_("受理条件"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    statutory_limit = _integer(_("法定时限"))
    statutory_limit_unit = forms.ChoiceField(
        label=_("法定时限单位"), choices=TimeUnit.choices, initial=TimeUnit.WORKDAYS
    )
    promised_limit = _integer(_("承诺时限"))
    promised_limit_unit = forms.ChoiceField(
        label=_("承诺时限单位"), choices=TimeUnit.choices, initial=TimeUnit.WORKDAYS
    )
    charges_fee = forms.BooleanField(label=_("收费"), required=False)
    fee_yuan = forms.DecimalField(
        label=_("收费标准（元）"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        error_messages={
            "invalid": _("收费标准应为金额，例如 80 或 12.50"),
            "max_decimal_places": _("收费标准最多保留两位小数"),
            "max_digits": _("收费标准不能超过100万元"),
            "max_whole_digits": _("收费标准不能超过100万元"),
            "min_value": _("收费标准不能为负数"),
        },
    )
    fee_basis = forms.CharField(
        label=_("收费依据"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    hall_address = forms.CharField(label=_("办理地点"), max_length=300, required=False)
    office_hours = forms.CharField(label=_("办理时间"), max_length=200, required=False)
    max_visits = _integer(_("最多跑动次数"), help_text=_("最多跑一次填 1，零跑动填 0"))
    online = forms.BooleanField(label=_("网上可办"), required=False, initial=True)
    consultation_phone = forms.CharField(
        label=_("咨询电话"), max_length=30, required=False
    )
    complaint_phone = forms.CharField(
        label=_("监督投诉电话"), max_length=30, required=False
    )
    process_key = forms.ChoiceField(label=_("办理流程"), required=False)
    form_key = forms.ChoiceField(label=_("申请表单"), required=False)
    issues_licence = forms.BooleanField(label=_("出具电子证照"), required=False)
    licence_type = forms.CharField(
        label=_("证照类型"),
        max_length=100,
        required=False,
        help_text=_("如：食品经营许可证"),
    )
    change_note = forms.CharField(label=_("修订说明"), max_length=500, required=False)

    def __init__(
        self,
        *args,
        organizations,
        themes,
        processes,
        forms_available,
        lock_identity=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["themes"].queryset = themes
        self.fields["themes"].label_from_instance = lambda t: (
            f"{t.name}（{t.get_kind_display()}）"
        )
        self.fields["process_key"].choices = self._keyed(
            _("不使用流程"), processes, "process_key"
        )
        self.fields["form_key"].choices = self._keyed(
            _("不使用表单"), forms_available, "form_key"
        )
        if lock_identity:
            # Published once: the public and cases know the item by these.
            for name in ("code", "organization"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("事项已发布过，不能修改")

    def _keyed(self, empty, pairs, name):
        choices = [("", empty)] + [(k, f"{label}（{k}）") for k, label in pairs]
        current = self.initial.get(name) or self.data.get(self.add_prefix(name))
        if current and current not in {k for k, _label in choices}:
            choices.append((current, current))
        return choices

    def item_fields(self) -> dict:
        """The cleaned data in the shape catalog_actions.clean_item_fields takes."""
        data = dict(self.cleaned_data)
        fee = data.pop("fee_yuan", None)
        data["fee_fen"] = int(fee * 100) if fee is not None else 0
        audience = data.pop("audience", [])
        data["for_individuals"] = Audience.INDIVIDUAL in audience
        data["for_entities"] = Audience.ENTITY in audience
        data["themes"] = list(data.get("themes") or [])
        data.pop("code", None)
        data.pop("organization", None)
        return data

    @classmethod
    def initial_from(cls, version) -> dict:
        initial = {
            name: getattr(version, name)
            for name in (
                "name",
                "kind",
                "legal_basis",
                "conditions",
                "statutory_limit",
                "statutory_limit_unit",
                "promised_limit",
                "promised_limit_unit",
                "charges_fee",
                "fee_basis",
                "hall_address",
                "office_hours",
                "max_visits",
                "online",
                "consultation_phone",
                "complaint_phone",
                "process_key",
                "form_key",
                "issues_licence",
                "licence_type",
                "change_note",
            )
        }
        initial["code"] = version.item.code
        initial["organization"] = version.item.organization_id
        initial["fee_yuan"] = version.fee_yuan if version.charges_fee else None
        initial["audience"] = version.audiences
        initial["themes"] = list(version.themes.all())
        return initial


class MaterialForm(BootstrapMixin, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("材料名称"), max_length=200, required=False)
    is_required = forms.BooleanField(label=_("必要"), required=False, initial=True)
    form = forms.ChoiceField(
        label=_("材料形式"),
        choices=RequiredMaterial.Form.choices,
        initial=RequiredMaterial.Form.ORIGINAL,
    )
    copies = _integer(_("份数"), initial=1)
    audience = forms.MultipleChoiceField(
        label=_("适用对象"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[Audience.INDIVIDUAL],
    )
    note = forms.CharField(label=_("填报须知"), max_length=500, required=False)
    template_upload = forms.FileField(label=_("空白表格"), required=False)
    clear_template = forms.BooleanField(label=_("删除空白表格"), required=False)
    example_upload = forms.FileField(label=_("示例样表"), required=False)
    clear_example = forms.BooleanField(label=_("删除示例样表"), required=False)

    # The existing RequiredMaterial this row edits, set by the page.
    material = None

    def material_data(self) -> dict:
        data = dict(self.cleaned_data)
        audience = data.pop("audience", [])
        data["for_individuals"] = Audience.INDIVIDUAL in audience
        data["for_entities"] = Audience.ENTITY in audience
        data.pop("DELETE", None)
        return data

    @classmethod
    def initial_from(cls, material) -> dict:
        return {
            "id": material.pk,
            "name": material.name,
            "is_required": material.is_required,
            "form": material.form,
            "copies": material.copies,
            "audience": material.audiences,
            "note": material.note,
        }


MaterialFormSet = forms.formset_factory(
    MaterialForm, extra=0, can_delete=True, max_num=100, absolute_max=200
)
# A new item starts with one blank material row.
FirstMaterialFormSet = forms.formset_factory(
    MaterialForm, extra=1, can_delete=True, max_num=100, absolute_max=200
)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(
        label=_("审核意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        error_messages={"required": _("请选择要导入的 Excel 文件")},
    )


class ThemeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=50, required=False)
    code = forms.CharField(
        label=_("编码"),
        max_length=50,
        required=False,
        help_text=_("小写字母、数字或连字符，用于网址，如 birth"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=Theme.Kind.choices)
    audience = forms.MultipleChoiceField(
        label=_("服务对象"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[Audience.INDIVIDUAL],
    )
    icon = forms.CharField(
        label=_("图标"),
        max_length=40,
        required=False,
        initial="grid",
        help_text=_("bootstrap-icons 图标名称，如 balloon-heart"),
    )
    sort_order = _integer(_("排序"), initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def theme_data(self) -> dict:
        data = dict(self.cleaned_data)
        audience = data.pop("audience", [])
        data["for_individuals"] = Audience.INDIVIDUAL in audience
        data["for_entities"] = Audience.ENTITY in audience
        return data

    @classmethod
    def initial_from(cls, theme) -> dict:
        return {
            "name": theme.name,
            "code": theme.code,
            "kind": theme.kind,
            "audience": theme.audiences,
            "icon": theme.icon,
            "sort_order": theme.sort_order,
            "is_active": theme.is_active,
        }
