"""服务窗口 writes: the administrator sets up a window, edits it, enables or
disables it and puts staff on duty (当班); staff take a window for their shift
(上岗) and leave it (离岗).

A person is on duty at one window at a time: putting them on duty somewhere
takes them off the window where they were. A disabled window has nobody on
duty and cannot be taken. Who serves at a window is recorded on every visit
rating given there, so each change of duty is in the audit log.

Every action runs in one transaction behind `audited`, checks who may act
(egov.supervision.permissions) and writes its audit entry; a refusal raises
ActionError with a message in Chinese and leaves nothing written.
"""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.identity.models import PostAssignment, User
from egov.supervision.models import ServiceWindow
from egov.supervision.permissions import supervision_policy

ACTION_LABELS = {
    "supervision.create_window": gettext_lazy("新增服务窗口"),
    "supervision.update_window": gettext_lazy("修改服务窗口"),
    "supervision.enable_window": gettext_lazy("启用服务窗口"),
    "supervision.disable_window": gettext_lazy("停用服务窗口"),
    "supervision.assign_window_staff": gettext_lazy("安排窗口当班人员"),
    "supervision.take_window": gettext_lazy("窗口上岗"),
    "supervision.leave_window": gettext_lazy("窗口离岗"),
}

# The code goes into the rating address printed on the counter: lower-case
# letters, digits and single hyphens, 2 to 32 characters.
CODE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,31}$")
# Paths of the window pages that a code must not shadow.
RESERVED_CODES = {"new"}
NAME_MAX_LENGTH = 100


def _field_error(field: str, code: str, message) -> ActionError:
    return ActionError(message, code=code, fields={field: message})


def clean_code(code) -> str:
    """The window code, normalised to lower case, or ActionError on `code`."""
    code = (code or "").strip().lower()
    if not code:
        raise _field_error("code", "code_required", _("请填写窗口编码"))
    if not CODE_RE.match(code):
        raise _field_error(
            "code",
            "code_invalid",
            _(
                "窗口编码为2至32位小写字母、数字或连字符，"
                "以字母或数字开头和结尾，如 hall-01"
            ),
        )
    if code in RESERVED_CODES:
        raise _field_error(
            "code",
            "code_reserved",
            _("“%(code)s”为系统保留字，不能用作窗口编码") % {"code": code},
        )
    if ServiceWindow.objects.filter(code=code).exists():
        raise _field_error(
            "code", "code_taken", _("窗口编码 %(code)s 已被使用") % {"code": code}
        )
    return code


def _clean_name(name) -> str:
    name = (name or "").strip()
    if not name:
        raise _field_error("name", "name_required", _("请填写窗口名称"))
    if len(name) > NAME_MAX_LENGTH:
        raise _field_error(
            "name",
            "name_too_long",
            _("窗口名称不能超过%(n)d个字") % {"n": NAME_MAX_LENGTH},
        )
    return name


def _clean_organization(actor, organization, action: str, obj=None):
    if organization is None:
        raise _field_error("organization", "organization_required", _("请选择所属机构"))
    if not organization.is_active:
        raise _field_error("organization", "organization_inactive", _("所选机构已停用"))
    # A window may only go to an organization whose windows the actor runs.
    supervision_policy.require(actor, action, organization)
    return organization


def check_staff(staff, organization, *, field: str = "staff") -> None:
    """Refuse anyone who may not serve at a window of `organization`: only
    active staff holding a post in its region (or a region below it) — the
    county's departments station people at the county's hall."""
    if staff is None or staff.kind != User.Kind.STAFF or not staff.is_active:
        raise _field_error(field, "staff_invalid", _("所选人员不是在职的工作人员"))
    region_path = organization.region.path
    holds_post = PostAssignment.objects.filter(
        user=staff,
        post__is_active=True,
        post__organization__is_active=True,
        post__organization__region__path__startswith=region_path,
    ).exists()
    if not holds_post:
        raise _field_error(
            field,
            "staff_out_of_region",
            _("%(name)s不在%(region)s的机构任职，不能在该窗口当班")
            % {"name": staff.real_name, "region": organization.region.name},
        )


def _lock(window: ServiceWindow) -> ServiceWindow:
    return ServiceWindow.objects.select_for_update().get(pk=window.pk)


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _put_on_duty(window: ServiceWindow, staff) -> list[str]:
    """Make `staff` the one on duty at the locked `window`, taking them off
    any other window; the codes of the windows they left."""
    # One person, one window: lock the person so two windows taken at once
    # cannot both keep them.
    User.objects.select_for_update().filter(pk=staff.pk).first()
    elsewhere = ServiceWindow.objects.select_for_update().filter(staff=staff)
    left = sorted(elsewhere.exclude(pk=window.pk).values_list("code", flat=True))
    elsewhere.exclude(pk=window.pk).update(staff=None)
    window.staff = staff
    window.save(update_fields=["staff"])
    return left


@audited("supervision.create_window")
def create_window(*, actor, code: str, name: str, organization) -> ServiceWindow:
    """A new, enabled window of `organization` (within the actor's scope),
    with nobody on duty yet."""
    supervision_policy.require(actor, "create_window")
    code = clean_code(code)
    name = _clean_name(name)
    organization = _clean_organization(actor, organization, "create_window")
    try:
        with transaction.atomic():
            window = ServiceWindow.objects.create(
                code=code, name=name, organization=organization
            )
    except IntegrityError:
        raise _field_error(
            "code", "code_taken", _("窗口编码 %(code)s 已被使用") % {"code": code}
        ) from None
    record(
        actor=actor,
        action="supervision.create_window",
        target=window,
        detail={"code": code, "name": name, "organization": organization.code},
    )
    return window


@audited("supervision.update_window", target_kwarg="window")
def update_window(
    *, actor, window: ServiceWindow, name: str, organization
) -> ServiceWindow:
    """Rename a window or give it to another organization in the actor's
    scope. The code stays: it is printed on the counter."""
    supervision_policy.require(actor, "change_window", window)
    window = _lock(window)
    name = _clean_name(name)
    organization = _clean_organization(actor, organization, "change_window")
    if window.staff_id is not None and organization.pk != window.organization_id:
        check_staff(window.staff, organization, field="organization")
    before = {"name": window.name, "organization": window.organization.code}
    window.name = name
    window.organization = organization
    window.save(update_fields=["name", "organization"])
    after = {"name": name, "organization": organization.code}
    record(
        actor=actor,
        action="supervision.update_window",
        target=window,
        detail={
            "changes": {
                key: [before[key], value]
                for key, value in after.items()
                if before[key] != value
            }
        },
    )
    return window


@audited("supervision.enable_window", target_kwarg="window")
def enable_window(*, actor, window: ServiceWindow) -> ServiceWindow:
    """Open a disabled window for duty and ratings again."""
    supervision_policy.require(actor, "change_window", window)
    window = _lock(window)
    if window.is_active:
        raise ActionError(_("该窗口已是启用状态"), code="window_active", target=window)
    if not window.organization.is_active:
        raise ActionError(
            _("窗口所属机构已停用，不能启用该窗口"),
            code="organization_inactive",
            target=window,
        )
    window.is_active = True
    window.save(update_fields=["is_active"])
    record(actor=actor, action="supervision.enable_window", target=window)
    return window


@audited("supervision.disable_window", target_kwarg="window")
def disable_window(*, actor, window: ServiceWindow) -> ServiceWindow:
    """Close a window: whoever is on duty leaves it, nobody can take it, and
    its rating page no longer takes ratings. Its past ratings stay."""
    supervision_policy.require(actor, "change_window", window)
    window = _lock(window)
    if not window.is_active:
        raise ActionError(_("该窗口已停用"), code="window_inactive", target=window)
    off_duty = window.staff
    window.is_active = False
    window.staff = None
    window.save(update_fields=["is_active", "staff"])
    record(
        actor=actor,
        action="supervision.disable_window",
        target=window,
        detail={"staff_off_duty": _username(off_duty)},
    )
    return window


@audited("supervision.assign_window_staff", target_kwarg="window")
def assign_window_staff(*, actor, window: ServiceWindow, staff=None) -> ServiceWindow:
    """The administrator puts `staff` on duty at the window (taking them off
    any other window), or takes whoever is there off duty (`staff` None)."""
    supervision_policy.require(actor, "change_window", window)
    window = _lock(window)
    before = window.staff
    left: list[str] = []
    if staff is None:
        if before is None:
            raise ActionError(
                _("该窗口当前没有当班人员"), code="nobody_on_duty", target=window
            )
        window.staff = None
        window.save(update_fields=["staff"])
    else:
        if not window.is_active:
            raise ActionError(
                _("该窗口已停用，不能安排当班"), code="window_inactive", target=window
            )
        check_staff(staff, window.organization)
        if before is not None and before.pk == staff.pk:
            message = _("%(name)s已在该窗口当班") % {"name": staff.real_name}
            raise _field_error("staff", "already_on_duty", message)
        left = _put_on_duty(window, staff)
    record(
        actor=actor,
        action="supervision.assign_window_staff",
        target=window,
        detail={
            "before": _username(before),
            "after": _username(staff),
            "left_windows": left,
        },
    )
    return window


@audited("supervision.take_window", target_kwarg="window")
def take_window(*, actor, window: ServiceWindow) -> ServiceWindow:
    """上岗: the actor takes the window for their shift, relieving whoever
    was on duty there and leaving any other window of theirs."""
    supervision_policy.require(actor, "take_window", window)
    window = _lock(window)
    if not window.is_active:
        raise ActionError(
            _("该窗口已停用，不能上岗"), code="window_inactive", target=window
        )
    if window.staff_id == actor.pk:
        raise ActionError(_("您已在该窗口当班"), code="already_on_duty", target=window)
    check_staff(actor, window.organization)
    relieved = window.staff
    left = _put_on_duty(window, actor)
    record(
        actor=actor,
        action="supervision.take_window",
        target=window,
        detail={"relieved": _username(relieved), "left_windows": left},
    )
    return window


@audited("supervision.leave_window", target_kwarg="window")
def leave_window(*, actor, window: ServiceWindow) -> ServiceWindow:
    """离岗: the staff member on duty leaves the window."""
    window = _lock(window)
    if actor is None or not actor.is_authenticated or window.staff_id != actor.pk:
        raise ActionError(_("您不在该窗口当班"), code="not_on_duty", target=window)
    window.staff = None
    window.save(update_fields=["staff"])
    record(actor=actor, action="supervision.leave_window", target=window)
    return window
