"""好差评 on the internal face: the department's 整改工单 (call-backs, reply,
closing, appeal), the supervisor's appeal queue, the reports with their Excel
export, the service windows (their rating codes, the administrator's setup and
who is on duty, 上岗 and 离岗), and 电话回访 (recording the rating an applicant
gives on the phone)."""

from functools import wraps
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import ActionError
from egov.supervision import phone_rating_queries as phone_queries
from egov.supervision import rating_actions as actions
from egov.supervision import rating_queries as queries
from egov.supervision import rating_spreadsheets as sheets
from egov.supervision import window_actions, window_queries
from egov.supervision.models import Level, Rectification
from egov.supervision.permissions import supervision_policy
from egov.supervision.rating_forms import (
    AppealForm,
    CallBackForm,
    CloseForm,
    PhoneLookupForm,
    PhoneRatingForm,
    ReplyForm,
    ReportForm,
    ReviewForm,
    WindowEditForm,
    WindowForm,
    WindowStaffForm,
    apply_errors,
    rating_choices,
)

T = "supervision/internal/"


def policy_required(action: str):
    """Signed in and allowed `action` by the supervision policy; else 403."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not supervision_policy.can(request.user, action):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# --- 整改工单 -------------------------------------------------------------------


@policy_required("view_rectification")
def rectification_list(request):
    state = request.GET.get("state", "")
    if state not in Rectification.State.values:
        state = ""
    rows = queries.rectifications_for(request.user, state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    deadlines = queries.rectification_deadlines(page.object_list)
    for rect in page.object_list:
        rect.deadline = deadlines[rect.pk]
    return render(
        request,
        T + "rectification_list.html",
        {
            "page": page,
            "state": state,
            "states": Rectification.State.choices,
        },
    )


def _detail(request, rect, *, forms=None, status=200):
    viewer = request.user
    is_open = rect.state == Rectification.State.OPEN
    may_handle = is_open and supervision_policy.can(
        viewer, "handle_rectification", rect
    )
    may_review = (
        rect.state == Rectification.State.APPEALING
        and supervision_policy.can(viewer, "review_appeal", rect)
        and viewer.pk != rect.appealed_by_id
    )
    forms = forms or {}
    context = {
        "rect": rect,
        "rating": rect.rating,
        "deadline": queries.rectification_deadline(rect),
        "callbacks": rect.callbacks.select_related("recorded_by"),
        "may_handle": may_handle,
        "may_appeal": may_handle and not rect.appeal_decision,
        "may_review": may_review,
        "callback_form": forms.get(
            "callback",
            CallBackForm(
                initial={"called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
            ),
        ),
        "reply_form": forms.get("reply", ReplyForm(initial={"reply": rect.reply})),
        "close_form": forms.get("close", CloseForm()),
        "appeal_form": forms.get("appeal", AppealForm()),
        "review_form": forms.get("review", ReviewForm()),
    }
    return render(request, T + "rectification_detail.html", context, status=status)


@policy_required("view_rectification")
def rectification_detail(request, pk):
    rect = queries.get_rectification_for(request.user, pk)
    return _detail(request, rect)


def _post(name, form_class, run, success_message):
    """A POST-only view: parse `form_class`, call `run(request, rect, data)`,
    redirect to the rectification, or show its page again with the errors."""

    @policy_required("view_rectification")
    @require_POST
    def view(request, pk):
        rect = queries.get_rectification_for(request.user, pk)
        form = form_class(request.POST)
        status = 400
        if form.is_valid():
            try:
                run(request, rect, form.cleaned_data)
            except ActionError as exc:
                # A refusal about the order rather than a field shows at the
                # top: the form it came from may not be shown in this state.
                if not apply_errors(form, exc, on_form=False):
                    messages.error(request, str(exc.message))
                status = exc.status
            else:
                messages.success(request, success_message())
                return redirect("rectifications:detail", pk=rect.pk)
        return _detail(request, rect, forms={name: form}, status=status)

    view.__name__ = name
    return view


record_callback = _post(
    "callback",
    CallBackForm,
    lambda request, rect, data: actions.record_callback(
        actor=request.user,
        rectification=rect,
        called_at=data["called_at"],
        contact=data["contact"],
        content=data["content"],
    ),
    lambda: _("回访记录已保存"),
)
reply = _post(
    "reply",
    ReplyForm,
    lambda request, rect, data: actions.reply_rectification(
        actor=request.user, rectification=rect, reply=data["reply"]
    ),
    lambda: _("已答复评价人"),
)
close = _post(
    "close",
    CloseForm,
    lambda request, rect, data: actions.close_rectification(
        actor=request.user, rectification=rect, note=data["note"]
    ),
    lambda: _("整改工单已办结"),
)
appeal = _post(
    "appeal",
    AppealForm,
    lambda request, rect, data: actions.appeal_rating(
        actor=request.user, rectification=rect, reason=data["reason"]
    ),
    lambda: _("申诉已提交，等待监察员审核"),
)
review = _post(
    "review",
    ReviewForm,
    lambda request, rect, data: actions.review_appeal(
        actor=request.user,
        rectification=rect,
        uphold=data["decision"] == "uphold",
        note=data["note"],
    ),
    lambda: _("申诉审核完成"),
)


@policy_required("review_appeal")
def appeal_queue(request):
    rows = list(queries.appeal_queue(request.user)[:200])
    return render(request, T + "appeal_queue.html", {"rows": rows})


# --- reports --------------------------------------------------------------------


def _report(request):
    form = ReportForm(request.GET)
    form.is_valid()
    if form.errors:
        return form, None
    data = form.cleaned_data
    result = queries.report(
        request.user,
        grouping=data["grouping"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    return form, result


@policy_required("view_reports")
def reports(request):
    form, result = _report(request)
    return render(
        request,
        T + "reports.html",
        {
            "form": form,
            "report": result,
            "level_labels": [
                Level(v).label for v in sorted(Level.values, reverse=True)
            ],
            "can_export": supervision_policy.can(request.user, "export_reports"),
            "query": request.GET.urlencode(),
        },
        status=200 if result is not None else 400,
    )


@policy_required("export_reports")
def reports_export(request):
    form, result = _report(request)
    if result is None:
        return reports(request)
    content = sheets.report_workbook(result)
    filename = _("好差评统计-%(start)s-%(end)s.xlsx") % {
        "start": result.date_from.strftime("%Y%m%d"),
        "end": result.date_to.strftime("%Y%m%d"),
    }
    response = HttpResponse(content, content_type=sheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- windows --------------------------------------------------------------------


def window_rating_url(request, code: str) -> str:
    """The public address of a window's rating page, for its QR code."""
    try:
        path = reverse("ratings:rate_window", args=[code])
    except NoReverseMatch:  # an internal-only process: the public face's path
        path = f"/hall/ratings/windows/{code}/"
    base = getattr(settings, "EGOV_PUBLIC_URL", "") or request.build_absolute_uri("/")
    return base.rstrip("/") + path


def _with_codes(request, windows):
    for window in windows:
        window.rating_url = window_rating_url(request, window.code)
        window.qr = segno.make(window.rating_url, error="m").svg_data_uri(scale=4)
    return windows


@policy_required("view_windows")
def window_list(request):
    viewer = request.user
    rows = _with_codes(request, list(queries.windows_for(viewer)[:500]))
    changeable = window_queries.window_ids_for(viewer, "change_window")
    takeable = window_queries.window_ids_for(viewer, "take_window")
    for window in rows:
        window.may_change = window.pk in changeable
        window.may_take = (
            window.pk in takeable and window.is_active and window.staff_id != viewer.pk
        )
        window.on_duty_here = window.staff_id == viewer.pk
    return render(
        request,
        T + "window_list.html",
        {
            "rows": rows,
            "may_create": supervision_policy.can(viewer, "create_window"),
            "duty": window_queries.duty_of(viewer),
        },
    )


def _window_page(request, window, *, forms=None, status=200):
    forms = forms or {}
    organizations = window_queries.organizations_for_windows(
        request.user, "change_window"
    )
    candidates = window_queries.staff_candidates(window.organization)
    _with_codes(request, [window])
    context = {
        "window": window,
        "edit_form": forms.get(
            "edit",
            WindowEditForm(
                organizations=organizations,
                initial={"name": window.name, "organization": window.organization_id},
            ),
        ),
        "staff_form": forms.get("staff", WindowStaffForm(candidates=candidates)),
    }
    return render(request, T + "window_detail.html", context, status=status)


@policy_required("create_window")
@require_http_methods(["GET", "POST"])
def window_create(request):
    organizations = window_queries.organizations_for_windows(request.user)
    form = WindowForm(
        request.POST if request.method == "POST" else None,
        organizations=organizations,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                window = window_actions.create_window(
                    actor=request.user,
                    code=data["code"],
                    name=data["name"],
                    organization=data["organization"],
                )
            except ActionError as exc:
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("服务窗口“%(name)s”已新增，请安排当班人员")
                    % {"name": window.name},
                )
                return redirect("rectifications:window", code=window.code)
    return render(request, T + "window_form.html", {"form": form}, status=status)


@policy_required("change_window")
def window_detail(request, code):
    window = window_queries.get_window_for(request.user, code, "change_window")
    return _window_page(request, window)


def _window_post(name, make_form, run, success_message):
    """A POST-only view on a window the viewer runs: parse `make_form(request,
    window)` (None for a plain button), call `run(request, window, data)`,
    redirect to the window's page, or show it again with the refusal."""

    @policy_required("change_window")
    @require_POST
    def view(request, code):
        window = window_queries.get_window_for(request.user, code, "change_window")
        form = make_form(request, window)
        if form is not None and not form.is_valid():
            return _window_page(request, window, forms={name: form}, status=400)
        try:
            run(request, window, form.cleaned_data if form is not None else {})
        except ActionError as exc:
            if form is None or not apply_errors(form, exc, on_form=False):
                messages.error(request, str(exc.message))
            window.refresh_from_db()
            forms = {name: form} if form is not None else None
            return _window_page(request, window, forms=forms, status=exc.status)
        messages.success(request, success_message())
        return redirect("rectifications:window", code=window.code)

    view.__name__ = f"window_{name}"
    return view


def _edit_form(request, window):
    organizations = window_queries.organizations_for_windows(
        request.user, "change_window"
    )
    return WindowEditForm(request.POST, organizations=organizations)


def _staff_form(request, window):
    if request.POST.get("off_duty"):
        return None
    candidates = window_queries.staff_candidates(window.organization)
    return WindowStaffForm(request.POST, candidates=candidates)


window_edit = _window_post(
    "edit",
    _edit_form,
    lambda request, window, data: window_actions.update_window(
        actor=request.user,
        window=window,
        name=data["name"],
        organization=data["organization"],
    ),
    lambda: _("窗口信息已保存"),
)
window_staff = _window_post(
    "staff",
    _staff_form,
    lambda request, window, data: window_actions.assign_window_staff(
        actor=request.user, window=window, staff=data.get("staff")
    ),
    lambda: _("当班人员已更新"),
)
window_enable = _window_post(
    "enable",
    lambda request, window: None,
    lambda request, window, data: window_actions.enable_window(
        actor=request.user, window=window
    ),
    lambda: _("窗口已启用"),
)
window_disable = _window_post(
    "disable",
    lambda request, window: None,
    lambda request, window, data: window_actions.disable_window(
        actor=request.user, window=window
    ),
    lambda: _("窗口已停用"),
)


def _back(request, default: str) -> str:
    """Where a 上岗/离岗 button sends the person back to: the page it was on
    (the workbench or the window list), never another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_required
@require_POST
def window_take(request, code):
    window = window_queries.get_window_for(request.user, code, "take_window")
    try:
        window_actions.take_window(actor=request.user, window=window)
    except ActionError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("您已在“%(name)s”上岗") % {"name": window.name})
    return redirect(_back(request, "rectifications:windows"))


@login_required
@require_POST
def window_leave(request, code):
    window = window_queries.duty_of(request.user)
    if window is None or window.code != code:
        raise Http404
    try:
        window_actions.leave_window(actor=request.user, window=window)
    except ActionError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("您已从“%(name)s”离岗") % {"name": window.name})
    return redirect(_back(request, "rectifications:windows"))


@login_required
def duty_card(request):
    """The workbench's 当班窗口 card: where the viewer is on duty, with 离岗,
    or the windows they may take, with 上岗; nothing for anyone else."""
    duty = window_queries.duty_of(request.user)
    choices = list(window_queries.windows_to_take(request.user)[:100])
    if duty is None and not choices:
        return HttpResponse(status=204)
    return render(request, T + "_duty_card.html", {"duty": duty, "choices": choices})


# --- 电话回访 -------------------------------------------------------------------


@policy_required("record_phone_rating")
def phone_list(request):
    form = PhoneLookupForm(request.GET)
    form.is_valid()
    number = form.cleaned_data.get("number", "") if not form.errors else ""
    tab = "recorded" if request.GET.get("tab") == "recorded" else "awaiting"
    if tab == "recorded":
        rows = phone_queries.phone_ratings_for(request.user)
    else:
        rows = phone_queries.cases_awaiting_rating(request.user, number=number)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        T + "phone_list.html",
        {"page": page, "tab": tab, "form": form, "number": number},
    )


def _phone_page(request, case, *, form=None, revealed=None, status=200):
    rating = queries.rating_for_case(case)
    form = form or PhoneRatingForm(
        initial={"called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    )
    context = {
        "case": case,
        "rating": rating,
        "revealed": revealed,
        "may_view_case": request.user.has_perm("servicehall.view_case"),
        **rating_choices(form),
        "form": form,
    }
    return render(request, T + "phone_rating.html", context, status=status)


@policy_required("record_phone_rating")
@require_http_methods(["GET", "POST"])
def phone_rating(request, number):
    case = phone_queries.get_case_for_phone_rating(request.user, number)
    if request.method == "GET":
        return _phone_page(request, case)
    form = PhoneRatingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.rate_case_by_phone(
                actor=request.user,
                case=case,
                level=data["level"],
                comment=data["comment"],
                tags=data["tags"],
                called_at=data["called_at"],
                consented=data["consented"],
            )
        except ActionError as exc:
            # A refusal about the case (rated meanwhile, not one's to rate)
            # shows at the top: the form may not be shown any more.
            if not apply_errors(form, exc, on_form=False):
                messages.error(request, str(exc.message))
            return _phone_page(request, case, form=form, status=exc.status)
        messages.success(request, _("电话评价已登记"))
        return redirect("rectifications:phone_rating", number=case.number)
    return _phone_page(request, case, form=form, status=400)


@policy_required("record_phone_rating")
@require_POST
def phone_reveal(request, number):
    """The applicant's full phone number to call, through the service hall's
    audited full view."""
    from egov.servicehall.case_actions import reveal_applicant

    case = phone_queries.get_case_for_phone_rating(request.user, number)
    try:
        revealed = reveal_applicant(actor=request.user, case=case)
    except ActionError as exc:
        if request.headers.get("HX-Request"):
            return render(
                request,
                T + "_phone_applicant.html",
                {"case": case, "error": exc.message},
                status=exc.status,
            )
        messages.error(request, str(exc.message))
        return _phone_page(request, case, status=exc.status)
    if request.headers.get("HX-Request"):
        return render(
            request,
            T + "_phone_applicant.html",
            {"case": case, "revealed": revealed, "may_view_case": True},
        )
    return _phone_page(request, case, revealed=revealed)
