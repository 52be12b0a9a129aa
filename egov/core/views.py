"""系统管理 → 工作日历 (internal face): the year view, single days, and a year's
notice. Thin views: a form, one action or query, a page."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.core import calendar as work_calendar
from egov.core.calendar_forms import CalendarDayForm, YearNoticeForm
from egov.core.errors import ActionError
from egov.core.models import CalendarDay
from egov.core.timelimits import SHANGHAI


def manager_required(view):
    """Signed in and allowed to manage the calendar; otherwise 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not work_calendar.calendar_policy.can(request.user, "manage"):
            raise DjangoPermissionDenied
        year = kwargs.get("year")
        if year is not None and not (
            work_calendar.FIRST_YEAR <= year <= work_calendar.LAST_YEAR
        ):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _today():
    return timezone.localtime(timezone.now(), SHANGHAI).date()


def _year_page(request, year: int, day_form=None, status: int = 200):
    today = _today()
    return render(
        request,
        "core/calendar_year.html",
        {
            "overview": work_calendar.year_overview(year),
            "uncovered_ahead": work_calendar.uncovered_years_ahead(today),
            "day_form": day_form or CalendarDayForm(),
            "today": today,
            "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
        },
        status=status,
    )


@require_GET
@manager_required
def calendar_index(request):
    return redirect("calendar:year", year=_today().year)


@require_GET
@manager_required
def calendar_year(request, year: int):
    return _year_page(request, year)


@require_POST
@manager_required
def calendar_add_day(request, year: int):
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            day = work_calendar.add_calendar_day(
                actor=request.user, **form.cleaned_data
            )
        except ActionError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("已将%(date)s设为%(kind)s。")
                % {"date": day.date.isoformat(), "kind": day.get_kind_display()},
            )
            return redirect("calendar:year", year=day.date.year)
    return _year_page(request, year, day_form=form, status=400)


@require_POST
@manager_required
def calendar_remove_day(request, pk: int):
    day = get_object_or_404(CalendarDay, pk=pk)
    try:
        work_calendar.remove_calendar_day(actor=request.user, day=day)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已删除%(date)s的设置。") % {"date": day.date.isoformat()}
        )
    return redirect("calendar:year", year=day.date.year)


@manager_required
def calendar_notice(request, year: int):
    holidays, makeups = work_calendar.notice_lines(year)
    form = YearNoticeForm(
        request.POST if request.method == "POST" else None,
        year=year,
        holidays=holidays,
        makeup_days=makeups,
    )
    notice = work_calendar.year_notice(year)
    form.initial.setdefault("document", notice.document if notice else "")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                work_calendar.enter_year_notice(
                    actor=request.user,
                    year=year,
                    holidays=form.cleaned_data["holidays"],
                    makeup_days=form.cleaned_data["makeup_days"],
                    document=form.cleaned_data["document"],
                )
            except ActionError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _(
                        "已录入%(year)d年节假日安排，所有未办结事项的期限已按新日历计算。"
                    )
                    % {"year": year},
                )
                return redirect("calendar:year", year=year)
        status = 400
    return render(
        request,
        "core/calendar_notice.html",
        {"form": form, "year": year, "notice": notice},
        status=status,
    )


@require_POST
@manager_required
def calendar_withdraw_notice(request, year: int):
    try:
        work_calendar.withdraw_year_notice(actor=request.user, year=year)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已撤销%(year)d年节假日安排的录入。") % {"year": year}
        )
    return redirect("calendar:year", year=year)
