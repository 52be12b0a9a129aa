"""Writes to the region tree (行政区划). Paths are kept here, never in save()."""

import re

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.identity.actions._common import (
    ImportRejected,
    changes,
    choice,
    max_length,
    required_text,
    tree_depths,
)
from egov.identity.models import Organization, Region
from egov.identity.permissions import identity_policy

# GB/T 2260 county-level codes are 6 digits; township codes add 3 (statistical
# division codes), villages 3 more.
_CODE_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


def _clean(code_required: bool, *, code, name, level, parent):
    if code_required:
        code = required_text(code, "code", _("请填写区划代码"))
        if not _CODE_RE.match(code):
            message = _("区划代码应为6位、9位或12位数字")
            raise ActionError(message, code="code_invalid", fields={"code": message})
    name = max_length(
        required_text(name, "name", _("请填写区划名称")), "name", 100, _("名称")
    )
    level = choice(level, Region.Level.choices, "level", _("请选择有效的区划级别"))
    if parent is not None and not parent.is_active:
        message = _("上级区划已停用")
        raise ActionError(message, code="parent_inactive", fields={"parent": message})
    return code, name, level


@audited("identity.create_region")
def create_region(*, actor, code: str, name: str, level: str, parent=None) -> Region:
    """A new region under `parent` (or a root); its code must be unique."""
    identity_policy.require(actor, "add_region")
    code, name, level = _clean(True, code=code, name=name, level=level, parent=parent)
    if Region.objects.filter(code=code).exists():
        message = _("区划代码 %(code)s 已存在") % {"code": code}
        raise ActionError(message, code="code_taken", fields={"code": message})
    region = Region.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=f"{parent.path if parent else '/'}{code}/",
    )
    record(
        actor=actor,
        action="identity.create_region",
        target=region,
        detail={"code": code, "name": name, "parent": parent.code if parent else None},
    )
    return region


def rebase_region_subtree(region: Region, new_path: str) -> None:
    """Give `region` a new path and rewrite its descendants' paths to match."""
    old_path = region.path
    descendants = list(
        Region.objects.filter(path__startswith=old_path).exclude(pk=region.pk)
    )
    for child in descendants:
        child.path = new_path + child.path[len(old_path) :]
    region.path = new_path
    region.save(update_fields=["path"])
    Region.objects.bulk_update(descendants, ["path"], batch_size=500)


@audited("identity.update_region", target_kwarg="region")
def update_region(*, actor, region: Region, name: str, level: str, parent=None):
    """Rename a region or move it under another parent (never into itself)."""
    identity_policy.require(actor, "change_region", region)
    _code, name, level = _clean(
        False, code=region.code, name=name, level=level, parent=parent
    )
    if parent is not None and parent.path.startswith(region.path):
        message = _("不能把区划移动到它自身或其下级区划之下")
        raise ActionError(message, code="region_cycle", fields={"parent": message})
    before = {
        "name": region.name,
        "level": region.level,
        "parent": region.parent.code if region.parent else None,
    }
    moved = region.parent_id != (parent.pk if parent else None)
    region.name, region.level, region.parent = name, level, parent
    region.save(update_fields=["name", "level", "parent"])
    if moved:
        rebase_region_subtree(region, f"{parent.path if parent else '/'}{region.code}/")
    after = {"name": name, "level": level, "parent": parent.code if parent else None}
    record(
        actor=actor,
        action="identity.update_region",
        target=region,
        detail={"changes": changes(before, after)},
    )
    return region


@audited("identity.deactivate_region", target_kwarg="region")
def deactivate_region(*, actor, region: Region) -> Region:
    """Stop using a region; refused while active regions or organizations sit in it."""
    identity_policy.require(actor, "change_region", region)
    if not region.is_active:
        raise ActionError(_("该区划已停用"), code="already_inactive")
    if region.children.filter(is_active=True).exists():
        raise ActionError(
            _("该区划下仍有启用的下级区划，不能停用"), code="region_has_children"
        )
    if Organization.objects.filter(region=region, is_active=True).exists():
        raise ActionError(
            _("该区划下仍有启用的机构，不能停用"), code="region_has_organizations"
        )
    region.is_active = False
    region.save(update_fields=["is_active"])
    record(actor=actor, action="identity.deactivate_region", target=region)
    return region


@audited("identity.activate_region", target_kwarg="region")
def activate_region(*, actor, region: Region) -> Region:
    identity_policy.require(actor, "change_region", region)
    if region.is_active:
        raise ActionError(_("该区划已启用"), code="already_active")
    if region.parent is not None and not region.parent.is_active:
        raise ActionError(_("上级区划已停用，请先启用上级区划"), code="parent_inactive")
    region.is_active = True
    region.save(update_fields=["is_active"])
    record(actor=actor, action="identity.activate_region", target=region)
    return region


def _level_from(value: str) -> str | None:
    value = (value or "").strip()
    for level, label in Region.Level.choices:
        if value in (level, str(label)):
            return level
    return None


@audited("identity.import_regions")
def import_regions(*, actor, rows: list[dict]) -> dict:
    """Create or update regions from rows of code, name, level, parent_code.

    `rows` are dicts with those keys plus "row" (the row number to report).
    Parents may come from the database or from any row of the same file. Every
    row is checked first; when any is wrong, ImportRejected lists them all and
    nothing is written. Running the same file twice changes nothing the second
    time. `actor` None means the command line (the operator of the machine).
    Returns counts: {"created": n, "updated": n, "unchanged": n}.
    """
    if actor is not None:
        identity_policy.require(actor, "add_region")
        identity_policy.require(actor, "change_region")
    errors: list[tuple[int, str]] = []
    parsed: dict[str, dict] = {}
    for row in rows:
        number = row["row"]
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        parent_code = (row.get("parent_code") or "").strip()
        level = _level_from(row.get("level"))
        if not _CODE_RE.match(code):
            errors.append(
                (number, _("区划代码“%(v)s”应为6位、9位或12位数字") % {"v": code})
            )
            continue
        if code in parsed:
            errors.append(
                (number, _("区划代码 %(code)s 在文件中重复出现") % {"code": code})
            )
            continue
        if not name:
            errors.append((number, _("缺少区划名称")))
        elif len(name) > 100:
            errors.append((number, _("区划名称不能超过100个字符")))
        if level is None:
            errors.append(
                (number, _("级别“%(v)s”无效") % {"v": (row.get("level") or "").strip()})
            )
        if parent_code == code:
            errors.append((number, _("上级区划不能是自身")))
        parsed[code] = {
            "row": number,
            "name": name,
            "level": level,
            "parent_code": parent_code,
        }
    existing = {r.code: r for r in Region.objects.all()}
    for item in parsed.values():
        parent_code = item["parent_code"]
        if parent_code and parent_code not in parsed and parent_code not in existing:
            errors.append(
                (item["row"], _("上级区划代码 %(code)s 不存在") % {"code": parent_code})
            )
    depth = tree_depths(
        {
            code: {"row": i["row"], "parent": i["parent_code"]}
            for code, i in parsed.items()
        },
        {code: region.path for code, region in existing.items()},
        errors,
        cycle=_("上级区划关系出现循环"),
        into_own_subtree=_("不能把区划移动到它自身的下级区划之下"),
    )
    if errors:
        raise ImportRejected(sorted(set(errors)))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for code in sorted(parsed, key=lambda c: (depth[c], c)):
        item = parsed[code]
        parent = existing.get(item["parent_code"]) if item["parent_code"] else None
        region = existing.get(code)
        if region is None:
            region = Region.objects.create(
                code=code,
                name=item["name"],
                level=item["level"],
                parent=parent,
                path=f"{parent.path if parent else '/'}{code}/",
            )
            existing[code] = region
            counts["created"] += 1
            continue
        if (region.name, region.level, region.parent_id) == (
            item["name"],
            item["level"],
            parent.pk if parent else None,
        ):
            counts["unchanged"] += 1
            continue
        moved = region.parent_id != (parent.pk if parent else None)
        region.name, region.level, region.parent = item["name"], item["level"], parent
        region.save(update_fields=["name", "level", "parent"])
        if moved:
            old_path = region.path
            new_path = f"{parent.path if parent else '/'}{code}/"
            rebase_region_subtree(region, new_path)
            for other in existing.values():
                if other.path.startswith(old_path):
                    other.path = new_path + other.path[len(old_path) :]
        counts["updated"] += 1
    record(actor=actor, action="identity.import_regions", detail=counts)
    return counts
