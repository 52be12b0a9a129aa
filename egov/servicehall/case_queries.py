"""Reads of cases on the internal face, each for one viewer: the 一窗受理
queue, 办件管理, one case with its process, and the instruments an applicant
may download.

Reach (egov.servicehall.permissions.case_rows): a role's data scope over the
implementing organization; the window (ACCEPT_CASE) the whole region of the
viewer's organizations; the departments of a joint approval while they take
part in its process. Anything outside answers Http404.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from egov.core import workdays
from egov.servicehall import case_common
from egov.servicehall.models import (
    Case,
    CaseEvent,
    CaseInstrument,
    CaseMaterial,
    ExtensionRequest,
)
from egov.servicehall.permissions import case_policy

State = Case.State

# 行政许可法 第三十二条: 申请材料不齐全或者不符合法定形式的，应当当场或者在五日内一次
# 告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理.
CORRECTION_WORKDAYS = 5
WINDOW_STATES = (State.SUBMITTED, State.CORRECTION)


@dataclass(frozen=True)
class CorrectionWindow:
    """Until when a received application may still be sent back for
    correction; `received` is the day the (last corrected) materials came."""

    received: date
    due_date: date
    provisional: bool
    age_workdays: int

    @property
    def overdue(self) -> bool:
        return timezone.localdate() > self.due_date

    @property
    def days_left(self) -> int:
        return CORRECTION_WORKDAYS - self.age_workdays


def _received_at(case: Case):
    last = (
        case.events.filter(kind=CaseEvent.Kind.RESUBMITTED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return last or case.submitted_at or case.created_at


def correction_window(case: Case, received_at=None) -> CorrectionWindow:
    received = timezone.localdate(received_at or _received_at(case))
    due, provisional = workdays.add_workdays(received, CORRECTION_WORKDAYS)
    age = max(workdays.workdays_between(received, timezone.localdate()), 0)
    return CorrectionWindow(received, due, provisional, age)


def _with_related(rows):
    return rows.select_related(
        "item_version", "organization", "process_instance", "entered_by"
    )


def window_queue(
    viewer,
    *,
    state: str = "",
    item=None,
    organization=None,
    channel: str = "",
    search: str = "",
):
    """Applications waiting at the window (待受理 and 待补正) that the viewer
    may accept, oldest first."""
    rows = case_policy.visible(viewer, Case.objects.all(), "accept_case")
    rows = rows.filter(state__in=WINDOW_STATES)
    if state in WINDOW_STATES:
        rows = rows.filter(state=state)
    if item is not None:
        rows = rows.filter(item=item)
    if organization is not None:
        rows = rows.filter(organization=organization)
    if channel in Case.Channel.values:
        rows = rows.filter(channel=channel)
    if search:
        rows = rows.filter(Q(number__startswith=search) | Q(applicant_name=search))
    return _with_related(rows).order_by("submitted_at", "id")


def workbench_figures(viewer) -> dict | None:
    """The workbench's 政务服务 figures: applications waiting at the window
    and those waiting for a correction (for whoever may accept), and the
    cases whose review is over and that wait for a decision the viewer may
    make. None when the viewer may do neither."""
    figures = {}
    if case_policy.can(viewer, "accept_case"):
        rows = case_policy.visible(viewer, Case.objects.all(), "accept_case")
        counts = {
            row["state"]: row["n"]
            for row in rows.filter(state__in=WINDOW_STATES)
            .order_by()
            .values("state")
            .annotate(n=Count("id"))
        }
        figures["waiting"] = counts.get(State.SUBMITTED, 0)
        figures["correction"] = counts.get(State.CORRECTION, 0)
    if case_policy.can(viewer, "decide_case"):
        figures["to_decide"] = (
            case_policy.visible(viewer, Case.objects.all(), "decide_case")
            .filter(state=State.ACCEPTED)
            .filter(
                Q(process_instance__isnull=True)
                | Q(process_instance__state="completed")
            )
            .count()
        )
    return figures or None


def window_rows(cases) -> list[dict]:
    """Queue rows with the age and the correction deadline of each case."""
    cases = list(cases)
    resubmitted = dict(
        CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.RESUBMITTED)
        .order_by("case_id", "at")
        .values_list("case_id", "at")
    )
    rows = []
    for case in cases:
        window = correction_window(
            case, resubmitted.get(case.pk) or case.submitted_at or case.created_at
        )
        rows.append({"case": case, "window": window})
    return rows


def cases_for(
    viewer, *, state: str = "", item=None, overdue: bool = False, search: str = ""
):
    """办件管理: the submitted cases within the viewer's reach, newest first.
    `overdue` keeps the cases in progress whose statutory limit has run out
    (computed, so it filters in Python: returns a list then)."""
    rows = case_policy.visible(viewer, Case.objects.exclude(state=State.DRAFT))
    if state == "awaiting_decision":
        rows = rows.filter(state=State.ACCEPTED).filter(
            Q(process_instance__isnull=True) | Q(process_instance__state="completed")
        )
    elif state in State.values:
        rows = rows.filter(state=state)
    if item is not None:
        rows = rows.filter(item=item)
    if search:
        rows = rows.filter(Q(number__startswith=search) | Q(applicant_name=search))
    rows = _with_related(rows).order_by("-submitted_at", "-id")
    if overdue:
        open_cases = list(rows.filter(state__in=(State.ACCEPTED, State.SUSPENDED)))
        limits = case_common.deadlines(open_cases)
        return [
            case
            for case in open_cases
            if limits.get(case.pk, {}).get("statutory")
            and limits[case.pk]["statutory"].remaining_workdays < 0
        ]
    return rows


def items_with_cases(viewer):
    """The items of the cases the viewer reaches, for the filter."""
    from egov.servicehall.models import ServiceItem

    reachable = case_policy.visible(viewer, Case.objects.filter(item=OuterRef("pk")))
    return ServiceItem.objects.filter(Exists(reachable)).order_by("code")


def enterable_versions(viewer) -> list:
    """The published items the viewer may take applications for at the
    window, by name."""
    from egov.servicehall.models import ServiceItemVersion

    rows = ServiceItemVersion.objects.filter(
        status=ServiceItemVersion.Status.PUBLISHED
    ).select_related("item__organization")
    return [
        version
        for version in rows.order_by("name", "id")
        if case_policy.can(viewer, "enter_case", version.item.organization)
    ]


def get_case_for(viewer, number, action: str = "view_case") -> Case:
    """The case `number` if the viewer reaches it; Http404 otherwise."""
    case = (
        _with_related(case_policy.visible(viewer, Case.objects.all(), action))
        .select_related("item", "organization__region", "accepted_by")
        .filter(number=str(number)[:32])
        .first()
    )
    if case is None:
        raise Http404
    return case


def process_tasks(case: Case) -> list:
    if case.process_instance_id is None:
        return []
    return list(
        case.process_instance.tasks.select_related("assignee", "completed_by").order_by(
            "created_at", "id"
        )
    )


def department_opinions(case: Case) -> list:
    """The opinions given in the case's process, from its history: who, for
    which organization, at which step, agreeing or not."""
    from egov.workflow.models import TaskEvent

    if case.process_instance_id is None:
        return []
    return list(
        TaskEvent.objects.filter(
            instance_id=case.process_instance_id,
            kind__in=(TaskEvent.Kind.APPROVE, TaskEvent.Kind.REJECT),
        )
        .select_related("actor", "task")
        .order_by("created_at", "id")
    )


def current_materials(case: Case):
    return case.materials.filter(is_current=True).select_related("file", "requirement")


def get_material_for(viewer, number, pk) -> CaseMaterial:
    case = get_case_for(viewer, number)
    material = case.materials.select_related("file").filter(pk=_int(pk)).first()
    if material is None:
        raise Http404
    return material


def get_instrument_for(viewer, number, pk) -> CaseInstrument:
    case = get_case_for(viewer, number)
    instrument = case.instruments.select_related("file_docx", "file_pdf").filter(
        pk=_int(pk)
    )
    found = instrument.first()
    if found is None:
        raise Http404
    return found


def pending_extension(case: Case) -> ExtensionRequest | None:
    return case.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()


def instruments_for_applicant(case: Case) -> list[CaseInstrument]:
    """The instruments issued on the applicant's own case, oldest first (the
    caller has already made sure the viewer is the applicant)."""
    return list(
        case.instruments.select_related("file_pdf").order_by("created_at", "id")
    )


def get_applicant_instrument(viewer, number, pk) -> CaseInstrument:
    """One instrument of one of the viewer's own cases; Http404 for anyone
    else's, a missing one or an anonymous viewer."""
    if viewer is None or not viewer.is_authenticated:
        raise Http404
    found = (
        CaseInstrument.objects.select_related("file_pdf", "file_docx")
        .filter(
            pk=_int(pk),
            case__number=str(number)[:32],
            case__applicant=viewer,
        )
        .first()
    )
    if found is None:
        raise Http404
    return found


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None
