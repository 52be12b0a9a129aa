"""Forms of the applicant's pages. They parse input and refuse what is
plainly wrong at the field (an ID number or USCC with a bad check character,
a mobile number of the wrong shape); the apply actions check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core import jsonin
from egov.core.validators import validate_id_number, validate_mobile, validate_uscc
from egov.identity.forms_admin import BootstrapMixin
from egov.servicehall.apply_actions import (
    BASIC_NOTE_KEY,
    BASIC_NOTE_MAX,
    MAX_FORM_BYTES,
)
from egov.servicehall.models import Audience

# The form data arrives as JSON text; escapes may make it longer than what is
# stored, which apply_actions limits to MAX_FORM_BYTES.
FORM_TEXT_LIMIT = 2 * MAX_FORM_BYTES


class ApplicantForm(BootstrapMixin, forms.Form):
    """The applicant and contact fields every application has, the built-in
    basic form's 申请说明 when the item has no form of its own, and the
    item form's data as JSON (filled by the page's script from the form-js
    viewer)."""

    applicant_name = forms.CharField(
        label=_("申请人姓名"), max_length=200, required=False
    )
    applicant_id_number = forms.CharField(
        label=_("身份证号"), max_length=18, required=False
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=100, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话（手机）"),
        max_length=11,
        required=False,
        validators=[validate_mobile],
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}
        ),
    )
    contact_email = forms.EmailField(
        label=_("电子邮箱（选填）"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    description = forms.CharField(
        label=_("申请说明"),
        max_length=BASIC_NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    form_data = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, basic: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.basic = basic
        id_field = self.fields["applicant_id_number"]
        id_field.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        if kind == Audience.ENTITY:
            self.fields["applicant_name"].label = _("申请单位名称")
            id_field.label = _("统一社会信用代码")
            id_field.validators = [validate_uscc]
        else:
            id_field.validators = [validate_id_number]
        if not basic:
            del self.fields["description"]

    @classmethod
    def initial_from(cls, case) -> dict:
        data = case.form_data or {}
        return {
            "applicant_name": case.applicant_name,
            "applicant_id_number": case.applicant_id_number,
            "contact_name": case.contact_name,
            "contact_phone": case.contact_phone,
            "contact_email": case.contact_email,
            "description": data.get(BASIC_NOTE_KEY, ""),
        }

    def clean_applicant_id_number(self):
        return self.cleaned_data["applicant_id_number"].strip().upper()

    def clean_form_data(self):
        text = self.cleaned_data.get("form_data") or ""
        if self.basic or not text:
            return None
        return parse_form_data(text)

    def applicant(self) -> dict:
        return {
            name: self.cleaned_data.get(name, "")
            for name in (
                "applicant_name",
                "applicant_id_number",
                "contact_name",
                "contact_phone",
                "contact_email",
            )
        }

    def item_form_data(self) -> dict | None:
        """What to store as the case's form data: the basic form's note, or
        the item form's JSON (None keeps what was stored)."""
        if self.basic:
            note = self.cleaned_data.get("description", "").strip()
            return {BASIC_NOTE_KEY: note} if note else {}
        return self.cleaned_data.get("form_data")


def parse_form_data(text: str) -> dict:
    """The item form's data as the form viewer wrote it into a hidden field
    (JSON), or a ValidationError."""
    wrong = _("申请表数据格式不正确")
    try:
        return jsonin.parse_json(
            text,
            max_bytes=FORM_TEXT_LIMIT,
            # The viewer writes this field, never the person: whatever is
            # wrong with it reads the same to them.
            messages=dict.fromkeys(jsonin.CODES, wrong),
        )
    except jsonin.BadJSON as exc:
        raise forms.ValidationError(exc.message) from None


class WithdrawForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写撤回理由")},
    )


class LookupForm(BootstrapMixin, forms.Form):
    number = forms.CharField(
        label=_("办件编号"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("请输入办件编号")},
    )
    code = forms.CharField(
        label=_("查询码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
        error_messages={"required": _("请输入查询码")},
    )
