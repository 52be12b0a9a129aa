"""好差评 on the internal face: the department's 整改工单 (call-backs, reply,
closing, appeal), the supervisor's appeal queue, the reports with their Excel
export, and the windows' rating codes."""

from functools import wraps
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.core.errors import ActionError
from egov.supervision import rating_actions as actions
from egov.supervision import rating_queries as queries
from egov.supervision import rating_spreadsheets as sheets
from egov.supervision.models import Level, Rectification
from egov.supervision.permissions import supervision_policy
from egov.supervision.rating_forms import (
    AppealForm,
    CallBackForm,
    CloseForm,
    ReplyForm,
    ReportForm,
    ReviewForm,
    apply_errors,
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


@policy_required("view_windows")
def window_list(request):
    rows = list(queries.windows_for(request.user)[:500])
    for window in rows:
        window.rating_url = window_rating_url(request, window.code)
        window.qr = segno.make(window.rating_url, error="m").svg_data_uri(scale=4)
    return render(request, T + "window_list.html", {"rows": rows})
