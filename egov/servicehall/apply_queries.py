"""Reads of the applicant's side of the service hall: 我的办件, one's own case
and its materials, what is still missing, what can be reused, and the public
progress lookup.

Every function that takes a viewer returns only that viewer's own cases; a
case of someone else answers Http404, the same as one that does not exist.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import uuid4

from django.core.cache import cache
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from egov.core.models import StoredFile
from egov.core.timelimits import remaining_display
from egov.core.workdays import current_calendar
from egov.eforms import queries as form_queries
from egov.servicehall import case_common
from egov.servicehall.apply_permissions import applicant_audience, applicant_policy
from egov.servicehall.models import (
    Audience,
    Case,
    CaseEvent,
    CaseMaterial,
    CorrectionRequest,
    RequiredMaterial,
)

# A material uploaded for an earlier case is offered again for this long.
REUSE_DAYS = 365


# --- the applicant's own cases ------------------------------------------------


def my_cases(viewer, *, state: str = ""):
    """The viewer's cases, drafts first, then the newest submitted."""
    if not applicant_policy.can(viewer, "apply"):
        return Case.objects.none()
    rows = Case.objects.filter(applicant=viewer).select_related(
        "item_version", "organization"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by(F("submitted_at").desc(nulls_first=True), "-created_at", "-id")


def get_my_case(viewer, number: str) -> Case:
    """The viewer's submitted case `number`; Http404 for a missing number and
    for anyone else's case alike."""
    case = (
        Case.objects.filter(number=str(number)[:32])
        .select_related("item_version", "organization", "process_instance")
        .first()
    )
    if case is None or not applicant_policy.can(viewer, "view", case):
        raise Http404
    return case


def get_my_draft(viewer, token) -> Case:
    """The viewer's case created with client token `token` (a draft, or the
    case it became); Http404 for anyone else's."""
    case = (
        Case.objects.filter(client_token=token)
        .select_related("item_version", "organization")
        .first()
    )
    if case is None or not applicant_policy.can(viewer, "view", case):
        raise Http404
    return case


def get_my_material(viewer, case: Case, pk: int) -> StoredFile:
    """The stored file of material `pk` of the viewer's `case`; Http404 when
    the material belongs to another case."""
    if not applicant_policy.can(viewer, "view", case):
        raise Http404
    material = (
        CaseMaterial.objects.filter(case=case, pk=pk).select_related("file").first()
    )
    if material is None:
        raise Http404
    return material.file


def open_draft_for(viewer, version) -> Case | None:
    """The viewer's newest draft for the item of `version`, to offer
    continuing it instead of starting again."""
    if not applicant_policy.can(viewer, "apply"):
        return None
    return (
        Case.objects.filter(applicant=viewer, item=version.item, state=Case.State.DRAFT)
        .order_by("-created_at")
        .first()
    )


# --- prefilled data -----------------------------------------------------------


def prefill_for(user) -> dict:
    """What a new application starts with, from the account and, for contact
    details the account lacks, from the applicant's latest case."""
    audience = applicant_audience(user)
    data = {
        "applicant_kind": audience,
        "applicant_name": user.real_name,
        "applicant_id_number": user.uscc
        if audience == Audience.ENTITY
        else user.id_number,
        "contact_name": user.real_name if audience == Audience.INDIVIDUAL else "",
        "contact_phone": user.phone,
        "contact_email": user.email,
    }
    latest = (
        Case.objects.filter(applicant=user)
        .exclude(number=None)
        .order_by("-submitted_at", "-id")
        .first()
    )
    if latest is not None:
        for key in ("contact_name", "contact_email"):
            data[key] = data[key] or getattr(latest, key)
        data["contact_phone"] = data["contact_phone"] or latest.contact_phone
    return data


# --- materials ----------------------------------------------------------------


def applicable_materials(case: Case) -> list[RequiredMaterial]:
    """The materials of the case's item version that apply to its kind of
    applicant, in the guide's order."""
    rows = RequiredMaterial.objects.filter(version_id=case.item_version_id)
    if case.applicant_kind == Audience.ENTITY:
        rows = rows.filter(for_entities=True)
    else:
        rows = rows.filter(for_individuals=True)
    return list(rows.order_by("sort_order", "id"))


def current_materials(case: Case) -> list[CaseMaterial]:
    return list(
        case.materials.filter(is_current=True)
        .select_related("file")
        .order_by("requirement__sort_order", "uploaded_at", "id")
    )


def missing_materials(case: Case) -> list[RequiredMaterial]:
    """Required materials of the case without a current file."""
    have = set(
        case.materials.filter(is_current=True).values_list("requirement_id", flat=True)
    )
    return [m for m in applicable_materials(case) if m.is_required and m.pk not in have]


def reusable_materials(case: Case) -> dict[int, CaseMaterial]:
    """For each material of `case` without a file, the applicant's newest
    current file of the same name in another submitted case of theirs, from
    the last REUSE_DAYS days: {requirement id: CaseMaterial}."""
    wanted = {m.name: m.pk for m in applicable_materials(case)}
    if case.applicant_id is None or not wanted:
        return {}
    have = set(
        case.materials.filter(is_current=True).values_list("requirement_id", flat=True)
    )
    since = timezone.now() - timedelta(days=REUSE_DAYS)
    rows = (
        CaseMaterial.objects.filter(
            case__applicant_id=case.applicant_id,
            is_current=True,
            name__in=list(wanted),
            uploaded_at__gte=since,
        )
        .exclude(case=case)
        .exclude(case__number=None)
        .exclude(case__state=Case.State.WITHDRAWN)
        .select_related("case", "file")
        .order_by("-uploaded_at", "-id")
    )
    offers: dict[int, CaseMaterial] = {}
    for row in rows:
        pk = wanted[row.name]
        if pk not in have and pk not in offers:
            offers[pk] = row
    return offers


@dataclass
class MaterialLine:
    requirement: RequiredMaterial
    files: list = field(default_factory=list)
    reusable: CaseMaterial | None = None
    # The reason given in an open correction request, when it names this one.
    correction: str = ""

    @property
    def missing(self) -> bool:
        return self.requirement.is_required and not self.files


def open_correction(case: Case) -> CorrectionRequest | None:
    """The correction request the applicant still has to answer."""
    if case.state != Case.State.CORRECTION:
        return None
    return case.corrections.filter(resolved_at=None).order_by("-requested_at").first()


def material_lines(case: Case) -> list[MaterialLine]:
    """One line per applicable material: its current files, a reusable file
    when it has none, and the correction reason when one names it."""
    lines = {m.pk: MaterialLine(m) for m in applicable_materials(case)}
    for material in current_materials(case):
        line = lines.get(material.requirement_id)
        if line is not None:
            line.files.append(material)
    if case.is_editable:
        for pk, material in reusable_materials(case).items():
            lines[pk].reusable = material
    correction = open_correction(case)
    if correction is not None:
        for entry in correction.items:
            line = lines.get(entry.get("material"))
            if line is not None:
                line.correction = entry.get("reason") or _("请补正")
    return list(lines.values())


# --- the item's application form ----------------------------------------------


def application_form(case: Case):
    """The published eforms FormDefinition the case is filled on, or None
    when the item has no form of its own (the built-in basic form is used).
    Raises LookupError when the item names a form that is not published."""
    return version_form(case.item_version)


def version_form(version):
    """application_form for an item version (before there is a case)."""
    key = version.form_key
    if not key:
        return None
    form = form_queries.latest_published(key)
    if form is None:
        raise LookupError(key)
    return form


# --- progress: steps and time left --------------------------------------------


def current_steps(cases) -> dict[int, list[str]]:
    """The node names of the open approval tasks of accepted cases, by case."""
    from egov.workflow.models import Task

    by_instance = {
        c.process_instance_id: c.pk for c in cases if c.process_instance_id is not None
    }
    steps: dict[int, list[str]] = {}
    if not by_instance:
        return steps
    rows = (
        Task.objects.filter(
            instance_id__in=list(by_instance), state__in=Task.OPEN_STATES
        )
        .order_by("created_at", "id")
        .values_list("instance_id", "node_name")
    )
    for instance_id, name in rows:
        names = steps.setdefault(by_instance[instance_id], [])
        if name not in names:
            names.append(name)
    return steps


def step_display(case: Case, steps: list[str] | None) -> str:
    if steps and case.state in (Case.State.ACCEPTED, Case.State.SUSPENDED):
        return "、".join(steps)
    return case.get_state_display()


def time_left(result_by_part: dict) -> str:
    """What a person reads for the case's promised limit (承诺时限), else its
    statutory one; "" before acceptance and after the result."""
    result = result_by_part.get("promised") or result_by_part.get("statutory")
    return remaining_display(result) if result is not None else ""


def case_rows(cases) -> list[dict]:
    """我的办件 rows: the case, its current step and the time left, with one
    query for the steps and two for the deadlines of the whole page."""
    cases = list(cases)
    steps = current_steps(cases)
    running = [c for c in cases if c.accepted_at and not c.is_concluded]
    due = case_common.deadlines(running)
    return [
        {
            "case": case,
            "step": step_display(case, steps.get(case.pk)),
            "time_left": time_left(due.get(case.pk, {})),
        }
        for case in cases
    ]


def timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("organization").order_by("at", "id"))


# --- public progress lookup ---------------------------------------------------


def public_progress(number: str, lookup_code: str) -> dict | None:
    """What anyone holding the case number and its lookup code may read, or
    None when they do not match a submitted case (whether the number is
    missing or the code is wrong). Never personal data: the item, the state,
    the handling organization, the time left and the public notes of the
    timeline.

    People refresh this page many times while they wait, so what it shows is
    kept in the shared cache per case (case_common.progress_key) until the
    case's timeline changes (case_common.add_event drops it when its
    transaction commits), the working-day calendar changes, or
    PROGRESS_CACHE_SECONDS pass. Only the time left is worked out on every
    read, from the kept deadline and the current time, so it is never stale.
    The lookup code is kept as a keyed digest, not as entered."""
    number = (number or "").strip()[:32]
    code = (lookup_code or "").strip().upper()[:8]
    if not number or not code:
        return None
    if not (number.isascii() and number.isdigit()):
        # Case numbers are digits (case_common.next_case_number); anything
        # else names no case and must not become a cache key.
        return None
    key = case_common.progress_key(number)
    calendar = current_calendar().token
    digest = _code_digest(number, code)
    entry = cache.get(key)
    if (
        entry is None
        or entry["calendar"] != calendar
        or not secrets.compare_digest(entry["digest"], digest)
    ):
        # A mismatch reads the database again rather than trusting the cache:
        # misses are few (and limited per address), and a kept entry can
        # then never hide a case.
        entry = _progress_entry(number, calendar)
        if entry is None:
            return None
        cache.set(key, entry, PROGRESS_CACHE_SECONDS)
        if not secrets.compare_digest(entry["digest"], digest):
            return None
    deadline = entry["deadline"]
    return {
        "number": entry["number"],
        "version": entry["version"],
        "item": entry["item"],
        "state": Case.State(entry["state_code"]).label,
        "state_code": entry["state_code"],
        "organization": entry["organization"],
        "submitted_at": entry["submitted_at"],
        "concluded_at": entry["concluded_at"],
        "time_left": (remaining_display(deadline, timezone.now()) if deadline else ""),
        "events": [
            {
                "at": at,
                "kind": CaseEvent.Kind(kind).label,
                "organization": organization,
                "note": note,
            }
            for at, kind, organization, note in entry["events"]
        ],
    }


# How long the public progress of a case stays in the cache at most.
PROGRESS_CACHE_SECONDS = 60


def _code_digest(number: str, code: str) -> str:
    return salted_hmac("egov.servicehall.lookup", f"{number}:{code}").hexdigest()


def _progress_entry(number: str, calendar: str) -> dict | None:
    """The cacheable part of a case's public progress, read from the
    database (None when no submitted case has that number)."""
    case = (
        Case.objects.filter(number=number)
        .select_related("item_version", "organization")
        .first()
    )
    if case is None or not case.lookup_code:
        return None
    due = case_common.deadline(case) if not case.is_concluded else {}
    events = (
        case.events.exclude(public_note="")
        .select_related("organization")
        .order_by("at", "id")
    )
    return {
        "digest": _code_digest(case.number, case.lookup_code),
        "calendar": calendar,
        # Names this reading: the page keeps its rendering per version.
        "version": uuid4().hex,
        "number": case.number,
        "item": case.item_version.name,
        "state_code": case.state,
        "organization": case.organization.name,
        "submitted_at": case.submitted_at,
        "concluded_at": case.concluded_at,
        "deadline": due.get("promised") or due.get("statutory"),
        "events": [
            (
                event.at,
                event.kind,
                event.organization.name if event.organization else "",
                event.public_note,
            )
            for event in events
        ],
    }


def applicable_materials_of(version, user) -> list[RequiredMaterial]:
    """The materials of `version` for `user`'s kind of applicant (all of
    them for someone who is not an applicant)."""
    rows = version.materials.all()
    audience = applicant_audience(user)
    if audience == Audience.ENTITY:
        rows = rows.filter(for_entities=True)
    elif audience == Audience.INDIVIDUAL:
        rows = rows.filter(for_individuals=True)
    return list(rows.order_by("sort_order", "id"))


# --- results ---------------------------------------------------------------------


def results_of(case: Case) -> dict:
    """What the applicant gets besides the receipt: the instruments (文书)
    issued on the case, its electronic licences (电子证照), and once it is
    concluded their rating (好差评) with the department's reply. The caller
    has already made sure the viewer is the applicant."""
    from egov.datahub.licence_queries import licences_for_case
    from egov.servicehall.case_queries import instruments_for_applicant
    from egov.supervision.rating_queries import (
        rating_for_case,
        rectification_reply_for_case,
    )

    rating = rating_for_case(case) if case.is_concluded else None
    return {
        "instruments": instruments_for_applicant(case),
        "licences": list(licences_for_case(case)),
        "may_rate": case.is_concluded and rating is None,
        "rating": rating,
        "reply": rectification_reply_for_case(case) if rating else None,
    }


def receipt_pdf(case: Case, *, lookup_url: str) -> bytes:
    """The receipt (回执) of a submitted case as PDF: what was applied for,
    when, the case number and lookup code, the materials handed in and the
    limits; personal data masked. The QR code opens the public lookup."""
    from egov.docgen.pdf import simple_pdf

    version = case.item_version
    materials = current_materials(case)
    rows = [
        (_("办件编号"), case.number),
        (_("查询码"), case.lookup_code),
        (_("事项名称"), version.name),
        (_("实施机构"), case.organization.name),
        (_("申请人"), case.applicant_name),
        (_("证件号码"), case.applicant_id_masked),
        (_("联系电话"), case.contact_phone_masked),
        (_("申请渠道"), case.get_channel_display()),
        (_("提交时间"), timezone.localtime(case.submitted_at)),
        (_("当前状态"), case.get_state_display()),
        (_("法定时限"), version.statutory_display),
        (_("承诺时限"), version.promised_display),
        (
            _("提交材料"),
            "\n".join(f"{m.name}：{m.file.original_name}" for m in materials),
        ),
        (_("咨询电话"), version.consultation_phone),
        (_("监督投诉电话"), version.complaint_phone),
    ]
    return simple_pdf(
        _("网上申请回执"),
        rows,
        qr_url=lookup_url,
        subtitle=case.organization.name,
        note=_(
            "您的申请已收到。实施机构将在5个工作日内决定是否受理；需要补正材料的，"
            "将一次性告知。凭办件编号和查询码可随时查询办理进度。"
        ),
        qr_caption=_("扫码查询办理进度"),
    )
