"""Writes of the applicant's side of the service hall: drafts, materials,
submitting, answering a correction request, withdrawing, and the public
progress lookup's guard against guessing.

Each action is one transaction with its permission check (ApplicantPolicy),
its audit entry and, where the applicant should hear of it, a message
(notify_applicant). Submitting is idempotent: the draft row is locked, and a
case that is already submitted is returned as it is, so a double click or a
retried request never makes a second case or takes a second number.
"""

import json
import uuid

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core import clocks
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.core.files import MATERIALS, store_upload
from egov.core.models import ClockStop
from egov.core.validators import (
    normalize_id_number,
    normalize_uscc,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)
from egov.eforms import validation
from egov.servicehall import apply_queries as queries
from egov.servicehall import case_common
from egov.servicehall.apply_permissions import applicant_audience, applicant_policy
from egov.servicehall.models import (
    Audience,
    Case,
    CaseEvent,
    CaseMaterial,
    RequiredMaterial,
    ServiceItemVersion,
)
from egov.servicehall.notify import notify_applicant

# Bounds that keep a draft small whatever the browser sends.
MAX_FORM_BYTES = 64 * 1024
MAX_FILES_PER_MATERIAL = 10
# Basic form (items without a form of their own): the one free-text field.
BASIC_NOTE_KEY = "description"
BASIC_NOTE_MAX = 2000
# Public lookup: this many wrong guesses from one address within the window
# and further lookups from it are refused until the window passes.
LOOKUP_FAILURE_LIMIT = 10
LOOKUP_WINDOW_SECONDS = 600

APPLICANT_FIELDS = (
    "applicant_name",
    "applicant_id_number",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def _locked(case: Case) -> Case:
    # Only the case row is locked: the item version and organization are
    # read by every application of the item at the same time.
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version", "organization__region")
        .get(pk=case.pk)
    )


def _require(actor, action: str, case: Case) -> None:
    if not applicant_policy.can(actor, action, case):
        if case.applicant_id != getattr(actor, "pk", None):
            raise PermissionDenied(target=case)
        raise ActionError(
            _("办件当前状态为“%(state)s”，不能执行此操作")
            % {"state": case.get_state_display()},
            code="case_wrong_state",
            target=case,
        )


# --- applicant data -----------------------------------------------------------


def check_applicant(kind: str, data: dict, *, complete: bool) -> dict:
    """The applicant and contact fields cleaned, or ActionError naming every
    bad one. A draft (`complete=False`) may leave fields empty, but what it
    holds must be valid: an ID number or USCC with a wrong check character is
    refused at once."""
    cleaned, errors = {}, {}
    for name in APPLICANT_FIELDS:
        value = data.get(name, "")
        cleaned[name] = value.strip() if isinstance(value, str) else ""

    def fail(name, message):
        errors.setdefault(name, []).append(str(message))

    id_number = cleaned["applicant_id_number"]
    if kind == Audience.ENTITY:
        id_number = cleaned["applicant_id_number"] = normalize_uscc(id_number)
        check = validate_uscc
    else:
        id_number = cleaned["applicant_id_number"] = normalize_id_number(id_number)
        check = validate_id_number
    if id_number:
        try:
            check(id_number)
        except ValidationError as exc:
            fail("applicant_id_number", exc.messages[0])
    if cleaned["contact_phone"]:
        try:
            validate_mobile(cleaned["contact_phone"])
        except ValidationError as exc:
            fail("contact_phone", exc.messages[0])
    if cleaned["contact_email"]:
        try:
            validate_email(cleaned["contact_email"])
        except ValidationError:
            fail("contact_email", _("请输入有效的电子邮箱地址"))
    for name, limit in (
        ("applicant_name", 200),
        ("contact_name", 100),
        ("contact_email", 254),
    ):
        if len(cleaned[name]) > limit:
            fail(name, _("不能超过%(n)d个字") % {"n": limit})
    if complete:
        required = {
            "applicant_name": _("请填写申请人名称")
            if kind == Audience.ENTITY
            else _("请填写申请人姓名"),
            "applicant_id_number": _("请填写统一社会信用代码")
            if kind == Audience.ENTITY
            else _("请填写身份证号"),
            "contact_name": _("请填写联系人"),
            "contact_phone": _("请填写联系电话（手机号码）"),
        }
        for name, message in required.items():
            if not cleaned[name]:
                fail(name, message)
    if errors:
        raise ActionError(
            _("申请人信息填写有误，请按提示修改"),
            code="invalid_applicant",
            fields=errors,
        )
    return cleaned


def _apply_applicant(case: Case, cleaned: dict) -> None:
    case.applicant_name = cleaned["applicant_name"]
    case.applicant_id_number = cleaned["applicant_id_number"]
    case.contact_name = cleaned["contact_name"]
    case.contact_phone = cleaned["contact_phone"]
    case.contact_email = cleaned["contact_email"]


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _check_form_size(form_data) -> dict | None:
    """The form data to store, or None to keep what is stored."""
    if form_data is None:
        return None
    # NUL characters: PostgreSQL's JSON refuses them.
    if not isinstance(form_data, dict) or _has_nul(form_data):
        raise ActionError(_("申请表数据格式不正确"), code="invalid_form_data")
    try:
        # No NaN or Infinity: JSON columns refuse them; no lone surrogates:
        # UTF-8 cannot hold them.
        text = json.dumps(form_data, ensure_ascii=False, allow_nan=False)
        size = len(text.encode())
    except (ValueError, UnicodeEncodeError):
        raise ActionError(_("申请表数据格式不正确"), code="invalid_form_data") from None
    if size > MAX_FORM_BYTES:
        raise ActionError(_("申请表内容过多（不能超过64 KB）"), code="form_too_large")
    return form_data


def clean_form(case: Case, form_data: dict) -> tuple[dict, dict]:
    """The form data as stored on submission, and what to record of the form
    version. Refuses data that breaks the item's published form."""
    try:
        form = queries.application_form(case)
    except LookupError:
        raise ActionError(
            _("该事项的申请表尚未发布，暂不能网上申请，请联系实施机构"),
            code="form_not_published",
            target=case,
        ) from None
    if form is None:
        note = form_data.get(BASIC_NOTE_KEY, "")
        note = note.strip() if isinstance(note, str) else ""
        if len(note) > BASIC_NOTE_MAX:
            raise ActionError(
                _("申请说明不能超过%(n)d字") % {"n": BASIC_NOTE_MAX},
                code="invalid_form_data",
                fields={BASIC_NOTE_KEY: [_("内容过长")]},
            )
        return ({BASIC_NOTE_KEY: note} if note else {}), {}
    try:
        cleaned = validation.clean_data(form.schema, form_data)
    except validation.FormDataInvalid as exc:
        raise ActionError(
            _("申请表填写有误，请按提示修改后重新提交"),
            code="invalid_form_data",
            fields={f"data.{path}": messages for path, messages in exc.errors.items()},
            target=case,
        ) from None
    return cleaned, {"form": form.key, "form_version": form.version}


# --- drafts -------------------------------------------------------------------


@audited("servicehall.create_draft")
def create_draft(*, actor, item_code: str, client_token) -> Case:
    """Start an application for the published item `item_code`, prefilled
    with the applicant's account data. Idempotent: a second call with the
    same `client_token` returns the draft the first one made."""
    try:
        token = uuid.UUID(str(client_token))
    except (TypeError, ValueError):
        raise ActionError(
            _("请求无效，请刷新页面后重试"), code="bad_client_token"
        ) from None
    existing = Case.objects.filter(client_token=token).first()
    if existing is not None:
        if existing.applicant_id != getattr(actor, "pk", None):
            raise ActionError(_("请求无效，请刷新页面后重试"), code="bad_client_token")
        return existing
    version = (
        ServiceItemVersion.objects.filter(
            item__code=str(item_code).upper(),
            status=ServiceItemVersion.Status.PUBLISHED,
        )
        .select_related("item__organization")
        .first()
    )
    if version is None:
        raise ActionError(_("该事项不存在或已停止办理"), code="item_not_published")
    if not applicant_policy.can(actor, "apply", version):
        if applicant_audience(actor) is None:
            raise PermissionDenied(
                _("网上申请仅面向个人和法人用户，工作人员请通过窗口代录"),
                code="applicant_only",
            )
        raise ActionError(
            _("该事项不面向您这类申请人网上办理，请查看办事指南"),
            code="item_not_for_applicant",
        )
    prefill = queries.prefill_for(actor)
    case = Case(
        client_token=token,
        item=version.item,
        item_version=version,
        organization=version.item.organization,
        applicant=actor,
        applicant_kind=prefill["applicant_kind"],
    )
    _apply_applicant(case, {k: prefill[k] or "" for k in APPLICANT_FIELDS})
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # A concurrent request with the same token made it first.
        existing = Case.objects.filter(client_token=token, applicant=actor).first()
        if existing is None:
            raise
        return existing
    case_common.add_event(case, CaseEvent.Kind.CREATED, actor=actor)
    record(
        actor=actor,
        action="servicehall.create_draft",
        target=case,
        detail={"item": version.item.code, "version": version.number},
    )
    return case


@audited("servicehall.save_draft")
def save_draft(*, actor, case: Case, form_data=None, applicant: dict | None = None):
    """Keep what the applicant has filled in so far (the application form's
    data and, when given, the applicant and contact fields). Allowed while
    the case is a draft or awaits correction."""
    case = _locked(case)
    _require(actor, "edit", case)
    form_data = _check_form_size(form_data)
    changed = []
    if applicant is not None:
        _apply_applicant(
            case, check_applicant(case.applicant_kind, applicant, complete=False)
        )
        changed = list(APPLICANT_FIELDS)
    if form_data is not None:
        case.form_data = form_data
    case.save()
    record(
        actor=actor,
        action="servicehall.save_draft",
        target=case,
        detail={"fields": sorted(form_data or {}), "applicant": bool(changed)},
    )
    return case


@audited("servicehall.discard_draft")
def discard_draft(*, actor, case: Case) -> None:
    """Delete a draft that was never submitted, with its materials."""
    case = _locked(case)
    _require(actor, "discard", case)
    record(
        actor=actor,
        action="servicehall.discard_draft",
        target=case,
        detail={"item": case.item.code},
    )
    case.delete()


# --- materials ----------------------------------------------------------------


def _requirement(case: Case, requirement) -> RequiredMaterial:
    pk = getattr(requirement, "pk", requirement)
    for material in queries.applicable_materials(case):
        if material.pk == pk:
            return material
    raise ActionError(_("该材料不属于本事项"), code="material_not_of_item")


def _supersede_for_correction(case: Case, requirement: RequiredMaterial) -> None:
    """In a correction round a new file replaces the files of that material
    that were handed in before the request (they stay on record)."""
    correction = queries.open_correction(case)
    if correction is None:
        return
    case.materials.filter(
        requirement=requirement,
        is_current=True,
        uploaded_at__lt=correction.requested_at,
    ).update(is_current=False)


def _add_material(case, requirement, stored, actor) -> CaseMaterial:
    _supersede_for_correction(case, requirement)
    count = case.materials.filter(requirement=requirement, is_current=True).count()
    if count >= MAX_FILES_PER_MATERIAL:
        raise ActionError(
            _("每项材料最多上传%(n)d个文件") % {"n": MAX_FILES_PER_MATERIAL},
            code="too_many_files",
        )
    return CaseMaterial.objects.create(
        case=case,
        requirement=requirement,
        name=requirement.name,
        file=stored,
        uploaded_by=actor,
    )


@audited("servicehall.upload_material")
def upload_material(*, actor, case: Case, requirement, upload) -> CaseMaterial:
    """Attach one file (a scan, a phone photo or a PDF, checked by content and
    size by egov.core.files) to a material of the case."""
    case = _locked(case)
    _require(actor, "edit", case)
    requirement = _requirement(case, requirement)
    if upload is None:
        raise ActionError(_("请选择要上传的文件"), code="file_missing")
    stored = store_upload(actor=actor, upload=upload, allowed=MATERIALS)
    material = _add_material(case, requirement, stored, actor)
    record(
        actor=actor,
        action="servicehall.upload_material",
        target=case,
        detail={
            "material": requirement.name,
            "file": stored.token,
            "size": stored.size,
            "kind": stored.kind,
        },
    )
    return material


@audited("servicehall.reuse_material")
def reuse_material(*, actor, case: Case, requirement, source_pk: int) -> CaseMaterial:
    """Attach the file the applicant handed in for the same material in one
    of their earlier cases (files are never changed, so cases share them)."""
    case = _locked(case)
    _require(actor, "edit", case)
    requirement = _requirement(case, requirement)
    offer = queries.reusable_materials(case).get(requirement.pk)
    if offer is None or offer.pk != int(source_pk):
        raise ActionError(_("该文件不能复用，请重新上传"), code="material_not_reusable")
    material = _add_material(case, requirement, offer.file, actor)
    record(
        actor=actor,
        action="servicehall.reuse_material",
        target=case,
        detail={"material": requirement.name, "from_case": offer.case.number},
    )
    return material


@audited("servicehall.remove_material")
def remove_material(*, actor, case: Case, material_pk: int) -> None:
    """Take a file off the case. One that was already handed in stays on
    record as superseded; one added since is deleted."""
    case = _locked(case)
    _require(actor, "edit", case)
    material = case.materials.filter(pk=material_pk, is_current=True).first()
    if material is None:
        raise ActionError(_("材料不存在或已删除"), code="material_missing")
    correction = queries.open_correction(case)
    handed_in = correction is not None and material.uploaded_at < (
        correction.requested_at
    )
    if handed_in:
        material.is_current = False
        material.save(update_fields=["is_current"])
    else:
        material.delete()
    record(
        actor=actor,
        action="servicehall.remove_material",
        target=case,
        detail={"material": material.name, "kept_on_record": handed_in},
    )


# --- submitting ---------------------------------------------------------------


def _check_complete(case: Case) -> tuple[dict, dict]:
    """Everything submission needs, with every problem named at once."""
    fields: dict = {}
    form_data, form_info = {}, {}
    try:
        check_applicant(
            case.applicant_kind,
            {
                "applicant_name": case.applicant_name,
                "applicant_id_number": case.applicant_id_number,
                "contact_name": case.contact_name,
                "contact_phone": case.contact_phone,
                "contact_email": case.contact_email,
            },
            complete=True,
        )
    except ActionError as exc:
        fields.update(exc.fields)
    try:
        form_data, form_info = clean_form(case, case.form_data or {})
    except ActionError as exc:
        if exc.code == "form_not_published":
            raise
        fields.update(exc.fields or {"data": [str(exc.message)]})
    missing = queries.missing_materials(case)
    if missing:
        fields["materials"] = [
            _("请上传“%(name)s”") % {"name": m.name} for m in missing
        ]
    if fields:
        raise ActionError(
            _("申请还不完整，请按提示补充后再提交"),
            code="application_incomplete",
            fields=fields,
            target=case,
        )
    return form_data, form_info


@audited("servicehall.submit_case")
def submit_case(*, actor, case: Case) -> Case:
    """Submit the draft: it gets its case number and lookup code, a
    SUBMITTED line on its timeline, and the applicant a message. A case that
    is already submitted is returned unchanged (a double click, a retry)."""
    case = _locked(case)
    if case.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied(target=case)
    if case.state != Case.State.DRAFT and case.number:
        return case
    _require(actor, "submit", case)
    form_data, form_info = _check_complete(case)
    now = timezone.now()
    case.form_data = form_data
    case.number = case_common.next_case_number(case, now)
    case.lookup_code = case_common.new_lookup_code()
    case.state = Case.State.SUBMITTED
    case.submitted_at = now
    case.save()
    materials = case.materials.filter(is_current=True).count()
    case_common.add_event(
        case,
        CaseEvent.Kind.SUBMITTED,
        actor=actor,
        organization=case.organization,
        note=_("网上申请，提交材料%(n)d份") % {"n": materials},
        public_note=_("已通过网上办事大厅提交申请，等待受理"),
        detail={"channel": case.channel, "materials": materials, **form_info},
    )
    notify_applicant(case, "submitted")
    record(
        actor=actor,
        action="servicehall.submit_case",
        target=case,
        detail={"item": case.item.code, "materials": materials, **form_info},
    )
    return case


def _end_correction_clocks(case: Case, actor) -> None:
    for subject in (
        case_common.statutory_subject(case),
        case_common.promised_subject(case),
    ):
        if ClockStop.objects.filter(subject=subject, ended_at=None).exists():
            clocks.end_clock_stop(subject=subject, actor=actor)


@audited("servicehall.resubmit_case")
def resubmit_case(*, actor, case: Case) -> Case:
    """Answer a correction request (补正): the replaced materials and form
    are checked as on submission, the request is marked answered, a clock
    stopped for it runs again, and the case goes back to the window (待受理)
    or, when it had already been accepted, back to handling (办理中).
    Idempotent: a case no longer awaiting correction is returned as it is."""
    case = _locked(case)
    if case.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied(target=case)
    if case.state != Case.State.CORRECTION:
        answered = case.events.filter(kind=CaseEvent.Kind.RESUBMITTED).exists()
        if answered and case.state in (Case.State.SUBMITTED, Case.State.ACCEPTED):
            return case
        _require(actor, "resubmit", case)
    form_data, form_info = _check_complete(case)
    now = timezone.now()
    case.corrections.filter(resolved_at=None).update(resolved_at=now)
    _end_correction_clocks(case, actor)
    case.form_data = form_data
    case.state = (
        Case.State.ACCEPTED if case.accepted_at is not None else Case.State.SUBMITTED
    )
    case.save()
    materials = case.materials.filter(is_current=True).count()
    case_common.add_event(
        case,
        CaseEvent.Kind.RESUBMITTED,
        actor=actor,
        organization=case.organization,
        note=_("已按补正告知补正材料，重新提交"),
        public_note=_("申请人已补正材料"),
        detail={"materials": materials, **form_info},
    )
    notify_applicant(case, "resubmitted")
    record(
        actor=actor,
        action="servicehall.resubmit_case",
        target=case,
        detail={"materials": materials, "state": case.state},
    )
    return case


@audited("servicehall.withdraw_case")
def withdraw_case(*, actor, case: Case, reason: str) -> Case:
    """撤回 a submitted case before its decision. A case whose approval
    process is running is withdrawn together with the process."""
    case = _locked(case)
    _require(actor, "withdraw", case)
    reason = (reason or "").strip()
    if not reason:
        message = _("请填写撤回理由")
        raise ActionError(message, code="reason_missing", fields={"reason": [message]})
    if len(reason) > 500:
        message = _("撤回理由不能超过500字")
        raise ActionError(message, code="reason_too_long", fields={"reason": [message]})
    instance = case.process_instance
    if instance is not None and instance.is_active:
        # The applicant owns the case (checked above); the clerk who accepted
        # it started its process, so it is ended on the applicant's behalf.
        from egov.workflow.actions import cancel_for_business

        cancel_for_business(actor=actor, instance=instance, reason=reason)
    now = timezone.now()
    case.corrections.filter(resolved_at=None).update(resolved_at=now)
    case.state = Case.State.WITHDRAWN
    case.concluded_at = now
    case.save(update_fields=["state", "concluded_at", "updated_at"])
    case_common.add_event(
        case,
        CaseEvent.Kind.WITHDRAWN,
        actor=actor,
        note=reason,
        public_note=_("申请人已撤回申请"),
    )
    notify_applicant(
        case,
        "withdrawn",
        title=_("您已撤回申请：%(item)s") % {"item": case.item_version.name},
        body=reason,
    )
    record(
        actor=actor,
        action="servicehall.withdraw_case",
        target=case,
        detail={"reason": reason},
    )
    return case


# --- public progress lookup ---------------------------------------------------


def _failure_key(ip: str) -> str:
    return f"egov:hall:lookup-failures:{ip or 'unknown'}"


def look_up_progress(*, number: str, lookup_code: str, ip: str, actor=None):
    """The public progress of a case (apply_queries.public_progress), or None
    when number and code do not match. Each miss is audited and counted per
    address: after LOOKUP_FAILURE_LIMIT misses within LOOKUP_WINDOW_SECONDS
    every lookup from that address is refused (ActionError) until the window
    passes."""
    key = _failure_key(ip)
    if cache.get(key, 0) >= LOOKUP_FAILURE_LIMIT:
        raise ActionError(
            _("查询失败次数过多，请%(m)d分钟后再试")
            % {"m": LOOKUP_WINDOW_SECONDS // 60},
            code="lookup_throttled",
        )
    progress = queries.public_progress(number, lookup_code)
    if progress is not None:
        return progress
    if not cache.add(key, 1, LOOKUP_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOOKUP_WINDOW_SECONDS)
    with transaction.atomic():
        record(
            actor=actor,
            action="servicehall.lookup_case",
            outcome="failed",
            detail={"number": (number or "").strip()[:32]},
        )
    return None
