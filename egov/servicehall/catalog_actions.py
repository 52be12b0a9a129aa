"""Writes to the item catalog: drafting, review, versions, retirement, import.

Every action runs in one transaction under `audited`, checks the service hall
policy, writes its audit entry with `record`, and refuses bad input with an
ActionError whose `fields` name the inputs at fault (materials as
"materials-<index>-<field>", the formset's own names), so a page can put each
message beside its field. Nothing is written when anything is refused.
"""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.core.files import MATERIALS, store_upload
from egov.core.models import TimeUnit
from egov.servicehall.models import (
    RequiredMaterial,
    ServiceItem,
    ServiceItemVersion,
    Theme,
)
from egov.servicehall.permissions import is_own_work, servicehall_policy

ACTION_LABELS = {
    "servicehall.create_item": gettext_lazy("新建事项"),
    "servicehall.edit_item_draft": gettext_lazy("修改事项草稿"),
    "servicehall.submit_item": gettext_lazy("提交事项审核"),
    "servicehall.approve_item": gettext_lazy("审核发布事项"),
    "servicehall.reject_item": gettext_lazy("退回事项"),
    "servicehall.new_item_version": gettext_lazy("新建事项版本"),
    "servicehall.retire_item": gettext_lazy("废止事项"),
    "servicehall.import_catalog": gettext_lazy("导入事项库"),
    "servicehall.export_catalog": gettext_lazy("导出事项库"),
    "servicehall.save_theme": gettext_lazy("保存主题"),
}

Status = ServiceItemVersion.Status

CODE_RE = re.compile(r"[0-9A-Z][0-9A-Z-]{3,63}")
# A landline with or without its area code and extension, a mobile number, or
# a hotline such as 12345.
PHONE_RE = re.compile(r"(0[0-9]{2,3}-?)?[0-9]{5,8}(-[0-9]{1,6})?|1[3-9][0-9]{9}")
MAX_LIMIT = 999
MAX_VISITS = 9
MAX_FEE_FEN = 100_000_000
MAX_COPIES = 99
MAX_TEXT = 10_000

# The content fields a version carries, copied into the next version as-is.
CONTENT_FIELDS = (
    "name",
    "kind",
    "legal_basis",
    "conditions",
    "statutory_limit",
    "statutory_limit_unit",
    "promised_limit",
    "promised_limit_unit",
    "charges_fee",
    "fee_fen",
    "fee_basis",
    "hall_address",
    "office_hours",
    "max_visits",
    "consultation_phone",
    "complaint_phone",
    "online",
    "for_individuals",
    "for_entities",
    "process_key",
    "form_key",
    "issues_licence",
    "licence_type",
)
MATERIAL_FIELDS = (
    "name",
    "is_required",
    "form",
    "copies",
    "note",
    "for_individuals",
    "for_entities",
)


def _refuse(errors: dict, code: str = "invalid_item") -> ActionError:
    first = next(iter(errors.values()))
    return ActionError(first, code=code, fields=errors)


# --- checking input ------------------------------------------------------------


def clean_code(value) -> str:
    """The item code in its stored form (upper case), or ActionError."""
    code = str(value or "").strip().upper()
    if not code:
        message = _("请填写事项编码")
        raise ActionError(message, code="code_required", fields={"code": message})
    if not CODE_RE.fullmatch(code):
        message = _("事项编码应为4到64位大写字母、数字或连字符，且不以连字符开头")
        raise ActionError(message, code="code_invalid", fields={"code": message})
    return code


def _text(data, errors, name, label, *, limit, required=True) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors[name] = _("请填写%(label)s") % {"label": label}
    elif len(value) > limit:
        errors[name] = _("%(label)s不能超过%(n)d个字符") % {"label": label, "n": limit}
    return value


def _number(data, errors, name, label, *, low, high) -> int:
    value = data.get(name)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (low <= value <= high)
    ):
        errors[name] = _("%(label)s应为%(low)d到%(high)d之间的整数") % {
            "label": label,
            "low": low,
            "high": high,
        }
        return low
    return value


def _choice(data, errors, name, choices, message) -> str:
    value = data.get(name)
    if value not in {code for code, _label in choices}:
        errors[name] = message
    return value


def _phone(data, errors, name, label) -> str:
    value = _text(data, errors, name, label, limit=30)
    if value and not PHONE_RE.fullmatch(value):
        errors[name] = _("%(label)s格式不正确，例如 0399-1234567、12345") % {
            "label": label
        }
    return value


# How many hours a limit lasts at the least, to compare limits of two units: a
# working day or a calendar day spans at least 24 hours.
def _min_hours(amount: int, unit: str) -> int:
    return amount if unit == TimeUnit.HOURS else amount * 24


def _promise_exceeds_statute(promised, promised_unit, statutory, statutory_unit):
    if promised_unit == statutory_unit:
        return promised > statutory
    if statutory_unit == TimeUnit.WORKDAYS:
        # n working days may span any number of calendar days or hours.
        return False
    return _min_hours(promised, promised_unit) > _min_hours(statutory, statutory_unit)


def clean_item_fields(data: dict) -> tuple[dict, dict]:
    """The item content of `data` checked: (clean values, {field: message}).

    `data` holds typed values as a form cleans them (ints, bools, a list of
    Theme rows under "themes"); see CONTENT_FIELDS. Keys of the returned
    errors are the field names, plus "audience" for the 服务对象 pair.
    """
    errors: dict[str, str] = {}
    clean: dict = {}
    clean["name"] = _text(data, errors, "name", _("事项名称"), limit=200)
    clean["kind"] = _choice(
        data,
        errors,
        "kind",
        ServiceItemVersion.Kind.choices,
        _("请选择事项类型"),
    )
    clean["legal_basis"] = _text(
        data, errors, "legal_basis", _("设定依据"), limit=MAX_TEXT
    )
    clean["conditions"] = _text(
        data, errors, "conditions", _("受理条件"), limit=MAX_TEXT
    )
    for prefix, label in (("statutory", _("法定时限")), ("promised", _("承诺时限"))):
        name = f"{prefix}_limit"
        clean[name] = _number(data, errors, name, label, low=0, high=MAX_LIMIT)
        clean[f"{name}_unit"] = _choice(
            data,
            errors,
            f"{name}_unit",
            TimeUnit.choices,
            _("请选择%(label)s的单位") % {"label": label},
        )
    if not errors.keys() & {
        "statutory_limit",
        "statutory_limit_unit",
        "promised_limit",
        "promised_limit_unit",
    } and _promise_exceeds_statute(
        clean["promised_limit"],
        clean["promised_limit_unit"],
        clean["statutory_limit"],
        clean["statutory_limit_unit"],
    ):
        errors["promised_limit"] = _("承诺时限不能长于法定时限")

    clean["charges_fee"] = bool(data.get("charges_fee"))
    if clean["charges_fee"]:
        fee = data.get("fee_fen")
        if isinstance(fee, bool) or not isinstance(fee, int) or fee <= 0:
            errors["fee_fen"] = _("收费事项须填写大于0的收费标准")
            fee = 0
        elif fee > MAX_FEE_FEN:
            errors["fee_fen"] = _("收费标准不能超过100万元")
        clean["fee_fen"] = fee
        clean["fee_basis"] = str(data.get("fee_basis") or "").strip()
        if not clean["fee_basis"]:
            errors["fee_basis"] = _("收费事项须填写收费依据")
        elif len(clean["fee_basis"]) > MAX_TEXT:
            errors["fee_basis"] = _("收费依据不能超过%(n)d个字符") % {"n": MAX_TEXT}
    else:
        clean["fee_fen"] = 0
        clean["fee_basis"] = ""

    clean["hall_address"] = _text(
        data, errors, "hall_address", _("办理地点"), limit=300
    )
    clean["office_hours"] = _text(
        data, errors, "office_hours", _("办理时间"), limit=200
    )
    clean["max_visits"] = _number(
        data, errors, "max_visits", _("最多跑动次数"), low=0, high=MAX_VISITS
    )
    clean["consultation_phone"] = _phone(
        data, errors, "consultation_phone", _("咨询电话")
    )
    clean["complaint_phone"] = _phone(
        data, errors, "complaint_phone", _("监督投诉电话")
    )
    clean["online"] = bool(data.get("online"))
    clean["for_individuals"] = bool(data.get("for_individuals"))
    clean["for_entities"] = bool(data.get("for_entities"))
    if not (clean["for_individuals"] or clean["for_entities"]):
        errors["audience"] = _("请至少选择一类服务对象（个人或法人）")

    clean["process_key"] = str(data.get("process_key") or "").strip()
    if clean["process_key"] and not _process_exists(clean["process_key"]):
        errors["process_key"] = _("办理流程“%(key)s”不存在") % {
            "key": clean["process_key"]
        }
    clean["form_key"] = str(data.get("form_key") or "").strip()
    if clean["form_key"] and not _form_published(clean["form_key"]):
        errors["form_key"] = _("申请表单“%(key)s”不存在或尚未发布") % {
            "key": clean["form_key"]
        }

    clean["issues_licence"] = bool(data.get("issues_licence"))
    if clean["issues_licence"]:
        clean["licence_type"] = _text(
            data, errors, "licence_type", _("证照类型"), limit=100
        )
    else:
        clean["licence_type"] = ""
    clean["change_note"] = _text(
        data, errors, "change_note", _("修订说明"), limit=500, required=False
    )
    themes = list(data.get("themes") or [])
    if any(not isinstance(t, Theme) or not t.is_active for t in themes):
        errors["themes"] = _("所选主题不存在或已停用")
    clean["themes"] = themes
    return clean, errors


def _process_exists(key: str) -> bool:
    from egov.workflow.models import ProcessDefinition

    return ProcessDefinition.objects.filter(key=key).exists()


def _form_published(key: str) -> bool:
    from egov.eforms.models import FormDefinition

    return FormDefinition.objects.filter(key=key, published=True).exists()


def clean_material(data: dict, item_fields: dict) -> tuple[dict, dict]:
    """One material checked: (clean values, {field: message})."""
    errors: dict[str, str] = {}
    clean: dict = {}
    clean["name"] = _text(data, errors, "name", _("材料名称"), limit=200)
    clean["is_required"] = bool(data.get("is_required"))
    clean["form"] = _choice(
        data,
        errors,
        "form",
        RequiredMaterial.Form.choices,
        _("请选择材料形式"),
    )
    clean["copies"] = _number(data, errors, "copies", _("份数"), low=1, high=MAX_COPIES)
    clean["note"] = _text(
        data, errors, "note", _("填报须知"), limit=500, required=False
    )
    clean["for_individuals"] = bool(data.get("for_individuals"))
    clean["for_entities"] = bool(data.get("for_entities"))
    if not (clean["for_individuals"] or clean["for_entities"]):
        errors["for_individuals"] = _("请至少选择一类适用对象（个人或法人）")
    elif (clean["for_individuals"] and not item_fields.get("for_individuals")) or (
        clean["for_entities"] and not item_fields.get("for_entities")
    ):
        errors["for_individuals"] = _("材料的适用对象超出了事项的服务对象")
    return clean, errors


@dataclass
class _MaterialPlan:
    values: dict
    existing: RequiredMaterial | None = None
    template_file: object = None
    example_file: object = None
    uploads: dict = field(default_factory=dict)


def _check_materials(
    materials: list[dict], item_fields: dict, version=None
) -> tuple[list[_MaterialPlan], dict]:
    """Check every material, without storing anything: (plans, errors)."""
    existing = {m.pk: m for m in version.materials.all()} if version else {}
    errors: dict[str, str] = {}
    plans = []
    seen: set[str] = set()
    for index, data in enumerate(materials):
        values, problems = clean_material(data, item_fields)
        pk = data.get("id")
        current = None
        if pk:
            current = existing.get(pk if isinstance(pk, int) else _int(pk))
            if current is None:
                problems["name"] = _("该材料不属于此事项草稿，请刷新页面后重试")
        if values["name"] and values["name"] in seen:
            problems["name"] = _("材料“%(name)s”重复") % {"name": values["name"]}
        seen.add(values["name"])
        plan = _MaterialPlan(values=values, existing=current)
        for which in ("template", "example"):
            stored = getattr(current, f"{which}_file") if current else None
            if data.get(f"{which}_file") is not None:
                stored = data[f"{which}_file"]
            if data.get(f"clear_{which}"):
                stored = None
            setattr(plan, f"{which}_file", stored)
            if data.get(f"{which}_upload"):
                plan.uploads[which] = data[f"{which}_upload"]
        errors.update({f"materials-{index}-{k}": m for k, m in problems.items()})
        plans.append(plan)
    return plans, errors


def _store_uploads(actor, plans: list[_MaterialPlan]) -> dict:
    """Store the checked materials' new files; {field: message} for refusals."""
    errors: dict[str, str] = {}
    for index, plan in enumerate(plans):
        for which, upload in plan.uploads.items():
            try:
                stored = store_upload(actor=actor, upload=upload, allowed=MATERIALS)
            except ActionError as exc:
                errors[f"materials-{index}-{which}_upload"] = str(exc.message)
            else:
                setattr(plan, f"{which}_file", stored)
    return errors


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _write_materials(version, plans: list[_MaterialPlan]) -> None:
    keep = {p.existing.pk for p in plans if p.existing is not None}
    version.materials.exclude(pk__in=keep).delete()
    for index, plan in enumerate(plans):
        material = plan.existing or RequiredMaterial(version=version)
        for name, value in plan.values.items():
            setattr(material, name, value)
        material.template_file = plan.template_file
        material.example_file = plan.example_file
        material.sort_order = (index + 1) * 10
        material.save()


def _apply_fields(version, clean: dict) -> None:
    for name in (*CONTENT_FIELDS, "change_note"):
        setattr(version, name, clean[name])


def snapshot(version) -> dict:
    """A version's content as plain values, to compare versions and to log."""
    data = {name: getattr(version, name) for name in CONTENT_FIELDS}
    data["themes"] = sorted(t.code for t in version.themes.all())
    data["materials"] = [
        {name: getattr(m, name) for name in MATERIAL_FIELDS}
        for m in version.materials.all()
    ]
    return data


def _changes(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if before.get(key) != value
    }


# --- drafting ------------------------------------------------------------------


@audited("servicehall.create_item")
def create_item(
    *,
    actor,
    code: str,
    organization,
    fields: dict,
    materials: list[dict] = (),
) -> ServiceItemVersion:
    """Create an item and its first version as a draft; returns the draft.

    `fields` as clean_item_fields takes them, `materials` a list of dicts with
    the RequiredMaterial fields plus optional `template_upload`,
    `example_upload` (uploaded files). The organization must be in the actor's
    scope for add_serviceitem.
    """
    servicehall_policy.require(actor, "create_item")
    errors: dict[str, str] = {}
    try:
        code = clean_code(code)
    except ActionError as exc:
        errors.update(exc.fields)
    else:
        if ServiceItem.objects.filter(code=code).exists():
            errors["code"] = _("事项编码“%(code)s”已存在") % {"code": code}
    if organization is None:
        errors["organization"] = _("请选择实施机构")
    elif not organization.is_active:
        errors["organization"] = _("实施机构已停用")
    clean, problems = clean_item_fields(fields)
    errors.update(problems)
    plans, problems = _check_materials(list(materials), clean)
    errors.update(problems)
    if errors:
        raise _refuse(errors)
    servicehall_policy.require(actor, "create_item", organization)
    problems = _store_uploads(actor, plans)
    if problems:
        raise _refuse(problems)
    item = _new_item(code, organization, actor)
    version = ServiceItemVersion(
        item=item, number=1, created_by=actor, updated_by=actor
    )
    _apply_fields(version, clean)
    version.save()
    version.themes.set(clean["themes"])
    _write_materials(version, plans)
    record(
        actor=actor,
        action="servicehall.create_item",
        target=version,
        detail={
            "code": code,
            "organization": organization.code,
            "name": clean["name"],
            "materials": len(plans),
        },
    )
    return version


def _code_taken(code: str) -> ActionError:
    message = _("事项编码“%(code)s”已存在") % {"code": code}
    return ActionError(message, code="invalid_item", fields={"code": message})


def _new_item(code: str, organization, actor) -> ServiceItem:
    """Create the item; a code someone else took a moment ago is refused like
    any taken code (the unique index decides the race)."""
    try:
        with transaction.atomic():
            return ServiceItem.objects.create(
                code=code, organization=organization, created_by=actor
            )
    except IntegrityError:
        raise _code_taken(code) from None


def _require_status(version, *statuses, message, code) -> None:
    if version.status not in statuses:
        raise ActionError(message, code=code, target=version)


@audited("servicehall.edit_item_draft")
def edit_item_draft(
    *,
    actor,
    version: ServiceItemVersion,
    fields: dict,
    materials: list[dict],
    code: str | None = None,
    organization=None,
) -> ServiceItemVersion:
    """Replace a draft's content and materials.

    Only a draft can be edited. `materials` is the whole new list: an entry
    with the `id` of one of the draft's materials updates it (keeping its
    files unless `clear_template`/`clear_example` or a new upload says
    otherwise); the draft's materials not listed are removed. `code` and
    `organization` may change only while no version of the item has ever
    been published.
    """
    version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    item = version.item
    servicehall_policy.require(actor, "edit_item", item)
    _require_status(
        version,
        Status.DRAFT,
        message=_("只有草稿状态的事项可以修改"),
        code="not_draft",
    )
    before = snapshot(version)
    errors: dict[str, str] = {}
    ever_published = item.versions.filter(
        status__in=ServiceItemVersion.EFFECTIVE_STATUSES
    ).exists()
    new_code = item.code
    if code is not None:
        try:
            new_code = clean_code(code)
        except ActionError as exc:
            errors.update(exc.fields)
        else:
            if new_code != item.code:
                if ever_published:
                    errors["code"] = _("事项已发布过，事项编码不能再修改")
                elif ServiceItem.objects.filter(code=new_code).exists():
                    errors["code"] = _("事项编码“%(code)s”已存在") % {"code": new_code}
    new_org = item.organization if organization is None else organization
    if new_org.pk != item.organization_id:
        if ever_published:
            errors["organization"] = _("事项已发布过，实施机构不能再修改")
        elif not new_org.is_active:
            errors["organization"] = _("实施机构已停用")
    clean, problems = clean_item_fields(fields)
    errors.update(problems)
    plans, problems = _check_materials(list(materials), clean, version)
    errors.update(problems)
    if errors:
        raise _refuse(errors)
    if new_org.pk != item.organization_id:
        servicehall_policy.require(actor, "create_item", new_org)
    problems = _store_uploads(actor, plans)
    if problems:
        raise _refuse(problems)
    if new_code != item.code or new_org.pk != item.organization_id:
        item.code = new_code
        item.organization = new_org
        try:
            with transaction.atomic():
                item.save(update_fields=["code", "organization"])
        except IntegrityError:
            raise _code_taken(new_code) from None
    _apply_fields(version, clean)
    version.updated_by = actor
    version.save()
    version.themes.set(clean["themes"])
    _write_materials(version, plans)
    record(
        actor=actor,
        action="servicehall.edit_item_draft",
        target=version,
        detail={"changes": _changes(before, snapshot(version))},
    )
    return version


@audited("servicehall.submit_item")
def submit_item(*, actor, version: ServiceItemVersion) -> ServiceItemVersion:
    """Send a draft to review. It needs at least one material."""
    version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    servicehall_policy.require(actor, "submit_item", version.item)
    _require_status(
        version,
        Status.DRAFT,
        message=_("只有草稿可以提交审核"),
        code="not_draft",
    )
    if not version.materials.exists():
        raise ActionError(
            _("请至少填写一项申请材料后再提交审核"),
            code="no_materials",
            target=version,
        )
    version.status = Status.IN_REVIEW
    version.submitted_by = actor
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_by", "submitted_at"])
    record(
        actor=actor,
        action="servicehall.submit_item",
        target=version,
        detail={"name": version.name},
    )
    return version


# --- review --------------------------------------------------------------------


def _lock_for_review(actor, version) -> ServiceItemVersion:
    version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    servicehall_policy.require(actor, "review_item", version.item)
    _require_status(
        version,
        Status.IN_REVIEW,
        message=_("该事项不在待审核状态"),
        code="not_in_review",
    )
    if is_own_work(actor, version):
        raise ActionError(
            _("不能审核本人起草、修改或提交的事项，请由其他审核人审核"),
            code="self_review",
            target=version,
        )
    return version


@audited("servicehall.approve_item")
def approve_item(
    *, actor, version: ServiceItemVersion, comment: str = ""
) -> ServiceItemVersion:
    """Publish a version in review: it takes effect now, and the version
    published before it (if any) is superseded at the same instant."""
    version = _lock_for_review(actor, version)
    comment = (comment or "").strip()
    if len(comment) > 500:
        message = _("审核意见不能超过500个字符")
        raise ActionError(message, code="comment_too_long", fields={"comment": message})
    now = timezone.now()
    previous = (
        ServiceItemVersion.objects.select_for_update()
        .filter(item_id=version.item_id, status=Status.PUBLISHED)
        .first()
    )
    if previous is not None:
        previous.status = Status.SUPERSEDED
        previous.effective_to = now
        previous.save(update_fields=["status", "effective_to"])
    version.status = Status.PUBLISHED
    version.effective_from = now
    version.reviewed_by = actor
    version.reviewed_at = now
    version.review_comment = comment
    version.save(
        update_fields=[
            "status",
            "effective_from",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
    )
    record(
        actor=actor,
        action="servicehall.approve_item",
        target=version,
        detail={
            "comment": comment,
            "superseded": previous.number if previous else None,
        },
    )
    return version


@audited("servicehall.reject_item")
def reject_item(
    *, actor, version: ServiceItemVersion, reason: str
) -> ServiceItemVersion:
    """Return a version in review to draft, with the reviewer's reason."""
    version = _lock_for_review(actor, version)
    reason = (reason or "").strip()
    if not reason:
        message = _("请填写退回理由")
        raise ActionError(message, code="reason_required", fields={"reason": message})
    if len(reason) > 500:
        message = _("退回理由不能超过500个字符")
        raise ActionError(message, code="reason_too_long", fields={"reason": message})
    version.status = Status.DRAFT
    version.reviewed_by = actor
    version.reviewed_at = timezone.now()
    version.review_comment = reason
    version.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"]
    )
    record(
        actor=actor,
        action="servicehall.reject_item",
        target=version,
        detail={"reason": reason},
    )
    return version


# --- versions and retirement ---------------------------------------------------


def _copy_into_new_version(actor, published, *, change_note="") -> ServiceItemVersion:
    item = published.item
    number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    item.versions.filter(is_latest=True).update(is_latest=False)
    draft = ServiceItemVersion(
        item=item,
        number=number,
        created_by=actor,
        updated_by=actor,
        change_note=change_note,
    )
    for name in CONTENT_FIELDS:
        setattr(draft, name, getattr(published, name))
    draft.save()
    draft.themes.set(published.themes.all())
    RequiredMaterial.objects.bulk_create(
        [
            RequiredMaterial(
                version=draft,
                template_file_id=m.template_file_id,
                example_file_id=m.example_file_id,
                sort_order=m.sort_order,
                **{name: getattr(m, name) for name in MATERIAL_FIELDS},
            )
            for m in published.materials.all()
        ]
    )
    return draft


def _revision_source(item) -> ServiceItemVersion | None:
    """The version a revision starts from: the published one, or else the
    newest one if the item was retired (revising a retired item and
    publishing the revision brings the item back)."""
    published = item.versions.filter(status=Status.PUBLISHED).first()
    if published is not None:
        return published
    latest = item.versions.filter(is_latest=True).first()
    return latest if latest and latest.status == Status.RETIRED else None


@audited("servicehall.new_item_version")
def new_item_version(
    *, actor, item: ServiceItem, change_note: str = ""
) -> ServiceItemVersion:
    """Start the next version of an item as a draft, a copy of the published
    version (or of the retired one, for a retired item) with its materials;
    the published one stays in force until the draft is approved."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    servicehall_policy.require(actor, "new_version", item)
    if item.versions.filter(status__in=ServiceItemVersion.OPEN_STATUSES).exists():
        raise ActionError(
            _("该事项已有未发布的版本，请先完成或处理该版本"),
            code="open_version_exists",
            target=item,
        )
    # With no open version, the newest one is published or retired.
    source = _revision_source(item)
    change_note = (change_note or "").strip()
    if len(change_note) > 500:
        message = _("修订说明不能超过500个字符")
        raise ActionError(
            message, code="change_note_too_long", fields={"change_note": message}
        )
    draft = _copy_into_new_version(actor, source, change_note=change_note)
    record(
        actor=actor,
        action="servicehall.new_item_version",
        target=draft,
        detail={"from": source.number},
    )
    return draft


@audited("servicehall.retire_item")
def retire_item(*, actor, item: ServiceItem, reason: str) -> ServiceItemVersion:
    """Withdraw a published item from the public catalog, with a reason.

    The published version is retired (it stays the version of the cases made
    under it); a draft of the item stays, and publishing it later brings the
    item back. An item with a version in review cannot be retired until that
    review is done.
    """
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    servicehall_policy.require(actor, "retire_item", item)
    published = item.versions.filter(status=Status.PUBLISHED).first()
    if published is None:
        raise ActionError(
            _("该事项没有已发布的版本，无需废止"), code="not_published", target=item
        )
    if item.versions.filter(status=Status.IN_REVIEW).exists():
        raise ActionError(
            _("该事项有待审核的版本，请先完成审核再废止"),
            code="review_pending",
            target=item,
        )
    reason = (reason or "").strip()
    if not reason:
        message = _("请填写废止理由")
        raise ActionError(message, code="reason_required", fields={"reason": message})
    if len(reason) > 500:
        message = _("废止理由不能超过500个字符")
        raise ActionError(message, code="reason_too_long", fields={"reason": message})
    published.status = Status.RETIRED
    published.effective_to = timezone.now()
    published.retired_by = actor
    published.retire_reason = reason
    published.save(
        update_fields=["status", "effective_to", "retired_by", "retire_reason"]
    )
    record(
        actor=actor,
        action="servicehall.retire_item",
        target=published,
        detail={"reason": reason},
    )
    return published


# --- import and export ---------------------------------------------------------


class CatalogImportRejected(ActionError):
    """An import file had bad rows; nothing was written.

    `errors` lists (sheet, row number, message), row numbers as the person
    sees them in Excel (the header is row 1).
    """

    def __init__(self, errors: list[tuple[str, int, str]]):
        super().__init__(
            _("导入文件中有%(n)d处错误，未导入任何数据，请修改后重新导入")
            % {"n": len(errors)},
            code="import_rejected",
        )
        self.errors = errors


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    updated_drafts: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_detail(self) -> dict:
        return {
            "created": self.created,
            "new_versions": self.new_versions,
            "updated_drafts": self.updated_drafts,
            "unchanged": len(self.unchanged),
        }


@dataclass
class _ImportPlan:
    row: int
    code: str
    organization: object
    clean: dict
    materials: list = field(default_factory=list)
    item: ServiceItem | None = None
    latest: ServiceItemVersion | None = None


def _organizations_in_scope(actor, perm_action):
    from egov.identity.models import Organization

    rows = Organization.objects.filter(is_active=True)
    return {o.code: o for o in servicehall_policy.visible(actor, rows, perm_action)}


def _comparable(clean: dict, materials: list[dict]) -> dict:
    data = {name: clean[name] for name in CONTENT_FIELDS}
    data["themes"] = sorted(t.code for t in clean["themes"])
    data["materials"] = [{name: m[name] for name in MATERIAL_FIELDS} for m in materials]
    return data


def _item_plans(actor, item_rows, errors) -> dict[str, _ImportPlan]:
    from egov.servicehall.catalog_spreadsheets import parse_item_row

    sheet = _("事项")
    may_add = _organizations_in_scope(actor, "create_item")
    may_change = _organizations_in_scope(actor, "edit_item")
    themes = {t.name: t for t in Theme.objects.filter(is_active=True)}
    # Locked, with their newest versions below, so that no submission or
    # revision slips in between the checks and the writes.
    existing = {
        item.code: item
        for item in ServiceItem.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(code__in=[r.get("code", "").strip().upper() for r in item_rows])
    }
    plans: dict[str, _ImportPlan] = {}
    for row in item_rows:
        number = row["row"]
        data, cell_errors = parse_item_row(row)
        problems = list(cell_errors.values())
        try:
            code = clean_code(data["code"])
        except ActionError as exc:
            problems.append(str(exc.message))
            code = ""
        if code and code in plans:
            problems.append(
                _("事项编码“%(code)s”与第%(row)d行重复")
                % {"code": code, "row": plans[code].row}
            )
        unknown = [name for name in data["theme_names"] if name not in themes]
        if unknown:
            problems.append(_("主题“%(names)s”不存在") % {"names": "、".join(unknown)})
        data["themes"] = [themes[n] for n in data["theme_names"] if n in themes]
        item = existing.get(code)
        org_code = data["organization_code"]
        scope = may_change if item else may_add
        organization = scope.get(org_code)
        if not org_code:
            problems.append(_("请填写实施机构代码"))
        elif organization is None:
            problems.append(
                _("实施机构“%(code)s”不存在、已停用或不在您可管理的范围内")
                % {"code": org_code}
            )
        clean, field_errors = clean_item_fields(data)
        problems.extend(_new_messages(field_errors, cell_errors))
        plan = _ImportPlan(
            row=number, code=code, organization=organization, clean=clean, item=item
        )
        if item is not None and not problems:
            problems.extend(_existing_item_problems(item, plan, may_change))
        errors.extend((sheet, number, message) for message in problems)
        if code and code not in plans:
            plans[code] = plan
    return plans


def _new_messages(field_errors: dict, cell_errors: dict) -> list[str]:
    """The rule messages about fields whose cells could at least be read:
    a cell already reported as unreadable is not reported twice."""
    return [m for name, m in field_errors.items() if name not in cell_errors]


def _existing_item_problems(item, plan, may_change) -> list[str]:
    if item.organization.code not in may_change:
        return [_("事项“%(code)s”不在您可管理的范围内") % {"code": item.code}]
    latest = item.versions.select_for_update().filter(is_latest=True).first()
    plan.latest = latest
    if latest.status == Status.IN_REVIEW:
        return [_("事项“%(code)s”正在审核中，不能导入修改") % {"code": item.code}]
    ever_published = latest.status != Status.DRAFT or latest.number > 1
    if plan.organization.pk != item.organization_id and ever_published:
        return [_("事项已发布过，实施机构不能再修改")]
    return []


def _attach_materials(material_rows, plans, errors) -> None:
    from egov.servicehall.catalog_spreadsheets import parse_material_row

    sheet = _("申请材料")
    for row in material_rows:
        data, cell_errors = parse_material_row(row)
        problems = list(cell_errors.values())
        plan = plans.get(data["item_code"])
        if not data["item_code"]:
            problems.append(_("请填写事项编码"))
        elif plan is None:
            problems.append(
                _("事项编码“%(code)s”不在“事项”工作表中") % {"code": data["item_code"]}
            )
        if plan is not None:
            clean, field_errors = clean_material(data, plan.clean)
            problems.extend(_new_messages(field_errors, cell_errors))
            if clean["name"] and clean["name"] in {m["name"] for m in plan.materials}:
                problems.append(
                    _("材料“%(name)s”在该事项中重复") % {"name": clean["name"]}
                )
            plan.materials.append(clean)
        errors.extend((sheet, row["row"], message) for message in problems)


def _carry_files(materials: list[dict], previous) -> list[dict]:
    """The materials with the files of same-named materials of `previous`."""
    files = {}
    if previous is not None:
        files = {m.name: m for m in previous.materials.all()}
    result = []
    for data in materials:
        old = files.get(data["name"])
        result.append(
            {
                **data,
                "template_file": old.template_file if old else None,
                "example_file": old.example_file if old else None,
            }
        )
    return result


@audited("servicehall.import_catalog")
def import_catalog(
    *, actor, item_rows: list[dict], material_rows: list[dict]
) -> ImportResult:
    """Bring a catalog workbook in as drafts, all or nothing.

    Rows are the text rows of catalog_spreadsheets.read_catalog. A new code
    creates the item with a first draft; a published item whose content
    differs gets a new version draft; an item whose newest version is a draft
    has that draft replaced; an unchanged item is left alone. A retired item
    is revised like a published one. Items in review are refused, as are
    organizations outside the actor's scope.
    Any bad row: CatalogImportRejected listing every error, nothing written.
    """
    servicehall_policy.require(actor, "import_catalog")
    errors: list[tuple[str, int, str]] = []
    plans = _item_plans(actor, item_rows, errors)
    _attach_materials(material_rows, plans, errors)
    if errors:
        raise CatalogImportRejected(errors)
    result = ImportResult()
    for plan in plans.values():
        if plan.item is None:
            _import_new(actor, plan)
            result.created.append(plan.code)
            continue
        latest = plan.latest
        wanted = _comparable(plan.clean, plan.materials)
        same_org = plan.organization.pk == plan.item.organization_id
        if same_org and snapshot(latest) == wanted:
            result.unchanged.append(plan.code)
        elif latest.status == Status.DRAFT:
            _import_into_draft(actor, plan, latest)
            result.updated_drafts.append(plan.code)
        else:
            draft = _copy_into_new_version(actor, _revision_source(plan.item))
            _import_into_draft(actor, plan, draft)
            result.new_versions.append(plan.code)
    record(
        actor=actor,
        action="servicehall.import_catalog",
        detail=result.as_detail(),
    )
    return result


def _import_new(actor, plan) -> None:
    item = _new_item(plan.code, plan.organization, actor)
    version = ServiceItemVersion(
        item=item, number=1, created_by=actor, updated_by=actor
    )
    _apply_fields(version, plan.clean)
    version.save()
    version.themes.set(plan.clean["themes"])
    _write_imported_materials(version, plan.materials)


def _import_into_draft(actor, plan, draft) -> None:
    if plan.organization.pk != plan.item.organization_id:
        plan.item.organization = plan.organization
        plan.item.save(update_fields=["organization"])
    materials = _carry_files(plan.materials, draft)
    _apply_fields(draft, plan.clean)
    draft.updated_by = actor
    draft.save()
    draft.themes.set(plan.clean["themes"])
    draft.materials.all().delete()
    _write_imported_materials(draft, materials)


def _write_imported_materials(version, materials: list[dict]) -> None:
    RequiredMaterial.objects.bulk_create(
        [
            RequiredMaterial(
                version=version,
                sort_order=(index + 1) * 10,
                template_file=data.get("template_file"),
                example_file=data.get("example_file"),
                **{name: data[name] for name in MATERIAL_FIELDS},
            )
            for index, data in enumerate(materials)
        ]
    )


@audited("servicehall.export_catalog")
def export_catalog(*, actor) -> list[ServiceItemVersion]:
    """The newest version of every item in the actor's export scope, with what
    the workbook needs prefetched; the export is logged."""
    from egov.servicehall.catalog_queries import with_details

    servicehall_policy.require(actor, "export_catalog")
    rows = servicehall_policy.visible(
        actor,
        ServiceItemVersion.objects.filter(is_latest=True),
        "export_catalog",
    )
    versions = list(with_details(rows).order_by("item__code"))
    record(
        actor=actor,
        action="servicehall.export_catalog",
        detail={"rows": len(versions)},
    )
    return versions


# --- themes and life events ----------------------------------------------------

THEME_CODE_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")
ICON_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@audited("servicehall.save_theme")
def save_theme(*, actor, data: dict, theme: Theme | None = None) -> Theme:
    """Create a theme or life event, or change one (`theme`). `data` holds
    code, name, kind, for_individuals, for_entities, icon, sort_order and
    is_active; a code is lower-case letters, digits and hyphens, unique."""
    servicehall_policy.require(actor, "manage_themes")
    errors: dict[str, str] = {}
    code = str(data.get("code") or "").strip().lower()
    if not code:
        errors["code"] = _("请填写编码")
    elif not THEME_CODE_RE.fullmatch(code):
        errors["code"] = _("编码应为50位以内的小写字母、数字或连字符")
    elif (
        Theme.objects.filter(code=code).exclude(pk=getattr(theme, "pk", None)).exists()
    ):
        errors["code"] = _("编码“%(code)s”已被使用") % {"code": code}
    name = _text(data, errors, "name", _("名称"), limit=50)
    kind = _choice(data, errors, "kind", Theme.Kind.choices, _("请选择类型"))
    individuals = bool(data.get("for_individuals"))
    entities = bool(data.get("for_entities"))
    if not (individuals or entities):
        errors["audience"] = _("请至少选择一类服务对象（个人或法人）")
    icon = str(data.get("icon") or "").strip() or "grid"
    if not ICON_RE.fullmatch(icon):
        errors["icon"] = _("图标应为 bootstrap-icons 的图标名称，如 balloon-heart")
    sort_order = _number(data, errors, "sort_order", _("排序"), low=-9999, high=9999)
    if errors:
        raise _refuse(errors, code="invalid_theme")
    before = (
        {f: getattr(theme, f) for f in ("code", "name", "kind", "is_active")}
        if theme
        else {}
    )
    theme = theme or Theme()
    theme.code, theme.name, theme.kind, theme.icon = code, name, kind, icon
    theme.for_individuals, theme.for_entities = individuals, entities
    theme.sort_order = sort_order
    theme.is_active = bool(data.get("is_active"))
    theme.save()
    after = {f: getattr(theme, f) for f in ("code", "name", "kind", "is_active")}
    record(
        actor=actor,
        action="servicehall.save_theme",
        target=theme,
        detail={"changes": _changes(before, after)},
    )
    return theme
