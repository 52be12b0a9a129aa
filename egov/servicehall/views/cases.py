"""政务服务 → 一窗受理 and 办件管理 (internal face, staff/cases/), and the
applicant's download of their instruments (public face, hall:instrument).

Thin: each view parses a form, calls one action or query, and renders. A
refused action re-renders the case page with the message and status 400
(403 for a permission refusal); cases outside the viewer's reach are 404.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.core.errors import ActionError, PermissionDenied
from egov.core.files import file_response
from egov.servicehall import apply_queries, case_common, form_display
from egov.servicehall import case_actions as actions
from egov.servicehall import case_queries as queries
from egov.servicehall.case_forms import (
    AcceptForm,
    CaseFilterForm,
    CorrectionForm,
    DecideForm,
    EnterCaseForm,
    ExtensionDecisionForm,
    ExtensionForm,
    PickItemForm,
    QueueFilterForm,
    RefuseForm,
    ResumeForm,
    SuspendForm,
)
from egov.servicehall.models import Case, ExtensionRequest
from egov.servicehall.permissions import case_policy

T = "servicehall/cases/"
State = Case.State


def case_permission(action: str):
    """Signed in and allowed `action` by the case policy; else 403."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not case_policy.can(request.user, action):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _page(request, rows, size=50):
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# --- 一窗受理 -----------------------------------------------------------------


@login_required
def workbench_card(request):
    """The workbench's 政务服务 card (loaded into the workbench by htmx):
    what waits at the window and what waits for the viewer's decision;
    nothing for staff who do neither."""
    figures = queries.workbench_figures(request.user)
    if figures is None:
        return HttpResponse(status=204)
    return render(request, T + "_workbench_card.html", {"figures": figures})


@case_permission("accept_case")
def window_queue(request):
    viewer = request.user
    items = queries.items_with_cases(viewer)
    filters = QueueFilterForm(request.GET or None, items=items)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = queries.window_queue(
        viewer,
        state=data.get("state", ""),
        item=data.get("item"),
        channel=data.get("channel", ""),
        search=(data.get("q") or "").strip(),
    )
    page, query = _page(request, rows)
    return render(
        request,
        T + "window_queue.html",
        {
            "page": page,
            "rows": queries.window_rows(page.object_list),
            "filters": filters,
            "query": query,
            "can_enter": case_policy.can(viewer, "enter_case"),
            "correction_days": queries.CORRECTION_WORKDAYS,
        },
    )


def _version_of(versions, code: str):
    """The item version the clerk may enter whose item has `code`, or None."""
    return next((v for v in versions if v.item.code == code), None)


@case_permission("enter_case")
def case_enter(request):
    """窗口收件: pick the item, then fill in the applicant and scan the
    materials."""
    viewer = request.user
    versions = queries.enterable_versions(viewer)
    code = request.GET.get("item") or request.POST.get("item") or ""
    version = _version_of(versions, code)
    if version is None:
        picker = PickItemForm(request.GET or None, versions=versions)
        return render(request, T + "enter_pick.html", {"picker": picker})
    try:
        item_form = apply_queries.version_form(version)
    except LookupError:
        item_form = None
    page = {"version": version, "item_form": item_form, "errors": {}}
    if request.method != "POST":
        form = EnterCaseForm(version=version, has_item_form=item_form is not None)
        return render(request, T + "enter.html", {**page, "form": form})
    form = EnterCaseForm(
        request.POST,
        request.FILES,
        version=version,
        has_item_form=item_form is not None,
    )
    if form.is_valid():
        try:
            case = actions.enter_case(
                actor=viewer,
                item_code=version.item.code,
                applicant=form.applicant(),
                form_data=form.item_form_data(),
                materials=form.materials(),
            )
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except ActionError as exc:
            _form_errors(form, exc)
            page["errors"] = exc.fields or {}
        else:
            messages.success(
                request,
                _("已收件，办件编号%(number)s，查询码%(code)s")
                % {"number": case.number, "code": case.lookup_code},
            )
            return redirect("cases:detail", number=case.number)
    return render(request, T + "enter.html", {**page, "form": form}, status=400)


@case_permission("enter_case")
@require_GET
def case_enter_form(request):
    """The item's application form for the form viewer of 窗口收件:
    {"schema", "data"} (the data starts empty)."""
    versions = queries.enterable_versions(request.user)
    version = _version_of(versions, request.GET.get("item") or "")
    try:
        item_form = apply_queries.version_form(version) if version else None
    except LookupError:
        item_form = None
    if item_form is None:
        raise Http404
    return JsonResponse({"schema": item_form.schema, "data": {}})


def _form_errors(form, exc: ActionError) -> None:
    mapping = {"applicant_kind", "applicant_name", "applicant_id_number"}
    placed = False
    for field, message in exc.fields.items():
        if field in form.fields or field in mapping:
            form.add_error(field if field in form.fields else None, message)
            placed = True
        elif field.startswith("data."):
            # Shown under the item form's own fields (and named above them).
            placed = True
    if not placed or any(f.startswith("data.") for f in exc.fields):
        form.add_error(None, exc.message)


# --- 办件管理 -----------------------------------------------------------------


@case_permission("view_case")
def case_list(request):
    viewer = request.user
    items = queries.items_with_cases(viewer)
    filters = CaseFilterForm(request.GET or None, items=items)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = queries.cases_for(
        viewer,
        state=data.get("state", ""),
        item=data.get("item"),
        overdue=bool(data.get("overdue")),
        search=(data.get("q") or "").strip(),
    )
    page, query = _page(request, rows)
    limits = case_common.deadlines(page.object_list)
    return render(
        request,
        T + "case_list.html",
        {
            "page": page,
            "rows": [
                {
                    "case": case,
                    "deadline": limits.get(case.pk, {}).get("statutory"),
                    "awaiting_decision": actions.awaiting_decision(case),
                }
                for case in page.object_list
            ],
            "filters": filters,
            "query": query,
        },
    )


# --- one case -----------------------------------------------------------------


def _detail_context(request, case, **extra) -> dict:
    viewer = request.user
    can = {
        action: case_policy.can(viewer, action, case)
        for action in (
            "accept_case",
            "refuse_case",
            "request_correction",
            "request_extension",
            "approve_extension",
            "suspend_case",
            "resume_case",
            "decide_case",
            "reveal_applicant",
        )
    }
    state = case.state
    not_accepted = case.accepted_at is None
    pending = queries.pending_extension(case)
    awaiting = actions.awaiting_decision(case)
    window = (
        queries.correction_window(case)
        if state in queries.WINDOW_STATES and not_accepted
        else None
    )
    shows = {
        "accept": can["accept_case"] and state == State.SUBMITTED,
        "refuse": can["refuse_case"] and state == State.SUBMITTED and not_accepted,
        "correction": can["request_correction"]
        and (
            (state == State.SUBMITTED and not (not_accepted and window.overdue))
            or state == State.ACCEPTED
        ),
        "extension": can["request_extension"]
        and state in (State.ACCEPTED, State.SUSPENDED)
        and pending is None,
        "extension_decide": can["approve_extension"] and pending is not None,
        "suspend": can["suspend_case"] and state == State.ACCEPTED,
        "resume": can["resume_case"] and state == State.SUSPENDED,
        "decide": can["decide_case"] and awaiting,
    }
    context = {
        "case": case,
        "deadlines": case_common.deadline(case),
        "window": window,
        "materials": queries.current_materials(case),
        "form_rows": form_display.form_rows(case, revealed=bool(extra.get("revealed"))),
        "events": case.events.select_related("actor", "organization"),
        "tasks": queries.process_tasks(case),
        "opinions": queries.department_opinions(case),
        "instruments": case.instruments.all(),
        "corrections": case.corrections.all(),
        "extensions": case.extension_requests.select_related(
            "requested_by", "decided_by"
        ),
        "pending_extension": pending,
        "awaiting_decision": awaiting,
        "can": can,
        "shows": shows,
        "any_action": any(shows.values()),
        "accept_form": AcceptForm(),
        "refuse_form": RefuseForm(),
        "correction_form": CorrectionForm(version=case.item_version),
        "extension_form": ExtensionForm(),
        "extension_decision_form": ExtensionDecisionForm(),
        "suspend_form": SuspendForm(),
        "resume_form": ResumeForm(),
        "decide_form": DecideForm(),
    }
    context.update(extra)
    return context


@case_permission("view_case")
def case_detail(request, number):
    case = queries.get_case_for(request.user, number)
    return render(request, T + "case_detail.html", _detail_context(request, case))


def _act(request, number, form_class, run, *, form_kwargs=None, done=""):
    """Parse `form_class`, run `run(case, cleaned_data)`; on success redirect
    to the case with `done`; refused: the case page with the message, 400."""
    viewer = request.user
    case = queries.get_case_for(viewer, number)
    form = form_class(request.POST, **(form_kwargs(case) if form_kwargs else {}))
    if form.is_valid():
        try:
            run(case, form)
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except ActionError as exc:
            for field, message in exc.fields.items():
                if field in form.fields:
                    form.add_error(field, message)
            error = exc.message
        else:
            messages.success(request, done)
            return redirect("cases:detail", number=case.number)
    else:
        error = _("请检查填写的内容")
    case = queries.get_case_for(viewer, number)
    key = {
        AcceptForm: "accept_form",
        RefuseForm: "refuse_form",
        CorrectionForm: "correction_form",
        ExtensionForm: "extension_form",
        ExtensionDecisionForm: "extension_decision_form",
        SuspendForm: "suspend_form",
        ResumeForm: "resume_form",
        DecideForm: "decide_form",
    }[form_class]
    return render(
        request,
        T + "case_detail.html",
        _detail_context(request, case, error=error, **{key: form}, open_form=key),
        status=400,
    )


@require_POST
@case_permission("accept_case")
def case_accept(request, number):
    return _act(
        request,
        number,
        AcceptForm,
        lambda case, form: actions.accept_case(
            actor=request.user, case=case, note=form.cleaned_data["note"]
        ),
        done=_("已受理，受理通知书已出具"),
    )


@require_POST
@case_permission("refuse_case")
def case_refuse(request, number):
    return _act(
        request,
        number,
        RefuseForm,
        lambda case, form: actions.refuse_case(
            actor=request.user,
            case=case,
            reason=form.cleaned_data["reason"],
            legal_basis=form.cleaned_data["legal_basis"],
        ),
        done=_("已作出不予受理决定，不予受理通知书已出具"),
    )


@require_POST
@case_permission("request_correction")
def case_correction(request, number):
    return _act(
        request,
        number,
        CorrectionForm,
        lambda case, form: actions.request_correction(
            actor=request.user,
            case=case,
            items=form.items(),
            note=form.cleaned_data["note"],
        ),
        form_kwargs=lambda case: {"version": case.item_version},
        done=_("已一次性告知申请人补正，补正材料通知书已出具"),
    )


@require_POST
@case_permission("request_extension")
def case_extension(request, number):
    return _act(
        request,
        number,
        ExtensionForm,
        lambda case, form: actions.request_extension(
            actor=request.user,
            case=case,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        ),
        done=_("延期申请已提交，等待负责人审批"),
    )


@require_POST
@case_permission("approve_extension")
def case_extension_decide(request, number, pk):
    def run(case, form):
        extension = get_object_or_404(ExtensionRequest, pk=pk, case=case)
        actions.decide_extension(
            actor=request.user,
            request=extension,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
        )

    return _act(
        request,
        number,
        ExtensionDecisionForm,
        run,
        done=_("延期申请已审批"),
    )


@require_POST
@case_permission("suspend_case")
def case_suspend(request, number):
    return _act(
        request,
        number,
        SuspendForm,
        lambda case, form: actions.suspend_case(
            actor=request.user,
            case=case,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
        ),
        done=_("办件已中止，办理时限暂停计算"),
    )


@require_POST
@case_permission("resume_case")
def case_resume(request, number):
    return _act(
        request,
        number,
        ResumeForm,
        lambda case, form: actions.resume_case(
            actor=request.user, case=case, note=form.cleaned_data["note"]
        ),
        done=_("办件已恢复办理"),
    )


@require_POST
@case_permission("decide_case")
def case_decide(request, number):
    return _act(
        request,
        number,
        DecideForm,
        lambda case, form: actions.decide_case(
            actor=request.user,
            case=case,
            decision=form.cleaned_data["decision"],
            reasons=form.cleaned_data["reasons"],
            legal_basis=form.cleaned_data["legal_basis"],
        ),
        done=_("决定已作出，决定书已出具"),
    )


@require_POST
@case_permission("view_case")
def case_reveal(request, number):
    case = queries.get_case_for(request.user, number)
    try:
        revealed = actions.reveal_applicant(actor=request.user, case=case)
    except ActionError as exc:
        return render(
            request,
            T + "_applicant.html",
            {"case": case, "error": exc.message},
            status=403,
        )
    if request.headers.get("HX-Request"):
        return render(
            request, T + "_applicant.html", {"case": case, "revealed": revealed}
        )
    return render(
        request,
        T + "case_detail.html",
        _detail_context(request, case, revealed=revealed),
    )


# --- files --------------------------------------------------------------------


@case_permission("view_case")
def material_download(request, number, pk):
    material = queries.get_material_for(request.user, number, pk)
    return file_response(request, material.file)


@case_permission("view_case")
def instrument_download(request, number, pk, fmt):
    instrument = queries.get_instrument_for(request.user, number, pk)
    return file_response(
        request, instrument.file_docx if fmt == "docx" else instrument.file_pdf
    )


@case_permission("view_case")
def case_receipt(request, number):
    """收件回执 printed at the window for an application taken in person."""
    from egov.docgen.render import simple_pdf

    case = queries.get_case_for(request.user, number)
    rows = [
        (_("办件编号"), case.number),
        (_("查询码"), case.lookup_code),
        (_("申请事项"), case.item_version.name),
        (_("实施机构"), case.organization.name),
        (_("申请人"), case.applicant_name),
        (_("证件号码"), case.applicant_id_masked),
        (_("联系电话"), case.contact_phone_masked),
        (_("收件时间"), case.submitted_at),
        (_("收到材料"), "、".join(m.name for m in queries.current_materials(case))),
        (_("承诺时限"), case.item_version.promised_display),
    ]
    pdf = simple_pdf(
        _("收件回执"),
        rows,
        subtitle=case.organization.name,
        note=_("凭办件编号和查询码可在网上办事大厅查询办理进度。"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="receipt-{case.number}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the applicant's own instruments (public face) ----------------------------


@login_required
def applicant_instrument(request, number, pk):
    """hall:instrument: the applicant downloads an instrument of their own
    case (PDF, or DOCX with ?format=docx); 404 for anyone else."""
    instrument = queries.get_applicant_instrument(request.user, number, pk)
    if request.GET.get("format") == "docx":
        return file_response(request, instrument.file_docx)
    return file_response(request, instrument.file_pdf)
