"""Chinese names of action codes and sign-in failure reasons, for people to read.

Apps name their own actions by calling `register_action_labels` from their
AppConfig.ready(); a code without a name is shown under its app's name.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "identity.sign_in": _("登录"),
    "identity.sign_out": _("退出登录"),
    "identity.view_personal_data": _("查看完整个人信息"),
    "audit.view_entries": _("查阅日志"),
    "audit.export_entries": _("导出日志"),
    "audit.purge_entries": _("清理过期日志"),
}

REASON_LABELS = {
    "bad_credentials": _("账号或密码错误"),
    "locked_out": _("账号或IP已被锁定"),
    "inactive": _("账号已停用"),
    "otp_invalid": _("动态口令错误"),
    "otp_required": _("未完成双因素认证"),
    "captcha_invalid": _("验证码错误"),
    "password_expired": _("密码已过期"),
}


def register_action_labels(labels: dict) -> None:
    """Name action codes, e.g. {"servicehall.accept_case": _("受理办件")}."""
    ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    if label is not None:
        return str(label)
    app_label = code.split(".", 1)[0]
    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return code


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))
