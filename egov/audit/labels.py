"""Chinese names of action codes and sign-in failure reasons, for people to read.

Apps name their own actions by calling `register_action_labels` from their
AppConfig.ready(); a code without a name is shown under its app's name.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "identity.sign_in": _("登录"),
    "identity.sign_out": _("退出登录"),
    "identity.lock_out": _("账号锁定"),
    "identity.verify_second_factor": _("双因素认证"),
    "identity.reauthenticate": _("重新验证身份"),
    "identity.expire_session": _("会话超时退出"),
    "identity.end_other_sessions": _("结束其他会话"),
    "identity.enter_internal_face": _("进入政务内网"),
    "identity.require_password_change": _("要求修改密码"),
    "identity.change_password": _("修改密码"),
    "identity.reset_password": _("重置密码"),
    "identity.send_sms_code": _("发送短信验证码"),
    "identity.enroll_totp": _("绑定动态口令"),
    "identity.confirm_totp": _("确认动态口令"),
    "identity.remove_two_factor": _("解除双因素认证"),
    "identity.regenerate_recovery_codes": _("重新生成恢复码"),
    "identity.register_citizen": _("自然人注册"),
    "identity.register_entity": _("法人注册"),
    "identity.create_user": _("新建用户"),
    "identity.update_user": _("修改用户"),
    "identity.enable_user": _("启用用户"),
    "identity.disable_user": _("停用用户"),
    "identity.set_user_posts": _("设置用户岗位"),
    "identity.assign_roles": _("分配角色"),
    "identity.import_users": _("导入用户"),
    "identity.export_users": _("导出用户"),
    "identity.view_personal_data": _("查看完整个人信息"),
    "identity.create_region": _("新建行政区划"),
    "identity.update_region": _("修改行政区划"),
    "identity.activate_region": _("启用行政区划"),
    "identity.deactivate_region": _("停用行政区划"),
    "identity.import_regions": _("导入行政区划"),
    "identity.create_organization": _("新建机构"),
    "identity.update_organization": _("修改机构"),
    "identity.move_organization": _("调整机构隶属"),
    "identity.activate_organization": _("启用机构"),
    "identity.deactivate_organization": _("停用机构"),
    "identity.import_organizations": _("导入机构"),
    "identity.export_organizations": _("导出机构"),
    "identity.create_post": _("新建岗位"),
    "identity.update_post": _("修改岗位"),
    "identity.activate_post": _("启用岗位"),
    "identity.deactivate_post": _("停用岗位"),
    "identity.create_role": _("新建角色"),
    "identity.update_role": _("修改角色"),
    "identity.activate_role": _("启用角色"),
    "identity.deactivate_role": _("停用角色"),
    "identity.register_application": _("登记接入应用"),
    "identity.change_application": _("修改接入应用"),
    "identity.delete_application": _("删除接入应用"),
    "identity.rotate_client_secret": _("更换应用密钥"),
    "identity.sso_authorize": _("单点登录授权"),
    "identity.sso_issue_token": _("签发单点登录令牌"),
    "identity.sso_logout": _("单点登录退出"),
    "audit.view_entries": _("查阅日志"),
    "audit.export_entries": _("导出日志"),
    "audit.purge_entries": _("清理过期日志"),
}

REASON_LABELS = {
    "bad_credentials": _("账号或密码错误"),
    "locked": _("账号或IP已被锁定"),
    "inactive": _("账号已停用"),
    "otp_failed": _("动态口令或恢复码错误"),
    "sms_code_invalid": _("短信验证码错误"),
    "sms_code_expired": _("短信验证码已过期"),
    "sms_code_locked": _("短信验证码错误次数过多"),
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
