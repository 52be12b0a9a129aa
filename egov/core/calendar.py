"""The working calendar (工作日历): who may edit it, its actions and its reads.

Administrators holding `core.change_calendarday` add or remove single days
(a holiday on a weekday, a make-up working day on a weekend) and enter a whole
year's notice at once (国务院办公厅关于某年部分节假日安排的通知). Every change
makes all processes rebuild their working-day tables (egov.core.workdays), and
since no deadline is stored anywhere in core, every open deadline follows at
its next read. Domains that keep a computed due time in a table of their own
(for sorting an inbox, say) register a listener with
`register_calendar_listener`; the actions call the listeners, after commit,
with the years that changed.
"""

import calendar as std_calendar
import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.core.models import CalendarDay, CalendarYear
from egov.core.policy import Policy
from egov.core.workdays import calendar_changed, current_calendar, package_year

logger = logging.getLogger(__name__)

MANAGE_CALENDAR = "core.change_calendarday"
# The years the calendar pages and actions accept.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Working-day limits reach about three months ahead, so from October on next
# year's holidays are needed (the State Council publishes them in autumn).
LOOKAHEAD_DAYS = 92
# A notice lists one holiday no longer than this.
LONGEST_HOLIDAY = 15


class CalendarPolicy(Policy):
    app = "core"

    def can(self, user, action: str, obj=None) -> bool:
        return bool(
            user is not None
            and user.is_authenticated
            and action in {"view", "manage"}
            and user.has_perm(MANAGE_CALENDAR)
        )


calendar_policy = CalendarPolicy()

_listeners: dict[str, Callable[[set[int]], None]] = {}


def register_calendar_listener(name: str, listener: Callable[[set[int]], None]):
    """Call `listener(years)` after every committed change of the calendar, with
    the years whose working days changed. For domains that store due times."""
    _listeners[name] = listener


def unregister_calendar_listener(name: str) -> None:
    _listeners.pop(name, None)


def notify_listeners(years: set[int]) -> None:
    """Run every listener; one that fails is logged and the others still run."""
    for name, listener in list(_listeners.items()):
        try:
            listener(set(years))
        except Exception:
            logger.exception("calendar listener %s failed for %s", name, years)


@contextmanager
def _changing(years: set[int]):
    """Around a calendar write: drop the tables before and after (a rolled-back
    write must not leave tables built from it), again on commit (other
    processes may have rebuilt from the old rows meanwhile), and then tell the
    listeners."""
    calendar_changed()
    try:
        yield
    finally:
        calendar_changed()
    transaction.on_commit(calendar_changed)
    transaction.on_commit(lambda: notify_listeners(years))


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ActionError(
            _("年度须在%(first)d年至%(last)d年之间")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="calendar_year_out_of_range",
        )


def _check_day(day: date, kind: str) -> None:
    _check_year(day.year)
    if kind not in CalendarDay.Kind.values:
        raise ActionError(_("请选择休息日或调休上班日"), code="calendar_bad_kind")
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        raise ActionError(
            _("%(date)s是工作日，调休上班日应为周六或周日") % {"date": day.isoformat()},
            code="calendar_workday_on_weekday",
        )


@audited("core.add_calendar_day")
def add_calendar_day(
    *, actor, date: date, kind: str, name: str = "", note: str = ""
) -> CalendarDay:
    """Add one day to the calendar table; it wins over chinesecalendar."""
    calendar_policy.require(actor, "manage")
    _check_day(date, kind)
    name, note = name.strip(), note.strip()
    if CalendarDay.objects.filter(date=date).exists():
        raise ActionError(
            _("%(date)s已在工作日历中，请先删除原有设置") % {"date": date.isoformat()},
            code="calendar_day_exists",
        )
    with _changing({date.year}):
        try:
            with transaction.atomic():
                day = CalendarDay.objects.create(
                    date=date, kind=kind, name=name, note=note, entered_by=actor
                )
        except IntegrityError as exc:
            raise ActionError(
                _("%(date)s已在工作日历中，请先删除原有设置")
                % {"date": date.isoformat()},
                code="calendar_day_exists",
            ) from exc
        record(
            actor=actor,
            action="core.add_calendar_day",
            target=day,
            detail={"date": date, "kind": kind, "name": name, "note": note},
        )
    return day


@audited("core.remove_calendar_day", target_kwarg="day")
def remove_calendar_day(*, actor, day: CalendarDay) -> None:
    """Remove one day from the calendar table; chinesecalendar applies again."""
    calendar_policy.require(actor, "manage", day)
    detail = {"date": day.date, "kind": day.kind, "name": day.name}
    with _changing({day.date.year}):
        record(
            actor=actor, action="core.remove_calendar_day", target=day, detail=detail
        )
        CalendarDay.objects.filter(pk=day.pk).delete()


@dataclass(frozen=True)
class HolidayRange:
    """One line of a notice: a holiday from `start` to `end` (inclusive)."""

    name: str
    start: date
    end: date


@dataclass(frozen=True)
class MakeupDay:
    """One make-up working day (调休上班日) of a notice."""

    name: str
    date: date


def _in_notice_window(year: int, day: date) -> bool:
    # A notice may start 元旦 in the last days of the year before.
    return day.year == year or (day.year == year - 1 and day.month == 12)


def _notice_days(year, holidays, makeup_days) -> list[tuple[date, str, str]]:
    """The (date, kind, name) rows a notice makes; refuses what cannot be."""
    rows: dict[date, tuple[str, str]] = {}

    def put(day, kind, name):
        if not _in_notice_window(year, day):
            raise ActionError(
                _("%(date)s不在%(year)d年节假日安排的范围内")
                % {"date": day.isoformat(), "year": year},
                code="calendar_day_outside_year",
            )
        if day in rows:
            raise ActionError(
                _("%(date)s在通知中重复出现") % {"date": day.isoformat()},
                code="calendar_day_repeated",
            )
        rows[day] = (kind, name)

    for line in holidays:
        name = line.name.strip()
        if not name:
            raise ActionError(_("请填写节日名称"), code="calendar_name_missing")
        if line.end < line.start:
            raise ActionError(
                _("%(name)s的结束日期早于开始日期") % {"name": name},
                code="calendar_range_reversed",
            )
        if (line.end - line.start).days >= LONGEST_HOLIDAY:
            raise ActionError(
                _("%(name)s放假超过%(days)d天，请检查日期")
                % {"name": name, "days": LONGEST_HOLIDAY},
                code="calendar_range_too_long",
            )
        day = line.start
        while day <= line.end:
            put(day, CalendarDay.Kind.HOLIDAY, name)
            day += timedelta(days=1)
    for line in makeup_days:
        _check_day(line.date, CalendarDay.Kind.WORKDAY)
        put(line.date, CalendarDay.Kind.WORKDAY, line.name.strip())
    if not any(kind == CalendarDay.Kind.HOLIDAY for kind, _name in rows.values()):
        raise ActionError(_("请至少填写一个节假日"), code="calendar_notice_empty")
    return [(day, kind, name) for day, (kind, name) in sorted(rows.items())]


@audited("core.enter_year_notice")
def enter_year_notice(
    *,
    actor,
    year: int,
    holidays: Iterable[HolidayRange],
    makeup_days: Iterable[MakeupDay] = (),
    document: str = "",
) -> CalendarYear:
    """Enter (or re-enter) a year's holiday notice as a whole.

    The year counts as covered from then on. The notice's days replace those
    of its previous entry and any single days entered on the same dates; a date
    that another year's notice already holds is refused.
    """
    calendar_policy.require(actor, "manage")
    _check_year(year)
    rows = _notice_days(year, list(holidays), list(makeup_days))
    dates = [day for day, _kind, _name in rows]
    notice = CalendarYear.objects.filter(year=year).first()
    clash = (
        CalendarDay.objects.filter(date__in=dates, notice__isnull=False)
        .exclude(notice=notice)
        .order_by("date")
        .first()
    )
    if clash is not None:
        raise ActionError(
            _("%(date)s已属于%(year)d年的节假日安排")
            % {"date": clash.date.isoformat(), "year": clash.notice.year},
            code="calendar_day_in_other_notice",
        )
    before = (
        sorted(d.isoformat() for d in notice.days.values_list("date", flat=True))
        if notice
        else []
    )
    years = {year} | {day.year for day in dates}
    if notice is not None:
        years |= {d.year for d in notice.days.values_list("date", flat=True)}
    with _changing(years):
        notice, created = CalendarYear.objects.update_or_create(
            year=year,
            defaults={"document": document.strip(), "entered_by": actor},
        )
        notice.days.all().delete()
        CalendarDay.objects.filter(date__in=dates, notice__isnull=True).delete()
        try:
            with transaction.atomic():
                CalendarDay.objects.bulk_create(
                    CalendarDay(
                        date=day, kind=kind, name=name, notice=notice, entered_by=actor
                    )
                    for day, kind, name in rows
                )
        except IntegrityError as exc:
            # Another administrator entered one of these dates meanwhile.
            raise ActionError(
                _("工作日历刚被他人修改，请刷新后重试"),
                code="calendar_changed_meanwhile",
            ) from exc
        record(
            actor=actor,
            action="core.enter_year_notice",
            target=notice,
            detail={
                "year": year,
                "document": notice.document,
                "replaced": not created,
                "holidays": [d.isoformat() for d, k, _n in rows if k == "holiday"],
                "workdays": [d.isoformat() for d, k, _n in rows if k == "workday"],
                "before": before,
            },
        )
    return notice


@audited("core.withdraw_year_notice")
def withdraw_year_notice(*, actor, year: int) -> None:
    """Remove a year's notice and its days; the year is uncovered again unless
    chinesecalendar knows it."""
    calendar_policy.require(actor, "manage")
    notice = CalendarYear.objects.filter(year=year).first()
    if notice is None:
        raise ActionError(
            _("%(year)d年的节假日安排尚未录入") % {"year": year},
            code="calendar_notice_missing",
        )
    dates = sorted(notice.days.values_list("date", flat=True))
    with _changing({year} | {d.year for d in dates}):
        record(
            actor=actor,
            action="core.withdraw_year_notice",
            target=notice,
            detail={"year": year, "days": [d.isoformat() for d in dates]},
        )
        notice.delete()


# --- reads ----------------------------------------------------------------


def year_notice(year: int) -> CalendarYear | None:
    """The entered notice of `year`, if any."""
    return CalendarYear.objects.filter(year=year).first()


def uncovered_years_ahead(today: date, days: int = LOOKAHEAD_DAYS) -> list[int]:
    """The years between `today` and `days` later whose holidays are unknown:
    what administrators must enter before deadlines run into them."""
    calendar = current_calendar()
    return list(calendar.uncovered_years(today, today + timedelta(days=days)))


@dataclass(frozen=True)
class DayInfo:
    """One day of the year view."""

    date: date
    workday: bool
    weekend: bool
    name: str
    override: CalendarDay | None
    package_says: bool | None  # chinesecalendar's workday flag, if it names the day

    @property
    def special(self) -> bool:
        return (
            self.override is not None
            or self.package_says is not None
            or self.workday == self.weekend
        )

    @property
    def kind_label(self) -> str:
        if self.workday:
            return _("调休上班日") if self.weekend else _("工作日")
        return _("休息日")

    @property
    def css(self) -> str:
        if self.workday:
            return "egov-cal-makeup" if self.weekend else "egov-cal-workday"
        return (
            "egov-cal-weekend" if self.weekend and not self.name else "egov-cal-holiday"
        )

    @property
    def source_label(self) -> str:
        if self.override is not None and self.package_says is not None:
            if self.package_says == self.workday:
                return _("工作日历（与chinesecalendar一致）")
            return _("工作日历（覆盖chinesecalendar）")
        if self.override is not None:
            return _("工作日历")
        return "chinesecalendar"


@dataclass(frozen=True)
class YearOverview:
    year: int
    covered: bool
    notice: CalendarYear | None
    in_package: bool
    months: list  # (month, weeks of DayInfo | None)
    special_days: list[DayInfo]
    workdays: int


def year_overview(year: int) -> YearOverview:
    """Every day of `year` as the counting sees it, with where its answer comes
    from (the calendar table, chinesecalendar, or the weekend rule)."""
    calendar = current_calendar()
    overrides = {
        day.date: day
        for day in CalendarDay.objects.filter(date__year=year).select_related("notice")
    }
    package = package_year(year) or {}
    infos = {}
    day = date(year, 1, 1)
    while day.year == year:
        override = overrides.get(day)
        from_package = package.get(day)
        name = (override.name if override else "") or (
            from_package.name if from_package else ""
        )
        infos[day] = DayInfo(
            date=day,
            workday=calendar.is_workday(day),
            weekend=day.weekday() >= 5,
            name=name,
            override=override,
            package_says=from_package.workday if from_package else None,
        )
        day += timedelta(days=1)
    months = []
    for month in range(1, 13):
        weeks = [
            [infos[date(year, month, d)] if d else None for d in week]
            for week in std_calendar.Calendar().monthdayscalendar(year, month)
        ]
        months.append((month, weeks))
    return YearOverview(
        year=year,
        covered=calendar.covered(year),
        notice=year_notice(year),
        in_package=package_year(year) is not None,
        months=months,
        special_days=[info for info in infos.values() if info.special],
        workdays=calendar.table(year).workdays,
    )


def notice_lines(year: int) -> tuple[list[HolidayRange], list[MakeupDay]]:
    """The year's arrangement as notice lines (consecutive days of one name make
    one range): from its entered notice, else from chinesecalendar, else none."""
    notice = year_notice(year)
    if notice is not None:
        days = [
            (d.date, d.kind == CalendarDay.Kind.WORKDAY, d.name)
            for d in notice.days.all()
        ]
    else:
        days = [
            (d.date, d.workday, d.name)
            for d in sorted((package_year(year) or {}).values(), key=lambda d: d.date)
        ]
    holidays: list[HolidayRange] = []
    makeups: list[MakeupDay] = []
    for day, workday, name in sorted(days):
        if workday:
            makeups.append(MakeupDay(name, day))
        elif (
            holidays
            and holidays[-1].name == name
            and holidays[-1].end + timedelta(days=1) == day
        ):
            holidays[-1] = HolidayRange(name, holidays[-1].start, day)
        else:
            holidays.append(HolidayRange(name, day, day))
    return holidays, makeups
