"""Writes to roles and to who holds them (the security administrator's work).

三员分立 is enforced here: no role, and no user through the roles they hold,
may combine the duties of the system, security and audit administrators.
"""

import re

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.identity.actions._common import changes, choice, max_length, required_text
from egov.identity.models import Role, User
from egov.identity.permissions import (
    duties_of,
    forget_permissions,
    grantable_permissions,
    identity_policy,
    role_permission_names,
)
from egov.identity.roles import SEPARATED_ROLES, is_locked

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def separation_message() -> str:
    return _(
        "三员分立：系统管理员、安全管理员、审计管理员的职责不能由同一用户或同一角色兼任"
    )


def _names(perms) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def _clean(*, name, description, data_scope, permissions):
    name = max_length(
        required_text(name, "name", _("请填写角色名称")), "name", 100, _("角色名称")
    )
    data_scope = choice(
        data_scope, Role.DataScope.choices, "data_scope", _("请选择有效的数据范围")
    )
    permissions = list(permissions)
    allowed = {p.pk for p in grantable_permissions()}
    if any(p.pk not in allowed for p in permissions):
        message = _("所选权限中有不可分配给角色的权限")
        raise ActionError(
            message, code="permission_not_grantable", fields={"permissions": message}
        )
    if len(duties_of(_names(permissions))) > 1:
        message = separation_message()
        raise ActionError(
            message, code="separation_of_duties", fields={"permissions": message}
        )
    return name, (description or "").strip(), data_scope, permissions


@audited("identity.create_role")
def create_role(
    *,
    actor,
    code: str,
    name: str,
    data_scope: str,
    permissions=(),
    description: str = "",
) -> Role:
    """A new role (a permission set with a data scope)."""
    identity_policy.require(actor, "add_role")
    code = max_length(
        required_text(code, "code", _("请填写角色代码")), "code", 64, _("角色代码")
    )
    if not _CODE_RE.match(code):
        message = _("角色代码须以小写字母开头，只含小写字母、数字和下划线")
        raise ActionError(message, code="code_invalid", fields={"code": message})
    if Role.objects.filter(code=code).exists():
        message = _("角色代码 %(code)s 已存在") % {"code": code}
        raise ActionError(message, code="code_taken", fields={"code": message})
    name, description, data_scope, permissions = _clean(
        name=name,
        description=description,
        data_scope=data_scope,
        permissions=permissions,
    )
    role = Role.objects.create(
        code=code, name=name, description=description, data_scope=data_scope
    )
    role.permissions.set(permissions)
    record(
        actor=actor,
        action="identity.create_role",
        target=role,
        detail={
            "code": code,
            "data_scope": data_scope,
            "permissions": sorted(_names(permissions)),
        },
    )
    return role


def _holders_would_mix_duties(role: Role, new_names: set[str]) -> bool:
    for user in role.users.all():
        others = user.roles.filter(is_active=True).exclude(pk=role.pk)
        if len(duties_of(role_permission_names(others) | new_names)) > 1:
            return True
    return False


@audited("identity.update_role", target_kwarg="role")
def update_role(
    *,
    actor,
    role: Role,
    name: str,
    data_scope: str,
    permissions=(),
    description: str = "",
) -> Role:
    """Change a role's name, description, data scope and permissions.

    The three administrator roles are fixed. A change that would give any
    holder duties of two administrators is refused.
    """
    identity_policy.require(actor, "change_role", role)
    if is_locked(role):
        raise ActionError(
            _("三员角色为内置角色，其权限和数据范围不能修改"), code="role_locked"
        )
    name, description, data_scope, permissions = _clean(
        name=name,
        description=description,
        data_scope=data_scope,
        permissions=permissions,
    )
    new_names = _names(permissions)
    if role.is_active and _holders_would_mix_duties(role, new_names):
        message = _("修改后该角色的部分持有人将违反三员分立，请先调整其角色")
        raise ActionError(
            message, code="separation_of_duties", fields={"permissions": message}
        )
    before_names = role_permission_names([role])
    before = {"name": role.name, "data_scope": role.data_scope}
    role.name, role.description, role.data_scope = name, description, data_scope
    role.save()
    role.permissions.set(permissions)
    record(
        actor=actor,
        action="identity.update_role",
        target=role,
        detail={
            "changes": changes(before, {"name": name, "data_scope": data_scope}),
            "permissions_added": sorted(new_names - before_names),
            "permissions_removed": sorted(before_names - new_names),
        },
    )
    return role


@audited("identity.deactivate_role", target_kwarg="role")
def deactivate_role(*, actor, role: Role) -> Role:
    """A deactivated role stays assigned but grants nothing."""
    identity_policy.require(actor, "change_role", role)
    if is_locked(role):
        raise ActionError(_("三员角色为内置角色，不能停用"), code="role_locked")
    if not role.is_active:
        raise ActionError(_("该角色已停用"), code="already_inactive")
    role.is_active = False
    role.save(update_fields=["is_active"])
    record(actor=actor, action="identity.deactivate_role", target=role)
    return role


@audited("identity.activate_role", target_kwarg="role")
def activate_role(*, actor, role: Role) -> Role:
    identity_policy.require(actor, "change_role", role)
    if role.is_active:
        raise ActionError(_("该角色已启用"), code="already_active")
    if _holders_would_mix_duties(role, role_permission_names([role])):
        raise ActionError(
            _("启用后该角色的部分持有人将违反三员分立，请先调整其角色"),
            code="separation_of_duties",
        )
    role.is_active = True
    role.save(update_fields=["is_active"])
    record(actor=actor, action="identity.activate_role", target=role)
    return role


@audited("identity.assign_roles", target_kwarg="user")
def assign_roles(*, actor, user: User, roles) -> User:
    """Make `roles` exactly the roles `user` holds.

    Refused for oneself, for anyone but staff, for inactive roles, and when the
    result would give one person two of the three administrator roles (or their
    duties through other roles).
    """
    identity_policy.require(actor, "assign_role", user)
    roles = list(dict.fromkeys(roles))
    if user.pk == actor.pk:
        raise ActionError(_("不能为自己分配角色"), code="assign_self")
    if roles and user.kind != User.Kind.STAFF:
        message = _("只有工作人员可以被分配角色")
        raise ActionError(message, code="not_staff", fields={"roles": message})
    current = set(user.roles.values_list("pk", flat=True))
    inactive = [r for r in roles if not r.is_active and r.pk not in current]
    if inactive:
        message = _("角色“%(role)s”已停用，不能分配") % {"role": inactive[0].name}
        raise ActionError(message, code="role_inactive", fields={"roles": message})
    separated = [r for r in roles if r.code in SEPARATED_ROLES]
    active = [r for r in roles if r.is_active]
    if len(separated) > 1 or len(duties_of(role_permission_names(active))) > 1:
        message = separation_message()
        raise ActionError(
            message, code="separation_of_duties", fields={"roles": message}
        )
    before = sorted(user.roles.values_list("code", flat=True))
    user.roles.set(roles)
    forget_permissions(user)
    after = sorted(r.code for r in roles)
    record(
        actor=actor,
        action="identity.assign_roles",
        target=user,
        detail={"roles": [before, after]},
    )
    return user
