"""The built-in roles every installation starts with, and `ensure_builtin_roles()`.

三员分立: the system administrator (系统管理员), the security administrator
(安全管理员) and the audit administrator (审计管理员) are three separate roles
whose permission sets are fixed here and cannot be edited; no user may hold two
of them (see egov.identity.actions.roles.assign_roles).

Later apps add permissions to the other built-in roles by declaring, in their
own permissions.py::

    BUILTIN_ROLE_GRANTS = {"window_clerk": ["servicehall.accept_case"]}

`ensure_builtin_roles()` collects those declarations from every installed app.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from egov.identity.models import Role

SYSTEM_ADMIN = "system_admin"
SECURITY_ADMIN = "security_admin"
AUDIT_ADMIN = "audit_admin"
ORG_ADMIN = "org_admin"
STAFF = "staff"
WINDOW_CLERK = "window_clerk"
APPROVER = "approver"
LEADER = "leader"
SUPERVISOR = "supervisor"

# The three administrator roles of 三员分立.
SEPARATED_ROLES = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN)


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: str
    description: str
    data_scope: str
    permissions: tuple[str, ...] = field(default_factory=tuple)
    # Locked roles keep exactly these permissions; nobody may edit them.
    locked: bool = False


_SCOPE = Role.DataScope

BUILTIN_ROLES = [
    BuiltinRole(
        SYSTEM_ADMIN,
        _("系统管理员"),
        _(
            "维护行政区划、机构、岗位、用户、工作日历、文书模板和接入应用；不能分配角色，不能查看日志"
        ),
        _SCOPE.ALL,
        (
            "identity.view_region",
            "identity.add_region",
            "identity.change_region",
            "identity.view_organization",
            "identity.add_organization",
            "identity.change_organization",
            "identity.import_organization",
            "identity.export_organization",
            "identity.view_post",
            "identity.add_post",
            "identity.change_post",
            "identity.view_user",
            "identity.add_user",
            "identity.change_user",
            "identity.import_user",
            "identity.export_user",
            "identity.view_personal_data",
            "core.view_calendarday",
            "core.add_calendarday",
            "core.change_calendarday",
            "core.delete_calendarday",
            "docgen.manage_templates",
            "oauth2_provider.view_application",
            "oauth2_provider.add_application",
            "oauth2_provider.change_application",
            "oauth2_provider.delete_application",
        ),
        locked=True,
    ),
    BuiltinRole(
        SECURITY_ADMIN,
        _("安全管理员"),
        _("维护角色及其权限，为用户分配角色，管理安全设置；不能创建用户，不能查看日志"),
        _SCOPE.ALL,
        (
            "identity.view_role",
            "identity.add_role",
            "identity.change_role",
            "identity.assign_role",
            "identity.manage_security",
            "identity.view_user",
            "identity.view_organization",
            "identity.view_post",
        ),
        locked=True,
    ),
    BuiltinRole(
        AUDIT_ADMIN,
        _("审计管理员"),
        _("查阅和导出统一日志；不能修改任何数据"),
        _SCOPE.ALL,
        ("audit.view_auditentry", "audit.export_auditentry"),
        locked=True,
    ),
    BuiltinRole(
        ORG_ADMIN,
        _("机构管理员"),
        _("维护本机构及下级机构的岗位和用户"),
        _SCOPE.ORGANIZATION_SUBTREE,
        (
            "identity.view_organization",
            "identity.view_post",
            "identity.add_post",
            "identity.change_post",
            "identity.view_user",
            "identity.add_user",
            "identity.change_user",
            "identity.import_user",
            "identity.export_user",
        ),
    ),
    BuiltinRole(STAFF, _("工作人员"), _("登录工作台，处理本人事务"), _SCOPE.SELF),
    BuiltinRole(
        WINDOW_CLERK,
        _("窗口受理人员"),
        _("在服务窗口受理本机构的办件，可核验申请人完整身份信息"),
        _SCOPE.ORGANIZATION,
        ("identity.view_personal_data",),
    ),
    BuiltinRole(
        APPROVER,
        _("审批人员"),
        _("审查、审批本机构及下级机构的办件"),
        _SCOPE.ORGANIZATION_SUBTREE,
    ),
    BuiltinRole(
        LEADER,
        _("分管领导"),
        _("审签分管机构的事项，查看其人员"),
        _SCOPE.ORGANIZATION_SUBTREE,
        ("identity.view_organization", "identity.view_post", "identity.view_user"),
    ),
    BuiltinRole(
        SUPERVISOR,
        _("监察员"),
        _("对本区划内各机构的办件实施电子监察"),
        _SCOPE.REGION_SUBTREE,
        ("identity.view_organization",),
    ),
]

BUILTIN_BY_CODE = {role.code: role for role in BUILTIN_ROLES}


class MissingPermissionsError(ImproperlyConfigured):
    """A built-in role names permissions that do not exist in the database."""


def is_locked(role: Role) -> bool:
    builtin = BUILTIN_BY_CODE.get(role.code)
    return bool(role.is_builtin and builtin and builtin.locked)


def _grants_from_apps() -> dict[str, list[str]]:
    """BUILTIN_ROLE_GRANTS declared in the permissions.py of installed apps."""
    grants: dict[str, list[str]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("egov."):
            continue
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for code, perms in getattr(module, "BUILTIN_ROLE_GRANTS", {}).items():
            if code not in BUILTIN_BY_CODE:
                raise ImproperlyConfigured(
                    f"{config.name}.permissions grants to unknown role {code!r}"
                )
            if BUILTIN_BY_CODE[code].locked:
                raise ImproperlyConfigured(
                    f"{config.name}.permissions may not extend locked role {code!r}"
                )
            grants.setdefault(code, []).extend(perms)
    return grants


def permissions_by_name(names) -> dict[str, Permission]:
    """Look up "app.codename" strings; raise MissingPermissionsError naming any
    that do not exist (usually: the app that defines them is not migrated)."""
    wanted = set(names)
    found = {}
    for perm in Permission.objects.select_related("content_type"):
        name = f"{perm.content_type.app_label}.{perm.codename}"
        if name in wanted:
            found[name] = perm
    missing = sorted(wanted - set(found))
    if missing:
        raise MissingPermissionsError(
            "Built-in roles need permissions that do not exist: "
            + ", ".join(missing)
            + ". Run `egov migrate` so every app creates its permissions."
        )
    return found


@transaction.atomic
def ensure_builtin_roles() -> list[Role]:
    """Create or bring up to date every built-in role; safe to run repeatedly.

    Locked roles (三员) get exactly their permission set back. The other roles
    get any missing built-in permission added, and keep whatever a security
    administrator added; their data scope is set only when first created.
    """
    extra = _grants_from_apps()
    wanted = {
        spec.code: set(spec.permissions) | set(extra.get(spec.code, []))
        for spec in BUILTIN_ROLES
    }
    perms = permissions_by_name(set().union(*wanted.values()))
    roles = []
    for spec in BUILTIN_ROLES:
        role, created = Role.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": str(spec.name),
                "description": str(spec.description),
                "data_scope": spec.data_scope,
                "is_builtin": True,
            },
        )
        if not created and not role.is_builtin:
            role.is_builtin = True
            role.save(update_fields=["is_builtin"])
        granted = [perms[name] for name in sorted(wanted[spec.code])]
        if spec.locked:
            if role.data_scope != spec.data_scope or not role.is_active:
                role.data_scope = spec.data_scope
                role.is_active = True
                role.save(update_fields=["data_scope", "is_active"])
            role.permissions.set(granted)
        else:
            role.permissions.add(*granted)
        roles.append(role)
    return roles
