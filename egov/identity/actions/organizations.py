"""Writes to the organization tree (机构). Materialized paths are kept here."""

import re

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.core.validators import normalize_uscc, validate_uscc
from egov.identity.actions._common import (
    changes,
    choice,
    max_length,
    required_text,
    run_validator,
)
from egov.identity.models import Organization, PostAssignment, Region, Role
from egov.identity.permissions import identity_policy
from egov.identity.queries import data_scope_of

_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


def clean_organization_fields(
    *, code, name, short_name, kind, region, uscc, instance=None
) -> dict:
    """Checked and normalised organization fields, or ActionError naming the field."""
    code = max_length(
        required_text(code, "code", _("请填写机构代码")), "code", 64, _("机构代码")
    )
    if not _CODE_RE.match(code):
        message = _("机构代码只能包含字母、数字、点、下划线和连字符")
        raise ActionError(message, code="code_invalid", fields={"code": message})
    taken = Organization.objects.filter(code=code)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        message = _("机构代码 %(code)s 已被使用") % {"code": code}
        raise ActionError(message, code="code_taken", fields={"code": message})
    name = max_length(
        required_text(name, "name", _("请填写机构名称")), "name", 200, _("机构名称")
    )
    short_name = max_length((short_name or "").strip(), "short_name", 50, _("简称"))
    kind = choice(kind, Organization.Kind.choices, "kind", _("请选择有效的机构类型"))
    if region is None:
        message = _("请选择行政区划")
        raise ActionError(message, code="region_required", fields={"region": message})
    if not region.is_active:
        message = _("所选行政区划已停用")
        raise ActionError(message, code="region_inactive", fields={"region": message})
    uscc = normalize_uscc(uscc)
    if uscc:
        run_validator(validate_uscc, uscc, "uscc")
    return {
        "code": code,
        "name": name,
        "short_name": short_name,
        "kind": kind,
        "region": region,
        "uscc": uscc,
    }


def _require_placement(actor, parent, action: str) -> None:
    """An organization may go under `parent` only within the actor's scope; a
    root organization needs an actor whose scope is everything."""
    if parent is not None:
        if not parent.is_active:
            message = _("上级机构已停用")
            raise ActionError(
                message, code="parent_inactive", fields={"parent": message}
            )
        identity_policy.require(actor, action, parent)
        return
    identity_policy.require(actor, action)
    perm = f"identity.{action}"
    if data_scope_of(actor, perm=perm) != Role.DataScope.ALL:
        raise PermissionDenied(_("只有全局数据范围的管理员可以创建顶级机构"))


@audited("identity.create_organization")
def create_organization(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    region,
    parent=None,
    short_name: str = "",
    uscc: str = "",
    sort_order: int = 0,
) -> Organization:
    """A new organization under `parent` (inside the actor's scope) or a root."""
    _require_placement(actor, parent, "add_organization")
    fields = clean_organization_fields(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        region=region,
        uscc=uscc,
    )
    org = Organization.objects.create(
        parent=parent, sort_order=int(sort_order or 0), path="", **fields
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    record(
        actor=actor,
        action="identity.create_organization",
        target=org,
        detail={
            "code": org.code,
            "name": org.name,
            "parent": parent.code if parent else None,
        },
    )
    return org


def _snapshot(org: Organization) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "region": org.region.code,
        "uscc": org.uscc,
        "sort_order": org.sort_order,
    }


@audited("identity.update_organization", target_kwarg="organization")
def update_organization(
    *,
    actor,
    organization: Organization,
    code: str,
    name: str,
    kind: str,
    region,
    short_name: str = "",
    uscc: str = "",
    sort_order: int = 0,
) -> Organization:
    """Change an organization's own fields; move_organization changes its place."""
    identity_policy.require(actor, "change_organization", organization)
    fields = clean_organization_fields(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        region=region,
        uscc=uscc,
        instance=organization,
    )
    before = _snapshot(organization)
    for key, value in fields.items():
        setattr(organization, key, value)
    organization.sort_order = int(sort_order or 0)
    organization.save()
    record(
        actor=actor,
        action="identity.update_organization",
        target=organization,
        detail={"changes": changes(before, _snapshot(organization))},
    )
    return organization


def rebase_organization_subtree(org: Organization, new_path: str) -> int:
    """Give `org` a new path and rewrite its descendants' paths; returns how many
    rows changed."""
    old_path = org.path
    descendants = list(
        Organization.objects.filter(path__startswith=old_path).exclude(pk=org.pk)
    )
    for child in descendants:
        child.path = new_path + child.path[len(old_path) :]
    org.path = new_path
    org.save(update_fields=["path"])
    Organization.objects.bulk_update(descendants, ["path"], batch_size=500)
    return len(descendants) + 1


@audited("identity.move_organization", target_kwarg="organization")
def move_organization(*, actor, organization: Organization, parent=None):
    """Put an organization (with its whole subtree) under another parent.

    Refused when the new parent is the organization itself or one of its
    descendants, or lies outside the actor's scope.
    """
    identity_policy.require(actor, "change_organization", organization)
    if parent is not None and parent.path.startswith(organization.path):
        message = _("不能把机构移动到它自身或其下级机构之下")
        raise ActionError(
            message, code="organization_cycle", fields={"parent": message}
        )
    if organization.parent_id == (parent.pk if parent else None):
        message = _("机构已在所选上级机构之下")
        raise ActionError(message, code="not_moved", fields={"parent": message})
    _require_placement(actor, parent, "change_organization")
    before = organization.parent.code if organization.parent else None
    organization.parent = parent
    organization.save(update_fields=["parent", "updated_at"])
    moved = rebase_organization_subtree(
        organization, f"{parent.path if parent else '/'}{organization.pk}/"
    )
    record(
        actor=actor,
        action="identity.move_organization",
        target=organization,
        detail={
            "parent": [before, parent.code if parent else None],
            "rows": moved,
        },
    )
    return organization


@audited("identity.deactivate_organization", target_kwarg="organization")
def deactivate_organization(*, actor, organization: Organization) -> Organization:
    """Stop using an organization; refused while it has active sub-organizations
    or people holding its posts."""
    identity_policy.require(actor, "change_organization", organization)
    if not organization.is_active:
        raise ActionError(_("该机构已停用"), code="already_inactive")
    if organization.children.filter(is_active=True).exists():
        raise ActionError(
            _("该机构下仍有启用的下级机构，不能停用"), code="organization_has_children"
        )
    if PostAssignment.objects.filter(post__organization=organization).exists():
        raise ActionError(
            _("该机构仍有在岗人员，请先调整其岗位"), code="organization_has_members"
        )
    organization.is_active = False
    organization.save(update_fields=["is_active", "updated_at"])
    organization.posts.update(is_active=False)
    record(actor=actor, action="identity.deactivate_organization", target=organization)
    return organization


@audited("identity.activate_organization", target_kwarg="organization")
def activate_organization(*, actor, organization: Organization) -> Organization:
    identity_policy.require(actor, "change_organization", organization)
    if organization.is_active:
        raise ActionError(_("该机构已启用"), code="already_active")
    if organization.parent is not None and not organization.parent.is_active:
        raise ActionError(_("上级机构已停用，请先启用上级机构"), code="parent_inactive")
    organization.is_active = True
    organization.save(update_fields=["is_active", "updated_at"])
    record(actor=actor, action="identity.activate_organization", target=organization)
    return organization


def _kind_from(value: str) -> str | None:
    value = (value or "").strip()
    for kind, label in Organization.Kind.choices:
        if value in (kind, str(label)):
            return kind
    return None


def _parse_org_row(row, regions, errors) -> dict | None:
    """One import row checked on its own; None (and errors) when it is bad."""
    number, before = row["row"], len(errors)
    code = (row.get("code") or "").strip()
    if not code:
        errors.append((number, _("请填写机构代码")))
    elif len(code) > 64 or not _CODE_RE.match(code):
        errors.append(
            (number, _("机构代码只能包含字母、数字、点、下划线和连字符，最长64位"))
        )
    name = (row.get("name") or "").strip()
    if not name:
        errors.append((number, _("请填写机构名称")))
    elif len(name) > 200:
        errors.append((number, _("机构名称不能超过200个字符")))
    short_name = (row.get("short_name") or "").strip()
    if len(short_name) > 50:
        errors.append((number, _("简称不能超过50个字符")))
    kind = _kind_from(row.get("kind"))
    if kind is None:
        labels = "、".join(str(label) for _v, label in Organization.Kind.choices)
        errors.append((number, _("机构类型应为：%(kinds)s") % {"kinds": labels}))
    region = regions.get((row.get("region_code") or "").strip())
    if region is None:
        errors.append(
            (
                number,
                _("区划代码 %(code)s 不存在或已停用")
                % {"code": (row.get("region_code") or "").strip()},
            )
        )
    uscc = normalize_uscc(row.get("uscc"))
    if uscc:
        try:
            run_validator(validate_uscc, uscc, "uscc")
        except ActionError as exc:
            errors.append((number, str(exc.message)))
    raw_order = (row.get("sort_order") or "").strip() or "0"
    try:
        sort_order = int(raw_order)
    except ValueError:
        errors.append((number, _("排序应为整数")))
        sort_order = 0
    if len(errors) > before:
        return None
    return {
        "row": number,
        "code": code,
        "parent": (row.get("parent_code") or "").strip(),
        "fields": {
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "region": region,
            "uscc": uscc,
            "sort_order": sort_order,
        },
    }


@audited("identity.import_organizations")
def import_organizations(*, actor, rows: list[dict]) -> dict:
    """Create or update organizations from an import file, all or nothing.

    Rows are matched to existing organizations by code. A parent may be an
    existing organization or a row of the same file; it must lie in the
    actor's scope (a row without a parent needs a scope of everything). Existing
    organizations must be in the actor's scope too. Any bad row: ImportRejected
    listing every error, nothing written. Returns {"created", "updated",
    "unchanged"} counts.
    """
    from egov.identity.actions._common import ImportRejected, tree_depths
    from egov.identity.queries import visible

    identity_policy.require(actor, "import_organization")
    identity_policy.require(actor, "add_organization")
    everywhere = (
        data_scope_of(actor, perm="identity.add_organization") == Role.DataScope.ALL
    )
    existing = {o.code: o for o in Organization.objects.all()}
    placeable = set(
        visible(
            actor,
            Organization.objects.filter(is_active=True),
            perm="identity.add_organization",
        ).values_list("code", flat=True)
    )
    changeable = set(
        visible(
            actor, Organization.objects.all(), perm="identity.change_organization"
        ).values_list("code", flat=True)
    )
    regions = {r.code: r for r in Region.objects.filter(is_active=True)}
    errors: list[tuple[int, str]] = []
    parsed: dict[str, dict] = {}
    for row in rows:
        item = _parse_org_row(row, regions, errors)
        if item is None:
            continue
        code, number, parent = item["code"], item["row"], item["parent"]
        if code in parsed:
            errors.append(
                (
                    number,
                    _("机构代码 %(code)s 与第%(row)d行重复")
                    % {"code": code, "row": parsed[code]["row"]},
                )
            )
            continue
        if code in existing and code not in changeable:
            errors.append(
                (number, _("机构 %(code)s 不在您的管理范围内") % {"code": code})
            )
        if parent == code:
            errors.append((number, _("上级机构不能是自身")))
        elif parent and parent not in parsed and parent not in existing:
            if not any(r.get("code", "").strip() == parent for r in rows):
                errors.append(
                    (number, _("上级机构代码 %(code)s 不存在") % {"code": parent})
                )
        if parent in existing and parent not in parsed and parent not in placeable:
            errors.append(
                (
                    number,
                    _("上级机构 %(code)s 不在您的管理范围内或已停用")
                    % {"code": parent},
                )
            )
        if not parent and not everywhere:
            errors.append((number, _("请填写本机构范围内的上级机构代码")))
        parsed[code] = item
    depth = tree_depths(
        parsed,
        {code: org.path for code, org in existing.items()},
        errors,
        cycle=_("上级机构关系出现循环"),
        into_own_subtree=_("不能把机构移动到它自身的下级机构之下"),
    )
    if errors:
        raise ImportRejected(sorted(set(errors)))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for code in sorted(parsed, key=lambda c: (depth[c], c)):
        _write_imported(actor, parsed[code], existing, counts)
    record(actor=actor, action="identity.import_organizations", detail=counts)
    return counts


def _write_imported(actor, item, existing, counts) -> None:
    code, fields = item["code"], item["fields"]
    parent = existing.get(item["parent"]) if item["parent"] else None
    org = existing.get(code)
    if org is None:
        org = Organization.objects.create(code=code, parent=parent, path="", **fields)
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        org.save(update_fields=["path"])
        existing[code] = org
        counts["created"] += 1
        record(
            actor=actor,
            action="identity.create_organization",
            target=org,
            detail={"code": code, "source": "import"},
        )
        return
    before = _snapshot(org)
    for key, value in fields.items():
        setattr(org, key, value)
    moved = org.parent_id != (parent.pk if parent else None)
    if not moved and _snapshot(org) == before:
        counts["unchanged"] += 1
        return
    org.parent = parent
    org.save()
    if moved:
        old_path = org.path
        new_path = f"{parent.path if parent else '/'}{org.pk}/"
        rebase_organization_subtree(org, new_path)
        for other in existing.values():
            if other.path.startswith(old_path) and other.pk != org.pk:
                other.path = new_path + other.path[len(old_path) :]
    counts["updated"] += 1
    record(
        actor=actor,
        action="identity.update_organization",
        target=org,
        detail={"changes": changes(before, _snapshot(org)), "source": "import"},
    )


@audited("identity.export_organizations")
def export_organizations(*, actor) -> list[Organization]:
    """The organizations the actor may export, for a spreadsheet; logged."""
    from egov.identity.queries import organizations_for

    identity_policy.require(actor, "export_organization")
    rows = list(
        organizations_for(actor, perm="identity.export_organization").select_related(
            "parent", "region"
        )
    )
    record(
        actor=actor,
        action="identity.export_organizations",
        detail={"rows": len(rows)},
    )
    return rows
