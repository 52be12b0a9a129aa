"""Chinese names of the identity administration's audit action codes.

`register()` hands them to the audit log's label registry; IdentityConfig.ready()
is the place to call it.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "identity.create_region": _("新增行政区划"),
    "identity.update_region": _("修改行政区划"),
    "identity.deactivate_region": _("停用行政区划"),
    "identity.activate_region": _("启用行政区划"),
    "identity.import_regions": _("导入行政区划"),
    "identity.create_organization": _("新增机构"),
    "identity.update_organization": _("修改机构"),
    "identity.move_organization": _("移动机构"),
    "identity.deactivate_organization": _("停用机构"),
    "identity.activate_organization": _("启用机构"),
    "identity.import_organizations": _("导入机构"),
    "identity.export_organizations": _("导出机构"),
    "identity.create_post": _("新增岗位"),
    "identity.update_post": _("修改岗位"),
    "identity.deactivate_post": _("停用岗位"),
    "identity.activate_post": _("启用岗位"),
    "identity.create_user": _("新增用户"),
    "identity.update_user": _("修改用户"),
    "identity.set_user_posts": _("调整任职岗位"),
    "identity.disable_user": _("停用账号"),
    "identity.enable_user": _("启用账号"),
    "identity.reset_password": _("重置密码"),
    "identity.view_personal_data": _("查看完整个人信息"),
    "identity.import_users": _("导入用户"),
    "identity.export_users": _("导出用户"),
    "identity.create_role": _("新增角色"),
    "identity.update_role": _("修改角色"),
    "identity.deactivate_role": _("停用角色"),
    "identity.activate_role": _("启用角色"),
    "identity.assign_roles": _("分配角色"),
}


def register() -> None:
    from egov.audit.labels import register_action_labels

    register_action_labels(ACTION_LABELS)
