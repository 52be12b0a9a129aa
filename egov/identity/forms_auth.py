"""Forms of the sign-in and account pages: input shape only.

The rules (password policy, uniqueness, codes) live in
egov.identity.actions.signin; these forms check what can be checked from the
input alone, so that a malformed value gets its message before anything runs.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egov.core.validators import (
    normalize_id_number,
    normalize_uscc,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)

_SMS_CODE_RE = re.compile(r"^\d{6}$")


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, and `is-invalid` on fields in error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def _password_field(label, *, autocomplete="current-password", required=None):
    return forms.CharField(
        label=label,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": required or _("请输入密码")},
    )


def _sms_code_field():
    return forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "maxlength": "6",
            }
        ),
    )


def _phone_field():
    return forms.CharField(
        label=_("手机号码"),
        max_length=11,
        validators=[validate_mobile],
        error_messages={"required": _("请输入手机号码")},
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "numeric", "maxlength": "11"}
        ),
    )


class SignInForm(BootstrapForm):
    identifier = forms.CharField(
        label=_("账号 / 手机号 / 身份证号 / 统一社会信用代码"),
        max_length=150,
        error_messages={
            "required": _("请输入账号、手机号、身份证号或统一社会信用代码"),
            "max_length": _("输入的账号过长"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = _password_field(_("密码"))


class SecondFactorForm(BootstrapForm):
    code = forms.CharField(
        label=_("动态口令或恢复码"),
        max_length=32,
        error_messages={"required": _("请输入动态口令或恢复码")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class SmsSignInForm(BootstrapForm):
    """Send a code (`sending=True`: only the number is needed) or sign in."""

    phone = _phone_field()
    code = _sms_code_field()

    def __init__(self, *args, sending=False, **kwargs):
        self.sending = sending
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data.get("code", "").strip()
        if self.sending:
            return code
        if not code:
            raise ValidationError(_("请输入短信验证码"), code="required")
        if not _SMS_CODE_RE.match(code):
            raise ValidationError(_("验证码为6位数字"), code="sms_code_format")
        return code


class _RegistrationForm(BootstrapForm):
    """What the citizen and the entity forms share: mobile, code, password."""

    phone = _phone_field()
    code = _sms_code_field()
    password1 = _password_field(_("设置密码"), autocomplete="new-password")
    password2 = _password_field(
        _("确认密码"), autocomplete="new-password", required=_("请再次输入密码")
    )
    agree = forms.BooleanField(
        label=_("我已阅读并同意《用户服务协议》和《隐私政策》"),
        error_messages={"required": _("请阅读并同意用户服务协议和隐私政策")},
    )

    # Fields a "send code" click needs; the rest are checked on registering.
    sending_fields = ("phone",)

    def __init__(self, *args, sending=False, **kwargs):
        self.sending = sending
        super().__init__(*args, **kwargs)
        if sending:
            for name, field in self.fields.items():
                if name not in self.sending_fields:
                    field.required = False

    def clean_code(self):
        code = self.cleaned_data.get("code", "").strip()
        if self.sending:
            return code
        if not code:
            raise ValidationError(_("请输入短信验证码"), code="required")
        if not _SMS_CODE_RE.match(code):
            raise ValidationError(_("验证码为6位数字"), code="sms_code_format")
        return code

    def clean(self):
        cleaned = super().clean()
        if self.sending:
            return cleaned
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned


class CitizenRegistrationForm(_RegistrationForm):
    real_name = forms.CharField(
        label=_("真实姓名"),
        max_length=50,
        error_messages={"required": _("请输入真实姓名")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        error_messages={
            "required": _("请输入身份证号"),
            "max_length": _("身份证号应为18位"),
        },
        widget=forms.TextInput(attrs={"maxlength": "18"}),
    )

    field_order = [
        "real_name",
        "id_number",
        "phone",
        "code",
        "password1",
        "password2",
        "agree",
    ]

    def clean_id_number(self):
        value = normalize_id_number(self.cleaned_data.get("id_number", ""))
        if value or not self.sending:
            validate_id_number(value)
        return value


class EntityRegistrationForm(_RegistrationForm):
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        error_messages={
            "required": _("请输入统一社会信用代码"),
            "max_length": _("统一社会信用代码应为18位"),
        },
        widget=forms.TextInput(attrs={"maxlength": "18"}),
    )
    name = forms.CharField(
        label=_("单位名称"),
        max_length=100,
        error_messages={"required": _("请输入单位名称")},
    )
    legal_representative = forms.CharField(
        label=_("法定代表人"),
        max_length=50,
        error_messages={"required": _("请输入法定代表人姓名")},
    )

    field_order = [
        "uscc",
        "name",
        "legal_representative",
        "phone",
        "code",
        "password1",
        "password2",
        "agree",
    ]

    def clean_uscc(self):
        value = normalize_uscc(self.cleaned_data.get("uscc", ""))
        if value or not self.sending:
            validate_uscc(value)
        return value


class PasswordChangeForm(BootstrapForm):
    current_password = _password_field(_("当前密码"), required=_("请输入当前密码"))
    new_password1 = _password_field(
        _("新密码"), autocomplete="new-password", required=_("请输入新密码")
    )
    new_password2 = _password_field(
        _("确认新密码"), autocomplete="new-password", required=_("请再次输入新密码")
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return cleaned


class ReauthForm(BootstrapForm):
    password = _password_field(_("登录密码"))


class TotpConfirmForm(BootstrapForm):
    token = forms.CharField(
        label=_("验证器应用显示的6位动态口令"),
        max_length=6,
        error_messages={"required": _("请输入6位动态口令")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "maxlength": "6",
            }
        ),
    )
