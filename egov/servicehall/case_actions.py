"""Writes on cases on the internal face: 一窗受理 (entering an in-person
application, accepting, refusing, 一次性告知补正), the item's process, 延期,
中止/恢复, the decision, and the audited full view of the applicant's data.

Every action runs in one transaction under `audited`, locks the case row,
checks `case_policy`, refuses wrong states and bad input with an ActionError
(nothing written), and writes its audit entry, a timeline line (CaseEvent,
whose `public_note` never carries personal data), its instrument where the
law asks for one, and a message to the applicant.

Clocks: the statutory and promised limits run from acceptance
(egov.servicehall.case_common.deadlines). 补正 after acceptance and 中止 stop
both clocks until the case resumes; an approved extension lengthens the
statutory limit.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import record
from egov.core import clocks
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.core.files import MATERIALS, store_upload
from egov.core.models import ClockStop
from egov.core.validators import (
    normalize_id_number,
    normalize_uscc,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)
from egov.servicehall import case_common
from egov.servicehall.apply_actions import clean_form
from egov.servicehall.case_instruments import issue_instrument
from egov.servicehall.case_queries import correction_window
from egov.servicehall.models import (
    Audience,
    Case,
    CaseEvent,
    CaseInstrument,
    CaseMaterial,
    CorrectionRequest,
    ExtensionRequest,
    RequiredMaterial,
    ServiceItem,
)
from egov.servicehall.notify import notify_applicant
from egov.servicehall.permissions import case_policy

ACTION_LABELS = {
    "servicehall.enter_case": gettext_lazy("窗口代录办件"),
    "servicehall.accept_case": gettext_lazy("受理办件"),
    "servicehall.refuse_case": gettext_lazy("不予受理办件"),
    "servicehall.request_correction": gettext_lazy("一次性告知补正"),
    "servicehall.request_extension": gettext_lazy("申请办件延期"),
    "servicehall.decide_extension": gettext_lazy("审批办件延期"),
    "servicehall.suspend_case": gettext_lazy("中止办件"),
    "servicehall.resume_case": gettext_lazy("恢复办件"),
    "servicehall.decide_case": gettext_lazy("作出办件决定"),
    "servicehall.reveal_applicant": gettext_lazy("查看申请人完整信息"),
}

State = Case.State
Kind = CaseInstrument.Kind

# 行政许可法 第四十二条: 经本行政机关负责人批准，可以延长十日.
LARGEST_EXTENSION = 10
MAX_REASON = 1000
MAX_CORRECTION_ITEMS = 50
# Grounds on which a case may be suspended (the clock does not run).
SUSPENSION_KINDS = (
    ClockStop.Kind.HEARING,
    ClockStop.Kind.INSPECTION,
    ClockStop.Kind.EXPERT_REVIEW,
    ClockStop.Kind.OTHER,
)
APPROVE, DENY = "approve", "deny"


# --- helpers ------------------------------------------------------------------


def _locked(case: Case) -> Case:
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("item_version", "organization__region", "item")
            .get(pk=case.pk)
        )
    except (Case.DoesNotExist, AttributeError):
        raise ActionError(_("办件不存在"), code="case_missing") from None


def _text(value, *, field: str, label: str, required: bool, limit: int = MAX_REASON):
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        message = _("请填写%(label)s") % {"label": label}
        raise ActionError(message, code=f"{field}_required", fields={field: message})
    if len(text) > limit:
        message = _("%(label)s不能超过%(limit)d个字") % {"label": label, "limit": limit}
        raise ActionError(message, code=f"{field}_too_long", fields={field: message})
    return text


def _wrong_state(case: Case, what: str) -> ActionError:
    return ActionError(
        _("办件当前状态为“%(state)s”，不能%(what)s")
        % {"state": case.get_state_display(), "what": what},
        code="case_wrong_state",
        target=case,
    )


def _date(value) -> str:
    if value is None:
        return ""
    local = timezone.localdate(value) if hasattr(value, "tzinfo") else value
    return f"{local.year}年{local.month}月{local.day}日"


def _subjects(case: Case) -> tuple[str, str]:
    return case_common.statutory_subject(case), case_common.promised_subject(case)


def _process_data(case: Case) -> dict:
    """What the item's process conditions may read about the case."""
    return {
        "case_number": case.number,
        "item_code": case.item.code,
        "applicant_kind": case.applicant_kind,
        "channel": case.channel,
        "form": case.form_data or {},
    }


def _statutory_due(case: Case) -> str:
    result = case_common.deadline(case).get("statutory")
    return _date(result.due_date) if result else ""


# --- 窗口收件: an application taken in person ---------------------------------


def _clean_applicant(version, applicant: dict) -> dict:
    kind = applicant.get("kind")
    if kind not in Audience.values:
        raise ActionError(
            _("请选择申请人类型"),
            code="applicant_kind_invalid",
            fields={"applicant_kind": _("请选择申请人类型")},
        )
    if kind not in version.audiences:
        message = _("本事项不面向%(kind)s申请人") % {"kind": Audience(kind).label}
        raise ActionError(
            message,
            code="applicant_kind_not_served",
            fields={"applicant_kind": message},
        )
    name = _text(
        applicant.get("name"),
        field="applicant_name",
        label=_("申请人名称"),
        required=True,
        limit=200,
    )
    raw_id = applicant.get("id_number") or ""
    try:
        if kind == Audience.INDIVIDUAL:
            id_number = normalize_id_number(raw_id)
            validate_id_number(id_number)
        else:
            id_number = normalize_uscc(raw_id)
            validate_uscc(id_number)
    except ValidationError as exc:
        message = exc.messages[0]
        raise ActionError(
            message,
            code="applicant_id_invalid",
            fields={"applicant_id_number": message},
        ) from None
    phone = (applicant.get("phone") or "").strip()
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        message = exc.messages[0]
        raise ActionError(
            message, code="contact_phone_invalid", fields={"contact_phone": message}
        ) from None
    return {
        "kind": kind,
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "contact_name": _text(
            applicant.get("contact_name"),
            field="contact_name",
            label=_("联系人"),
            required=False,
            limit=100,
        ),
        "email": _email(applicant.get("email")),
    }


def _email(value) -> str:
    email = _text(
        value, field="contact_email", label=_("电子邮箱"), required=False, limit=254
    )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            message = _("请输入有效的电子邮箱地址")
            raise ActionError(
                message, code="contact_email_invalid", fields={"contact_email": message}
            ) from None
    return email


def _account_for(kind: str, id_number: str):
    """The citizen's or company's own account with this ID number, if any, so
    a case entered at the window appears in their 我的办件 too."""
    from egov.core import crypto
    from egov.identity.models import User

    if kind == Audience.INDIVIDUAL:
        return User.objects.filter(
            id_number_index=crypto.blind_index(id_number),
            kind=User.Kind.CITIZEN,
            is_active=True,
        ).first()
    return None


@audited("servicehall.enter_case")
def enter_case(
    *,
    actor,
    item_code: str,
    applicant: dict,
    form_data: dict | None = None,
    materials=(),
) -> Case:
    """窗口收件: enter the application of someone who came in person.

    `applicant` has kind (individual/entity), name, id_number (身份证号 or
    统一社会信用代码, checksums verified), phone, and optionally
    contact_name and email. `materials` are (RequiredMaterial or None,
    uploaded file) pairs scanned at the window; each file is checked like an
    online upload. `form_data`, when given, is the item's application form
    and is checked against it like an online submission (a required field
    left empty is refused). The case is submitted at once (channel window, entered_by
    the actor) with its number and lookup code; missing materials are for
    the correction notice, not a refusal here."""
    item = ServiceItem.objects.filter(code=str(item_code or "").upper()).first()
    from egov.servicehall.catalog_queries import version_in_force

    now = timezone.now()
    version = version_in_force(item, now) if item is not None else None
    if version is None:
        raise ActionError(
            _("请选择一个现行有效的事项"),
            code="item_not_in_force",
            fields={"item": _("请选择一个现行有效的事项")},
        )
    case_policy.require(actor, "enter_case", item.organization)
    person = _clean_applicant(version, applicant or {})
    if form_data is not None and not isinstance(form_data, dict):
        raise ActionError(_("申请表内容格式不正确"), code="bad_form_data")
    requirements = {m.pk: m for m in version.materials.all()}
    pairs = []
    for requirement, upload in materials or ():
        if requirement is not None and (
            not isinstance(requirement, RequiredMaterial)
            or requirement.pk not in requirements
        ):
            raise ActionError(_("材料不属于本事项"), code="material_not_of_item")
        if upload is not None:
            pairs.append((requirement, upload))
    case = Case(
        item=item,
        item_version=version,
        organization=item.organization,
        state=State.SUBMITTED,
        channel=Case.Channel.WINDOW,
        applicant=_account_for(person["kind"], person["id_number"]),
        applicant_kind=person["kind"],
        applicant_name=person["name"],
        contact_name=person["contact_name"] or person["name"],
        contact_email=person["email"],
        form_data=form_data or {},
        entered_by=actor,
        submitted_at=now,
        lookup_code=case_common.new_lookup_code(),
    )
    case.applicant_id_number = person["id_number"]
    case.contact_phone = person["phone"]
    if form_data is not None:
        # Entered at the window or online, the item's form holds the same.
        case.form_data, _form_info = clean_form(case, form_data)
    case.number = case_common.next_case_number(case, now)
    case.save()
    for requirement, upload in pairs:
        stored = store_upload(actor=actor, upload=upload, allowed=MATERIALS)
        CaseMaterial.objects.create(
            case=case,
            requirement=requirement,
            name=requirement.name if requirement else stored.original_name,
            file=stored,
            uploaded_by=actor,
        )
    case_common.add_event(
        case,
        CaseEvent.Kind.ENTERED,
        actor=actor,
        organization=actor.primary_organization,
        note=_("窗口收件，收到材料%(n)d份") % {"n": len(pairs)},
        public_note=_("窗口已收件，等待受理"),
        detail={"materials": len(pairs)},
    )
    record(
        actor=actor,
        action="servicehall.enter_case",
        target=case,
        detail={
            "item": item.code,
            "version": version.number,
            "materials": len(pairs),
            "applicant_kind": person["kind"],
        },
    )
    notify_applicant(
        case,
        "entered",
        title=_("您在窗口提交的“%(item)s”申请已收件") % {"item": version.name},
        body=_("办件编号%(number)s，查询码%(code)s。")
        % {"number": case.number, "code": case.lookup_code},
    )
    return case


# --- 受理, 不予受理, 补正 -----------------------------------------------------


@audited("servicehall.accept_case", target_kwarg="case")
def accept_case(*, actor, case: Case, note: str = "") -> Case:
    """受理: the application is complete and in legal form. Starts the item
    version's process (business key = the case number, organization = the
    implementing organization), whose end leaves the case awaiting the
    decision, and issues the 受理通知书. An item without a process awaits the
    decision right away."""
    case = _locked(case)
    case_policy.require(actor, "accept_case", case)
    if case.accepted_at is not None:
        raise ActionError(
            _("该办件已于%(when)s受理，无需重复受理")
            % {"when": timezone.localtime(case.accepted_at).strftime("%Y-%m-%d %H:%M")},
            code="case_already_accepted",
            target=case,
        )
    if case.state != State.SUBMITTED:
        raise _wrong_state(case, _("受理"))
    note = _text(note, field="note", label=_("受理意见"), required=False)
    case.state = State.ACCEPTED
    case.accepted_at = timezone.now()
    case.accepted_by = actor
    case.save(update_fields=["state", "accepted_at", "accepted_by", "updated_at"])
    version = case.item_version
    if version.process_key:
        from egov.workflow.actions import start_process

        case.process_instance = start_process(
            actor=actor,
            definition_key=version.process_key,
            business_key=case.number,
            subject=f"{version.name} · {case.applicant_name} · {case.number}",
            organization=case.organization,
            data=_process_data(case),
        )
        case.save(update_fields=["process_instance"])
    materials = [
        {"name": m.name, "note": m.file.original_name}
        for m in case.materials.filter(is_current=True).select_related("file")
    ]
    instrument = issue_instrument(
        actor=actor,
        case=case,
        kind=Kind.ACCEPTANCE,
        context={"deadline": _statutory_due(case), "materials": materials},
    )
    case_common.add_event(
        case,
        CaseEvent.Kind.ACCEPTED,
        actor=actor,
        organization=case.organization,
        note=note,
        public_note=_("申请已受理"),
        detail={"process": case.process_instance_id},
    )
    record(
        actor=actor,
        action="servicehall.accept_case",
        target=case,
        detail={
            "note": note,
            "process": case.process_instance_id,
            "instrument": instrument.number,
        },
    )
    notify_applicant(
        case,
        "accepted",
        title=_("您的“%(item)s”申请已受理") % {"item": version.name},
        body=_("受理通知书已出具，可在我的办件中下载。"),
    )
    return case


@audited("servicehall.refuse_case", target_kwarg="case")
def refuse_case(*, actor, case: Case, reason: str, legal_basis: str = "") -> Case:
    """不予受理 with the reason; issues the 不予受理通知书 and concludes the
    case."""
    case = _locked(case)
    case_policy.require(actor, "refuse_case", case)
    if case.state == State.REFUSED:
        raise ActionError(
            _("该办件已作出不予受理决定，无需重复操作"),
            code="case_already_refused",
            target=case,
        )
    if case.state != State.SUBMITTED or case.accepted_at is not None:
        raise _wrong_state(case, _("不予受理"))
    reason = _text(reason, field="reason", label=_("不予受理理由"), required=True)
    legal_basis = _text(
        legal_basis, field="legal_basis", label=_("法律依据"), required=False
    ) or _("《中华人民共和国行政许可法》第三十二条")
    now = timezone.now()
    case.state = State.REFUSED
    case.decision_reason = reason
    case.concluded_at = now
    instrument = issue_instrument(
        actor=actor,
        case=case,
        kind=Kind.REFUSAL,
        context={"reasons": reason, "legal_basis": legal_basis},
    )
    case.decision_number = instrument.number
    case.save(
        update_fields=[
            "state",
            "decision_reason",
            "decision_number",
            "concluded_at",
            "updated_at",
        ]
    )
    case_common.add_event(
        case,
        CaseEvent.Kind.REFUSED,
        actor=actor,
        organization=case.organization,
        note=reason,
        public_note=_("不予受理，已出具不予受理通知书"),
    )
    record(
        actor=actor,
        action="servicehall.refuse_case",
        target=case,
        detail={"reason": reason[:200], "instrument": instrument.number},
    )
    notify_applicant(
        case,
        "refused",
        title=_("您的“%(item)s”申请不予受理") % {"item": case.item_version.name},
        body=reason,
    )
    return case


def _clean_correction_items(case: Case, items) -> list[dict]:
    if not isinstance(items, list | tuple):
        items = []
    requirements = {m.pk: m for m in case.item_version.materials.all()}
    cleaned = []
    for entry in items:
        if not isinstance(entry, dict):
            continue
        material = entry.get("material")
        name = (
            (entry.get("name") or "").strip()
            if isinstance(entry.get("name"), str)
            else ""
        )
        if material is not None:
            requirement = requirements.get(material)
            if requirement is None:
                raise ActionError(_("材料不属于本事项"), code="material_not_of_item")
            name = requirement.name
        reason = entry.get("reason") if isinstance(entry.get("reason"), str) else ""
        reason = reason.strip()
        if not name:
            continue
        if len(name) > 200 or len(reason) > 500:
            raise ActionError(
                _("补正内容过长，每项名称不超过200字、要求不超过500字"),
                code="correction_item_too_long",
            )
        cleaned.append({"material": material, "name": name, "reason": reason})
    if not cleaned:
        raise ActionError(
            _("请选择或填写需要补正的材料（一次性告知全部内容）"),
            code="correction_items_required",
            fields={"items": _("请至少列出一项需要补正的内容")},
        )
    if len(cleaned) > MAX_CORRECTION_ITEMS:
        raise ActionError(_("补正内容过多"), code="correction_too_many")
    return cleaned


@audited("servicehall.request_correction", target_kwarg="case")
def request_correction(*, actor, case: Case, items, note: str = "") -> Case:
    """一次性告知补正: everything missing or wrong, listed at once.

    `items` are dicts {"material": RequiredMaterial id or None, "name": ...,
    "reason": ...}. Before acceptance it is possible only within 5 working
    days of receiving the application (行政许可法 第三十二条: later, the
    application counts as accepted on receipt). After acceptance it stops
    the case's clocks until the applicant resubmits. Issues the 补正材料通知书
    and asks the applicant."""
    case = _locked(case)
    case_policy.require(actor, "request_correction", case)
    if case.state == State.CORRECTION:
        raise ActionError(
            _("已告知申请人补正，请等待申请人补正后重新提交"),
            code="case_already_in_correction",
            target=case,
        )
    if case.state not in (State.SUBMITTED, State.ACCEPTED):
        raise _wrong_state(case, _("要求补正"))
    if case.state == State.SUBMITTED and case.accepted_at is None:
        window = correction_window(case)
        if window.overdue:
            raise ActionError(
                _(
                    "已超过收到申请材料之日起5个工作日（%(due)s），依法自收到申请材料"
                    "之日起即为受理，不能再要求补正，请予受理"
                )
                % {"due": _date(window.due_date)},
                code="correction_too_late",
                target=case,
            )
    cleaned = _clean_correction_items(case, items)
    note = _text(note, field="note", label=_("补正说明"), required=False)
    after_acceptance = case.accepted_at is not None
    if after_acceptance:
        for subject in _subjects(case):
            clocks.start_clock_stop(
                subject=subject,
                kind=ClockStop.Kind.CORRECTION,
                reason=_("要求申请人补正材料"),
                actor=actor,
            )
    correction = CorrectionRequest.objects.create(
        case=case, items=cleaned, note=note, requested_by=actor
    )
    case.state = State.CORRECTION
    case.save(update_fields=["state", "updated_at"])
    instrument = issue_instrument(
        actor=actor,
        case=case,
        kind=Kind.CORRECTION,
        context={
            "materials": [
                {"name": i["name"], "note": i["reason"] or _("请补正")} for i in cleaned
            ],
        },
    )
    case_common.add_event(
        case,
        CaseEvent.Kind.CORRECTION,
        actor=actor,
        organization=case.organization,
        note=note,
        public_note=_("需补正材料%(n)d项，请申请人按补正通知补正")
        % {"n": len(cleaned)},
        detail={"correction": correction.pk, "items": len(cleaned)},
    )
    record(
        actor=actor,
        action="servicehall.request_correction",
        target=case,
        detail={
            "items": [i["name"] for i in cleaned],
            "after_acceptance": after_acceptance,
            "instrument": instrument.number,
        },
    )
    notify_applicant(
        case,
        "correction",
        title=_("请补正“%(item)s”的申请材料") % {"item": case.item_version.name},
        body="\n".join(
            f"{n}. {i['name']}{('：' + i['reason']) if i['reason'] else ''}"
            for n, i in enumerate(cleaned, 1)
        )
        + (f"\n{note}" if note else ""),
    )
    return case


# --- 延期 ---------------------------------------------------------------------


@audited("servicehall.request_extension", target_kwarg="case")
def request_extension(*, actor, case: Case, amount, reason: str) -> ExtensionRequest:
    """Ask a 负责人 to extend the statutory limit by `amount` (in the limit's
    unit, at most 10 per 行政许可法 第四十二条). One pending request at a
    time."""
    case = _locked(case)
    case_policy.require(actor, "request_extension", case)
    if case.state not in (State.ACCEPTED, State.SUSPENDED):
        raise _wrong_state(case, _("申请延期"))
    if case.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise ActionError(
            _("该办件已有待审批的延期申请"),
            code="extension_pending",
            target=case,
        )
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = 0
    if not 1 <= amount <= LARGEST_EXTENSION:
        message = _("延长期限须在1至%(max)d之间（行政许可法第四十二条）") % {
            "max": LARGEST_EXTENSION
        }
        raise ActionError(message, code="extension_amount", fields={"amount": message})
    reason = _text(
        reason, field="reason", label=_("延期理由"), required=True, limit=500
    )
    request = ExtensionRequest.objects.create(
        case=case,
        amount=amount,
        unit=case.item_version.statutory_limit_unit,
        reason=reason,
        requested_by=actor,
    )
    case_common.add_event(
        case,
        CaseEvent.Kind.NOTE,
        actor=actor,
        organization=case.organization,
        note=_("申请延期%(amount)d：%(reason)s") % {"amount": amount, "reason": reason},
        detail={"extension_request": request.pk},
    )
    record(
        actor=actor,
        action="servicehall.request_extension",
        target=case,
        detail={"request": request.pk, "amount": amount, "reason": reason[:200]},
    )
    return request


@audited("servicehall.decide_extension")
def decide_extension(
    *, actor, request: ExtensionRequest, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The 负责人 approves (the statutory limit grows by the amount, the
    applicant gets the 延期通知书) or refuses (a note is required) a pending
    extension request."""
    try:
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    except (ExtensionRequest.DoesNotExist, AttributeError):
        raise ActionError(_("延期申请不存在"), code="extension_missing") from None
    case = _locked(request.case)
    case_policy.require(actor, "approve_extension", case)
    if request.state != ExtensionRequest.State.PENDING:
        raise ActionError(
            _("该延期申请已%(state)s，不能重复审批")
            % {"state": request.get_state_display()},
            code="extension_decided",
            target=case,
        )
    if case.state not in (State.ACCEPTED, State.SUSPENDED):
        raise _wrong_state(case, _("延期"))
    note = _text(
        note, field="note", label=_("审批意见"), required=not approve, limit=500
    )
    now = timezone.now()
    request.decided_by = actor
    request.decided_at = now
    request.decision_note = note
    if not approve:
        request.state = ExtensionRequest.State.REJECTED
        request.save(
            update_fields=["state", "decided_by", "decided_at", "decision_note"]
        )
        case_common.add_event(
            case,
            CaseEvent.Kind.NOTE,
            actor=actor,
            organization=case.organization,
            note=_("延期申请未获批准：%(note)s") % {"note": note},
            detail={"extension_request": request.pk},
        )
        record(
            actor=actor,
            action="servicehall.decide_extension",
            target=case,
            detail={"request": request.pk, "approved": False, "note": note[:200]},
        )
        return request
    before = _statutory_due(case)
    extension = clocks.grant_extension(
        subject=case_common.statutory_subject(case),
        amount=request.amount,
        unit=request.unit,
        reason=request.reason,
        actor=actor,
        approver=actor,
    )
    request.state = ExtensionRequest.State.APPROVED
    request.extension = extension
    request.save(
        update_fields=[
            "state",
            "decided_by",
            "decided_at",
            "decision_note",
            "extension",
        ]
    )
    after = _statutory_due(case)
    instrument = issue_instrument(
        actor=actor,
        case=case,
        kind=Kind.EXTENSION,
        context={
            "original_deadline": before,
            "deadline": after,
            "reasons": request.reason,
            "legal_basis": _("《中华人民共和国行政许可法》第四十二条第一款"),
        },
    )
    case_common.add_event(
        case,
        CaseEvent.Kind.EXTENDED,
        actor=actor,
        organization=case.organization,
        note=request.reason,
        public_note=_("经负责人批准延长办理期限至%(due)s") % {"due": after},
        detail={"extension_request": request.pk, "amount": request.amount},
    )
    record(
        actor=actor,
        action="servicehall.decide_extension",
        target=case,
        detail={
            "request": request.pk,
            "approved": True,
            "amount": request.amount,
            "deadline_before": before,
            "deadline_after": after,
            "instrument": instrument.number,
        },
    )
    notify_applicant(
        case,
        "extended",
        title=_("“%(item)s”的办理期限已延长至%(due)s")
        % {"item": case.item_version.name, "due": after},
        body=request.reason,
    )
    return request


# --- 中止 / 恢复 --------------------------------------------------------------


@audited("servicehall.suspend_case", target_kwarg="case")
def suspend_case(*, actor, case: Case, kind: str, reason: str) -> Case:
    """中止 for a hearing, inspection or expert review (or another ground the
    law excludes from the limit): both clocks stop and the case's process is
    suspended until `resume_case`."""
    case = _locked(case)
    case_policy.require(actor, "suspend_case", case)
    if case.state == State.SUSPENDED:
        raise ActionError(
            _("该办件已中止，无需重复中止"), code="case_already_suspended", target=case
        )
    if case.state != State.ACCEPTED:
        raise _wrong_state(case, _("中止"))
    if kind not in SUSPENSION_KINDS:
        raise ActionError(
            _("请选择中止的情形"),
            code="suspension_kind_invalid",
            fields={"kind": _("请选择中止的情形")},
        )
    reason = _text(
        reason, field="reason", label=_("中止理由"), required=True, limit=500
    )
    for subject in _subjects(case):
        clocks.start_clock_stop(subject=subject, kind=kind, reason=reason, actor=actor)
    instance = case.process_instance
    if instance is not None and instance.state == instance.State.RUNNING:
        from egov.workflow.actions import suspend_instance

        suspend_instance(actor=actor, instance=instance, reason=reason)
    case.state = State.SUSPENDED
    case.save(update_fields=["state", "updated_at"])
    label = ClockStop.Kind(kind).label
    case_common.add_event(
        case,
        CaseEvent.Kind.SUSPENDED,
        actor=actor,
        organization=case.organization,
        note=reason,
        public_note=_("因%(kind)s中止办理，期间不计入办理时限") % {"kind": label},
        detail={"kind": kind},
    )
    record(
        actor=actor,
        action="servicehall.suspend_case",
        target=case,
        detail={"kind": kind, "reason": reason[:200]},
    )
    notify_applicant(
        case,
        "suspended",
        title=_("“%(item)s”因%(kind)s中止办理")
        % {"item": case.item_version.name, "kind": label},
        body=_("%(kind)s期间不计入办理时限。") % {"kind": label},
    )
    return case


@audited("servicehall.resume_case", target_kwarg="case")
def resume_case(*, actor, case: Case, note: str = "") -> Case:
    """恢复: the clocks run again and the case's process resumes."""
    case = _locked(case)
    case_policy.require(actor, "resume_case", case)
    if case.state != State.SUSPENDED:
        raise _wrong_state(case, _("恢复办理"))
    note = _text(note, field="note", label=_("恢复说明"), required=False, limit=500)
    for subject in _subjects(case):
        clocks.end_clock_stop(subject=subject, actor=actor)
    instance = case.process_instance
    if instance is not None and instance.state == instance.State.SUSPENDED:
        from egov.workflow.actions import resume_instance

        resume_instance(actor=actor, instance=instance, reason=note)
    case.state = State.ACCEPTED
    case.save(update_fields=["state", "updated_at"])
    case_common.add_event(
        case,
        CaseEvent.Kind.RESUMED,
        actor=actor,
        organization=case.organization,
        note=note,
        public_note=_("恢复办理"),
    )
    record(
        actor=actor,
        action="servicehall.resume_case",
        target=case,
        detail={"note": note},
    )
    notify_applicant(
        case,
        "resumed",
        title=_("“%(item)s”已恢复办理") % {"item": case.item_version.name},
    )
    return case


# --- 决定 ---------------------------------------------------------------------


def awaiting_decision(case: Case) -> bool:
    """Whether the case's review is over and only the decision is left: it is
    in progress and its process (if the item has one) has completed."""
    if case.state != State.ACCEPTED:
        return False
    instance = case.process_instance
    return instance is None or instance.state == instance.State.COMPLETED


@audited("servicehall.decide_case", target_kwarg="case")
def decide_case(
    *, actor, case: Case, decision: str, reasons: str, legal_basis: str = ""
) -> Case:
    """准予 or 不予 the application once its process has completed, with the
    reasons (required for 不予). Issues the decision instrument; an approved
    item that issues a licence gets it from the licence library
    (egov.datahub.licence_actions.issue_licence)."""
    case = _locked(case)
    case_policy.require(actor, "decide_case", case)
    if case.state in (State.APPROVED, State.DENIED):
        raise ActionError(
            _("该办件已作出“%(state)s”决定，不能重复决定")
            % {"state": case.get_state_display()},
            code="case_already_decided",
            target=case,
        )
    if case.state != State.ACCEPTED:
        raise _wrong_state(case, _("作出决定"))
    if not awaiting_decision(case):
        raise ActionError(
            _("审批流程尚未办结，不能作出决定"),
            code="process_not_finished",
            target=case,
        )
    if decision not in (APPROVE, DENY):
        raise ActionError(
            _("请选择准予或不予许可"),
            code="decision_invalid",
            fields={"decision": _("请选择准予或不予许可")},
        )
    reasons = _text(
        reasons, field="reasons", label=_("决定理由"), required=decision == DENY
    )
    version = case.item_version
    legal_basis = (
        _text(legal_basis, field="legal_basis", label=_("法律依据"), required=False)
        or version.legal_basis
    )
    now = timezone.now()
    approve = decision == APPROVE
    case.state = State.APPROVED if approve else State.DENIED
    case.decision_reason = reasons
    case.concluded_at = now
    case.save(update_fields=["state", "decision_reason", "concluded_at", "updated_at"])
    licence = None
    if approve and version.issues_licence:
        from egov.datahub.licence_actions import issue_licence

        licence = issue_licence(actor=actor, case=case)
    context = {"legal_basis": legal_basis, "reasons": reasons}
    if licence is not None:
        valid_until = getattr(licence, "valid_until", None)
        context["licence_number"] = getattr(licence, "number", "")
        context["valid_until"] = _date(valid_until) if valid_until else _("长期")
    instrument = issue_instrument(
        actor=actor,
        case=case,
        kind=Kind.APPROVAL if approve else Kind.DENIAL,
        context=context,
    )
    case.decision_number = instrument.number
    case.save(update_fields=["decision_number"])
    case_common.add_event(
        case,
        CaseEvent.Kind.APPROVED if approve else CaseEvent.Kind.DENIED,
        actor=actor,
        organization=case.organization,
        note=reasons,
        public_note=(
            _("准予许可，已出具准予行政许可决定书")
            if approve
            else _("不予许可，已出具不予行政许可决定书")
        ),
        detail={"instrument": instrument.number},
    )
    record(
        actor=actor,
        action="servicehall.decide_case",
        target=case,
        detail={
            "decision": decision,
            "reasons": reasons[:200],
            "instrument": instrument.number,
            "licence": getattr(licence, "pk", None),
        },
    )
    notify_applicant(
        case,
        case.state,
        title=(
            _("您的“%(item)s”申请已准予许可")
            if approve
            else _("您的“%(item)s”申请不予许可")
        )
        % {"item": version.name},
        body=reasons,
    )
    return case


# --- 查看完整信息 -------------------------------------------------------------


@audited("servicehall.reveal_applicant", target_kwarg="case")
def reveal_applicant(*, actor, case: Case) -> dict:
    """The applicant's full ID number and phone for someone who may see the
    case; every reveal is written to the audit log."""
    case_policy.require(actor, "reveal_applicant", case)
    record(
        actor=actor,
        action="servicehall.reveal_applicant",
        target=case,
        detail={"fields": ["applicant_id_number", "contact_phone"]},
    )
    return {"id_number": case.applicant_id_number, "phone": case.contact_phone}
